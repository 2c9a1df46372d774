// The usage queue's message shape. Records are packed many to a message (a Queue takes 128 KB per
// message), and every field is validated by the consumer before it touches D1.
import { z } from 'zod';

const n = z.number().int().nonnegative();

export const usageRecordSchema = z.object({
  // Gateway-made ids; the charset keeps `<request id>:` a safe ledger ref prefix.
  requestId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
  accountId: z.string().min(1),
  accountPath: z.string().startsWith('/'),
  /** The account charged, when its wallet is inherited from an ancestor (credits and plans); else `accountId`. */
  walletAccountId: z.string().min(1).optional(),
  keyId: z.string().nullable(),
  ts: n,
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  endpoint: z.string(),
  clientProtocol: z.enum(['openai', 'anthropic', 'gemini']),
  provider: z.string().nullable(),
  modelRequested: z.string(),
  model: z.string(),
  level: z.number().int().nullable(),
  upstreamKeyId: z.string().nullable(),
  status: z.number().int(),
  errorCode: z.string().nullable(),
  stream: z.boolean(),
  promptTokens: n,
  completionTokens: n,
  cachedReadTokens: n,
  cacheWriteTokens: n,
  reasoningTokens: n,
  images: n,
  audioSeconds: n,
  audioChars: n,
  webSearchCalls: n,
  costMicros: n,
  estimated: z.boolean(),
  unpriced: z.boolean(),
  latencyMs: n,
  ttftMs: n.nullable(),
  retries: n,
  switchedOver: z.boolean(),
});

export type UsageRecord = z.infer<typeof usageRecordSchema>;

export const usageMessageSchema = z.object({ v: z.literal(1), records: z.array(usageRecordSchema).min(1) });
export type UsageMessage = z.infer<typeof usageMessageSchema>;
