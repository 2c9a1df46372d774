// Upstream secrets at rest (security and failure behaviour): AES-256-GCM under a key-encryption key (KEK)
// named by an id, so
// the KEK can be rotated: new writes use the current KEK, reads find the KEK by the stored id.
// Secrets are decrypted only to call upstream and never logged or returned.

export interface KeyRing {
  currentId: string;
  keys: Map<string, CryptoKey>;
  fingerprintKey: CryptoKey;
}

function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function kekBytes(b64: string, name: string): Uint8Array<ArrayBuffer> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64(b64.trim());
  } catch {
    throw new Error(`${name} is not valid base64`);
  }
  if (raw.length !== 32) throw new Error(`${name} must be 32 bytes (base64), got ${raw.length}`);
  return raw;
}

/**
 * `current` is `SWITCHYARD_KEK` (base64, 32 bytes) with id `currentId`; `previous` is an optional
 * comma-separated `id:base64` list of retired KEKs still able to decrypt.
 */
export async function loadKeyRing(current: string, currentId: string, previous?: string): Promise<KeyRing> {
  const keys = new Map<string, CryptoKey>();
  const currentRaw = kekBytes(current, 'SWITCHYARD_KEK');
  keys.set(
    currentId,
    await crypto.subtle.importKey('raw', currentRaw, 'AES-GCM', false, ['encrypt', 'decrypt']),
  );
  for (const entry of (previous ?? '').split(',').filter(Boolean)) {
    const [id, b64] = entry.split(':');
    if (!id || !b64) throw new Error('SWITCHYARD_KEK_PREVIOUS entries must look like id:base64');
    const raw = kekBytes(b64, `SWITCHYARD_KEK_PREVIOUS(${id})`);
    keys.set(id, await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']));
  }
  // A separate HMAC key derived from the current KEK: fingerprints reveal nothing about the secret
  // and never reuse the encryption key for a second algorithm.
  const hkdf = await crypto.subtle.importKey('raw', currentRaw, 'HKDF', false, ['deriveKey']);
  const fingerprintKey = await crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: new TextEncoder().encode('switchyard/fingerprint'),
    },
    hkdf,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
  return { currentId, keys, fingerprintKey };
}

export async function encryptSecret(
  ring: KeyRing,
  secret: string,
): Promise<{ ciphertext: string; kekId: string }> {
  const key = ring.keys.get(ring.currentId) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(secret)),
  );
  return { ciphertext: `v1.${toBase64(iv)}.${toBase64(ct)}`, kekId: ring.currentId };
}

export async function decryptSecret(ring: KeyRing, ciphertext: string, kekId: string): Promise<string> {
  const key = ring.keys.get(kekId);
  if (!key) throw new Error(`no key-encryption key with id "${kekId}" is configured`);
  const [version, iv, ct] = ciphertext.split('.');
  if (version !== 'v1' || !iv || !ct) throw new Error('unrecognised ciphertext format');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, key, fromBase64(ct));
  return new TextDecoder().decode(plain);
}

export async function fingerprintSecret(ring: KeyRing, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', ring.fingerprintKey, new TextEncoder().encode(secret));
  return toBase64(new Uint8Array(mac)).slice(0, 22);
}

export function last4(secret: string): string {
  return secret.length > 8 ? secret.slice(-4) : '';
}
