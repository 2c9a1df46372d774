// The contract: every event type has its schema in docs/webhooks, and what the gateway sends for
// each (the body the builders make) validates against it.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EVENT_VERSION, eventBody, eventTypes, type GatewayEvent } from './catalogue';
import {
  accountSuspended,
  anomalyDetected,
  budgetThreshold,
  creditExhausted,
  creditLow,
  planExpiring,
} from './events';
import { signatureHeader, signBody } from './signing';

const account = { id: 'eng', path: '/acme/eng/' };
const at = Date.parse('2026-12-03T10:00:00Z');
const upstream = (type: 'upstream_key.disabled' | 'upstream_key.enabled'): GatewayEvent => ({
  id: `evt_${type}`,
  type,
  accountId: 'acme',
  accountPath: '/acme/',
  data: {
    upstream_key_id: 'k1',
    level_id: null,
    reason: type === 'upstream_key.disabled' ? 'HTTP 401' : null,
  },
  at,
});
const samples: GatewayEvent[] = [
  budgetThreshold(
    account,
    { budget: 'daily_budget', period: 'day:2026-12-03', threshold: 90, spent: 9_000_000, limit: 10_000_000 },
    at,
  ),
  creditLow(account, 10_000_000, 500_000, at),
  creditExhausted(account, 10_000_000, at),
  anomalyDetected(
    account,
    { day: '2026-12-03', metric: 'costMicros', value: 40_000_000, mean: 100_000, zScore: null },
    'suspend',
    at,
  ),
  upstream('upstream_key.disabled'),
  upstream('upstream_key.enabled'),
  accountSuspended(account, '7', 'anomaly', at),
  planExpiring(
    account,
    { id: 'grant_1', planId: 'pro', kind: 'subscription', expiresAt: at + 86_400_000 },
    at,
  ),
];

describe('webhook event catalogue', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);

  it('has one sample per type, each valid against its versioned schema', () => {
    expect(samples.map((s) => s.type).sort()).toEqual([...eventTypes].sort());
    for (const event of samples) {
      const schema = JSON.parse(
        readFileSync(
          new URL(`../../docs/webhooks/${event.type}.v${EVENT_VERSION}.json`, import.meta.url),
          'utf8',
        ),
      );
      const validate = ajv.compile(schema);
      const body = JSON.parse(eventBody(event));
      expect(validate(body), `${event.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // And a payload of another type does not pass.
      expect(validate({ ...body, type: 'other' })).toBe(false);
    }
  });

  it('signs timestamp.body with HMAC-SHA256, one v1= per secret', async () => {
    // RFC 4231-style check against a known value computed independently (node:crypto).
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', 'whsec_a').update('1700000000.{"a":1}').digest('hex');
    expect(await signBody('whsec_a', 1_700_000_000, '{"a":1}')).toBe(expected);
    const header = await signatureHeader(['whsec_a', 'whsec_b'], 1_700_000_000, '{"a":1}');
    expect(header.split(' ')).toEqual([
      `v1=${expected}`,
      `v1=${createHmac('sha256', 'whsec_b').update('1700000000.{"a":1}').digest('hex')}`,
    ]);
  });
});
