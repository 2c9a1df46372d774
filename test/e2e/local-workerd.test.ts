// Local workerd runs with V8 flags through src/cli/workerd-v8.sh (Miniflare cannot pass them):
// the flags reach V8 — a flag V8 does not know stops workerd — and the patched config serves.
import { Miniflare } from 'miniflare';
import { afterEach, describe, expect, it } from 'vitest';
import { localWorkerdEnv, workerdBinary } from '../../src/cli/local-workerd';

const script = 'export default { fetch: () => new Response("served") }';
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

async function serve(flags: string | undefined): Promise<string> {
  if (flags === undefined) delete process.env['SWITCHYARD_WORKERD_V8_FLAGS'];
  else process.env['SWITCHYARD_WORKERD_V8_FLAGS'] = flags;
  const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-01-01' });
  try {
    return await (await mf.dispatchFetch('http://localhost/')).text();
  } finally {
    await mf.dispose().catch(() => {});
  }
}

describe('local workerd with V8 flags', () => {
  it('is what this process’s Miniflare runs (the harness set it)', () => {
    expect(process.env['MINIFLARE_WORKERD_PATH']).toMatch(/src\/cli\/workerd-v8\.sh$/);
    expect(process.env['SWITCHYARD_WORKERD_BIN']).toBe(workerdBinary());
    expect(localWorkerdEnv({ MINIFLARE_WORKERD_PATH: '/elsewhere' })).toEqual({});
  });

  it('serves with the default flag, and with none', async () => {
    expect(await serve(undefined)).toBe('served');
    expect(await serve('')).toBe('served');
  });

  it('passes the flags to V8: one V8 does not know stops workerd', async () => {
    await expect(serve('--no-such-v8-flag-at-all')).rejects.toThrow();
  });
});
