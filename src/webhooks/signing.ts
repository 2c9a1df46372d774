// Webhook signatures (usage pipeline): HMAC-SHA256 over `<timestamp>.<body>` with the endpoint's secret, hex,
// sent as `switchyard-signature: v1=<hex>` (one `v1=` per valid secret during a rotation, space
// separated) with `switchyard-timestamp` (Unix seconds) and `switchyard-event-id`.
const encoder = new TextEncoder();

export async function signBody(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`)));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function signatureHeader(secrets: string[], timestamp: number, body: string): Promise<string> {
  const sigs = await Promise.all(secrets.map((s) => signBody(s, timestamp, body)));
  return sigs.map((s) => `v1=${s}`).join(' ');
}
