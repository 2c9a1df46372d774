// Webhooks with a contract (usage pipeline): an org's endpoint receives its subtree's events, signed with its
// secret, at least once with an id; a receiver that checks signatures and de-duplicates by id sees
// each event once even after a redelivery; failures are retried with backoff; secrets rotate.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { deliverDue } from '../../src/webhooks/deliver';
import { ADMIN_TOKEN, applyPolicy, call } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const admin = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  call(`/admin/v1${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
const post = (path: string, json: unknown = {}) => admin(path, { method: 'POST', json });

interface Hook {
  path: string;
  headers: Record<string, string>;
  raw: string;
}

async function hooks(path: string): Promise<Hook[]> {
  const res = await fetch(`${fakeUrl}/__fake/requests`);
  const { requests } = (await res.json()) as { requests: Hook[] };
  return requests.filter((r) => r.path === path);
}

/** What a receiver does (the snippet in docs/webhooks.md): check the signature and the timestamp's age. */
async function verify(secret: string, hook: Hook): Promise<boolean> {
  const timestamp = hook.headers['switchyard-timestamp'] ?? '';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${hook.raw}`)),
  );
  const expected = `v1=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  return (hook.headers['switchyard-signature'] ?? '').split(' ').includes(expected);
}

let deptHook: { id: string; secret: string };

beforeAll(async () => {
  await applyPolicy({
    version: 1,
    accounts: [
      { id: 'wh-org', name: 'Org', timezone: 'UTC', policy: {} },
      { id: 'wh-dept', parent: 'wh-org', name: 'Dept', policy: {} },
      { id: 'wh-team', parent: 'wh-dept', name: 'Team', policy: {} },
      { id: 'wh-other', parent: 'wh-org', name: 'Other', policy: {} },
      { id: 'wh-x', parent: 'wh-other', name: 'X', policy: {} },
    ],
    levels: [],
    gateway_keys: [],
    prices: [],
  });
  const res = await post('/accounts/wh-dept/webhooks', {
    url: `${fakeUrl}/webhook/dept`,
    events: ['account.suspended'],
  });
  expect(res.status).toBe(201);
  deptHook = (await res.json()) as { id: string; secret: string };
  expect(deptHook.secret).toMatch(/^whsec_/);
  // A sibling subtree's endpoint, which must hear nothing of the dept's events.
  expect((await post('/accounts/wh-other/webhooks', { url: `${fakeUrl}/webhook/other` })).status).toBe(201);
});

beforeEach(async () => {
  await fetch(`${fakeUrl}/__fake/reset`, { method: 'POST' });
});

describe('webhooks', () => {
  it('signs an event of the subtree, and a de-duplicating receiver sees it once after a redelivery', async () => {
    expect((await post('/accounts/wh-team/suspend')).status).toBe(200);
    const first = await hooks('/webhook/dept');
    expect(first).toHaveLength(1);
    const hook = first[0] as Hook;
    expect(await verify(deptHook.secret, hook)).toBe(true);
    expect(await verify('whsec_wrong', hook)).toBe(false);
    const event = JSON.parse(hook.raw) as { id: string; type: string; version: number; account_id: string };
    expect(event).toMatchObject({ type: 'account.suspended', version: 1, account_id: 'wh-team' });
    expect(hook.headers['switchyard-event-id']).toBe(event.id);
    expect(await hooks('/webhook/other')).toEqual([]);

    // The delivery is visible, delivered; an admin sends it again.
    const listed = await admin(`/webhooks/${deptHook.id}/deliveries`);
    const { data } = (await listed.json()) as {
      data: { id: string; event_id: string; status: string; attempts: number; last_status_code: number }[];
    };
    expect(data).toEqual([
      expect.objectContaining({
        event_id: event.id,
        status: 'delivered',
        attempts: 1,
        last_status_code: 200,
      }),
    ]);
    const again = await post(`/webhooks/${deptHook.id}/deliveries/${data[0]?.id}/redeliver`);
    expect(again.status).toBe(200);

    const received = await hooks('/webhook/dept');
    expect(received).toHaveLength(2);
    const seen = new Map<string, unknown>();
    for (const h of received) {
      expect(await verify(deptHook.secret, h)).toBe(true);
      const id = h.headers['switchyard-event-id'] as string;
      if (!seen.has(id)) seen.set(id, JSON.parse(h.raw));
    }
    expect([...seen.keys()]).toEqual([event.id]);
    expect(received[1]?.raw).toBe(hook.raw);
  });

  it('retries a failing endpoint with backoff until it answers, and shows each attempt', async () => {
    const res = await post('/accounts/wh-other/webhooks', {
      url: `${fakeUrl}/webhook/fail`,
      events: ['account.suspended'],
    });
    const down = (await res.json()) as { id: string };
    expect((await post('/accounts/wh-x/suspend')).status).toBe(200);
    const deliveries = async () =>
      (
        (await (await admin(`/webhooks/${down.id}/deliveries`)).json()) as {
          data: { status: string; attempts: number; last_status_code: number; next_attempt_at: string }[];
        }
      ).data;
    const [failed] = await deliveries();
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 503 });
    const next = Date.parse(failed?.next_attempt_at ?? '');
    expect(next - Date.now()).toBeGreaterThan(50_000);
    // Not due yet: the cron's pass sends nothing; once due, it tries again and doubles the wait.
    expect(await deliverDue(env, Date.now())).toBe(0);
    expect((await deliveries())[0]?.attempts).toBe(1);
    await deliverDue(env, next + 1);
    const [second] = await deliveries();
    expect(second).toMatchObject({ status: 'pending', attempts: 2 });
    expect(Date.parse(second?.next_attempt_at ?? '') - next).toBeGreaterThan(110_000);
    expect((await hooks('/webhook/fail')).length).toBe(2);
  });

  it('rotates the secret: for a day both the new and the previous secret sign', async () => {
    const rotated = await post(`/webhooks/${deptHook.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).not.toBe(deptHook.secret);
    expect((await post('/accounts/wh-team/reactivate')).status).toBe(200);
    expect((await post('/accounts/wh-team/suspend')).status).toBe(200);
    const [hook] = await hooks('/webhook/dept');
    expect(hook?.headers['switchyard-signature']?.split(' ')).toHaveLength(2);
    expect(await verify(secret, hook as Hook)).toBe(true);
    expect(await verify(deptHook.secret, hook as Hook)).toBe(true);
    // Secrets are never shown again.
    const list = await admin('/accounts/wh-dept/webhooks');
    expect(JSON.stringify(await list.json())).not.toContain('whsec_');
  });

  it('refuses an unknown event type or a non-URL with a 400', async () => {
    const bad = await post('/accounts/wh-dept/webhooks', { url: `${fakeUrl}/webhook/x`, events: ['nope'] });
    expect(bad.status).toBe(400);
    expect((await post('/accounts/wh-dept/webhooks', { url: 'not a url' })).status).toBe(400);
  });
});
