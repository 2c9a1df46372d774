import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientProtocol } from '../providers/registry';
import type { WireProtocol } from '../providers/types';
import { usageMessageSchema } from '../usage/record';
import { fastCheckFor } from './fast-validate';

// Values near the edges of every check the module knows (lengths, bounds, integers, types).
const atom = fc.oneof(
  fc.constantFrom('', 'a', 'user', 'bench-7', '/a/b/', '2026-12-03', 'x'.repeat(101), 'openai', 'anthropic'),
  fc.string(),
  fc.constantFrom(0, 1, -1, 0.5, 128, 129, 1e9, 2 ** 53, Number.MAX_SAFE_INTEGER, 4_000_000),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, atom, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  // Spread: JSON.parse makes plain objects, fast-check's dictionaries have no prototype.
  object: fc
    .dictionary(fc.constantFrom('role', 'content', 'type', 'text', 'x'), tie('value'), { maxKeys: 3 })
    .map((o) => ({ ...o })),
}));

/** A valid value with some fields replaced, removed or added. */
function mutations(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  return fc
    .array(fc.tuple(fc.constantFrom(...keys, 'extra'), fc.oneof(json.value, fc.constant(undefined))), {
      maxLength: 3,
    })
    .map((changes) => {
      const out: Record<string, unknown> = structuredClone(valid);
      for (const [k, v] of changes) {
        if (v === undefined) delete out[k];
        else out[k] = v;
      }
      return out;
    });
}

function agreesWithZod(schema: z.ZodType, valid: Record<string, unknown>) {
  const check = fastCheckFor(schema);
  expect(check).not.toBeNull();
  expect(check?.(valid)).toBe(true);
  fc.assert(
    fc.property(mutations(valid), (input) => {
      if (!check?.(input)) return;
      // Whatever the check passes, zod passes too and returns it unchanged.
      const parsed = schema.safeParse(input);
      expect(parsed.success).toBe(true);
      expect(parsed.data).toStrictEqual(input);
    }),
    { numRuns: 2000 },
  );
}

const requests: [WireProtocol, Record<string, unknown>][] = [
  [
    'openai-chat',
    {
      model: 'bench-7',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: false },
      max_tokens: 64,
      n: 1,
    },
  ],
  ['anthropic-messages', { model: 'm', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }],
  ['gemini-generate', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }],
];

describe('fast validation agrees with zod', () => {
  for (const [id, valid] of requests)
    it(`${id} request bodies`, () => agreesWithZod(clientProtocol(id).schema, valid));

  it('usage messages (a strip object with regexes, enums and bounds)', () => {
    const record = {
      requestId: 'req_1',
      accountId: 'acc',
      accountPath: '/acc/',
      keyId: 'k',
      ts: 1,
      day: '2026-12-03',
      endpoint: '/v1/chat/completions',
      clientProtocol: 'openai',
      provider: 'openai',
      modelRequested: 'm',
      model: 'm',
      level: 1,
      upstreamKeyId: 'u',
      status: 200,
      errorCode: null,
      stream: false,
      promptTokens: 1,
      completionTokens: 2,
      cachedReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      images: 0,
      audioSeconds: 0,
      audioChars: 0,
      webSearchCalls: 0,
      costMicros: 3,
      estimated: false,
      unpriced: false,
      latencyMs: 5,
      ttftMs: null,
      retries: 0,
      switchedOver: false,
    };
    expect(usageMessageSchema.safeParse({ v: 1, records: [record] }).success).toBe(true);
    const check = fastCheckFor(usageMessageSchema);
    expect(check?.({ v: 1, records: [record] })).toBe(true);
    fc.assert(
      fc.property(mutations(record), (r) => {
        const input = { v: 1, records: [r] };
        if (!check?.(input)) return;
        const parsed = usageMessageSchema.safeParse(input);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toStrictEqual(input);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what zod refuses, so zod words the error', () => {
    const schema = clientProtocol('openai-chat').schema;
    const check = fastCheckFor(schema);
    for (const bad of [
      { model: '', messages: [{ role: 'user' }] },
      { model: 'm', messages: [] },
      { model: 'm', messages: [{ role: 1 }] },
      { model: 'm', messages: [{ role: 'user' }], n: 0 },
      { model: 'm', messages: [{ role: 'user' }], max_tokens: 1.5 },
      [],
      null,
    ])
      expect(check?.(bad)).toBe(false);
  });

  it('gives no check for schemas with parts it does not know (zod alone decides)', () => {
    expect(fastCheckFor(z.object({ a: z.string().transform((s) => s.length) }))).toBeNull();
    expect(fastCheckFor(z.object({ a: z.string().default('x') }))).toBeNull();
    expect(fastCheckFor(z.object({ a: z.string() }).refine(() => false))).toBeNull();
    expect(fastCheckFor(z.string().email())).toBeNull();
    expect(fastCheckFor(z.union([z.string(), z.number()]))).toBeNull();
  });
});
