// The isolate's key ring, built once per distinct secret configuration.
import { type KeyRing, loadKeyRing } from '../crypto/secrets';

let cached: { signature: string; ring: Promise<KeyRing> } | undefined;

export function keyRing(env: Env): Promise<KeyRing> {
  if (!env.SWITCHYARD_KEK) {
    return Promise.reject(
      new Error('SWITCHYARD_KEK is not set; upstream keys cannot be encrypted or decrypted'),
    );
  }
  const id = env.SWITCHYARD_KEK_ID ?? 'default';
  const signature = `${id}|${env.SWITCHYARD_KEK}|${env.SWITCHYARD_KEK_PREVIOUS ?? ''}`;
  if (cached?.signature !== signature) {
    cached = { signature, ring: loadKeyRing(env.SWITCHYARD_KEK, id, env.SWITCHYARD_KEK_PREVIOUS) };
  }
  return cached.ring;
}
