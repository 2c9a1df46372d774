// One KeyPicker per isolate, talking to the level KeyPool objects.
import { KeyPicker } from './key-picker';

const pickers = new WeakMap<Env, KeyPicker>();

export function keyPicker(env: Env): KeyPicker {
  let picker = pickers.get(env);
  if (!picker) {
    picker = new KeyPicker((levelId) => env.KEY_POOL.get(env.KEY_POOL.idFromName(`level:${levelId}`)));
    pickers.set(env, picker);
  }
  return picker;
}
