// Random identifiers and secrets. Gateway keys are 32 random bytes in base64url behind a `sy_`
// marker, so they are easy to recognise in leaked-secret scans and never collide with provider keys.
function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function newId(prefix: string): string {
  return `${prefix}_${randomToken(12)}`;
}

export function newRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll('-', '')}`;
}

export function newGatewayKey(): string {
  return `sy_${randomToken(32)}`;
}

/** The visible part of a key or token, stored next to its hash. */
export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
