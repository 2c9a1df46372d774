// The CLI entry point: prints its URL, serves, and exits cleanly on SIGTERM / SIGINT.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function startCli(args: string[]): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /fake provider listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`CLI exited early with ${code}: ${out}`)));
  });
  return { child, url };
}

// Spawning tsx takes a while on a loaded machine; do not inherit a short default timeout.
describe('main.ts', { timeout: 30_000 }, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves on the printed URL and stops on %s', async (signal) => {
    const { child, url } = startCli(['--port', '0']);
    try {
      const base = await url;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer fake-ok' } });
      expect(res.status).toBe(200);
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('rejects a bad --port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', 'abc'], { stdio: 'ignore' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
  });
});
