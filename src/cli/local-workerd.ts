// Environment for every local workerd that Miniflare starts (npm start through wrangler dev, the
// tests, the bench): Miniflare runs workerd-v8.sh instead of workerd itself, which adds V8 flags to
// the config (why: see workerd-v8.sh). A MINIFLARE_WORKERD_PATH the user set is left alone.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The workerd binary Miniflare would run (its own dependency). */
export function workerdBinary(): string {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve('miniflare'));
  return (fromMiniflare('workerd') as { default: string }).default;
}

export function localWorkerdEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env['MINIFLARE_WORKERD_PATH']) return {};
  return {
    MINIFLARE_WORKERD_PATH: join(import.meta.dirname, 'workerd-v8.sh'),
    SWITCHYARD_WORKERD_BIN: workerdBinary(),
  };
}

/** Sets it on this process, for a Miniflare started in it. */
export function useLocalWorkerd(): void {
  Object.assign(process.env, localWorkerdEnv());
}
