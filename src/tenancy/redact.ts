// Audit rows keep before/after images of admin writes (security and failure behaviour), minus anything
// secret: password
// hashes, key and token hashes, upstream ciphertext and fingerprints. Pure.
const secretFields = new Set([
  'password',
  'passwordHash',
  'password_hash',
  'hash',
  'codeHash',
  'code_hash',
  'secret',
  'key',
  'token',
  'ciphertext',
  'fingerprint',
]);

export const REDACTED = '[redacted]';

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = secretFields.has(k) && v !== null && v !== undefined ? REDACTED : redact(v);
  }
  return out;
}
