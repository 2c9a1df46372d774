import { describe, expect, it, vi } from 'vitest';
import type { Outcome } from '../../durable-objects/round-robin';
import { InternalError, UpstreamError } from '../errors/gateway-error';
import type { UpstreamCredential } from '../providers/types';
import type { GatewayConfig, LevelConfig } from '../state/config';
import type { Attempt } from './exchange';
import { type FailoverDeps, sendWithFailover } from './failover';
import { UpstreamUnreachable } from './upstream-call';

const key = (id: string) =>
  ({ id, provider: 'openai', weight: 1 }) as unknown as UpstreamCredential & { weight: number };
const level: LevelConfig = {
  id: 1,
  name: 'one',
  retries: 1,
  timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000 },
  keys: [key('k1'), key('k2')],
};
const config: GatewayConfig = { timezone: 'UTC', levels: new Map([[1, level]]), prices: [] };
const route = { requested: 'm', model: 'm', level: 1, switchOver: [] };

function deps() {
  const reports: [string, Outcome][] = [];
  const order = ['k1', 'k2'];
  const d: FailoverDeps = {
    pick: async (_l, _level, exclude) =>
      ({ id: order.find((k) => !exclude.has(k)) ?? null, retryAfterMs: 0 }) as never,
    report: (_l, keyId, outcome) => reports.push([keyId, outcome]),
    now: Date.now,
    requestId: 'req_failover',
  };
  return { d, reports };
}

const ok: Attempt = {
  response: new Response('{}'),
  error: async () => new UpstreamError('upstream_error', 'x'),
  deliver: () => {
    throw new Error('not delivered in this test');
  },
};

describe('sendWithFailover: which failures are blamed on a key', () => {
  it('cools a key the network could not reach and serves from the next', async () => {
    const { d, reports } = deps();
    const out = await sendWithFailover(d, config, route, async (k) => {
      if (k.id === 'k1') throw new UpstreamUnreachable(false);
      return ok;
    });
    expect(out.key.id).toBe('k2');
    expect(reports).toEqual([['k1', { kind: 'timeout' }]]);
  });

  it('answers an internal error, logged once with the request and key id, for a bug in encoding', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { d, reports } = deps();
    await expect(
      sendWithFailover(d, config, route, async () => {
        throw new TypeError('Do not know how to serialize a BigInt');
      }),
    ).rejects.toBeInstanceOf(InternalError);
    expect(reports).toEqual([]);
    expect(log).toHaveBeenCalledTimes(1);
    const line = String(log.mock.calls[0]?.[0]);
    expect(line).toContain('req_failover');
    expect(line).toContain('k1');
    log.mockRestore();
  });

  it('blames a 5xx on a key only when another key then served the same request', async () => {
    const failed: Attempt = { ...ok, response: new Response('{}', { status: 500 }) };
    const one = deps();
    await sendWithFailover(one.d, config, route, async (k) => (k.id === 'k1' ? failed : ok));
    expect(one.reports).toEqual([
      ['k1', { kind: 'server_error', suspect: true }],
      ['k1', { kind: 'server_error' }],
    ]);
    // Every key fails the request: maybe the request's fault, so each is only a suspect.
    const all = deps();
    await expect(sendWithFailover(all.d, config, route, async () => failed)).rejects.toBeInstanceOf(
      UpstreamError,
    );
    expect(all.reports).toEqual([
      ['k1', { kind: 'server_error', suspect: true }],
      ['k2', { kind: 'server_error', suspect: true }],
    ]);
  });
});
