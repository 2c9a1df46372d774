// Token estimates for a generative answer the provider did not (fully) count (metering and pricing). Two
// cases:
// - no usage at all (an openai-compatible server that ignores `include_usage`, a stream cut before
//   its usage event): input and output are counted with the tokenizer;
// - a stream broken off (or cut off after its client left) after a usage event that came early
//   (Anthropic's `message_start`): the output the upstream did send is counted, and billed when it
//   is more than was reported.
// Either way the record is flagged `estimated`. The answer is kept as the chunks that arrived
// (references, no copies) and decoded only when an estimate is needed.
import type { UpstreamSide } from '../bridge/adapter';
import type { IRRequest, IRStreamEvent } from '../bridge/ir';
import { requestTexts } from '../bridge/ir-text';
import { parseJson } from '../bridge/sse';
import type { EndReason } from '../usage/pump';
import { estimateTokens, TOKENS_PER_MESSAGE, utf8Bytes } from '../usage/tokenizer';
import type { TokenUsage } from '../usage/types';
import { decodeAll } from './deliver-passthrough';
import type { DeliverContext, Delivery } from './exchange';

/** Beyond this much answer the copy stops growing; the estimate covers what was kept. */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

export interface EstimateSource {
  /** The request as the bridge reads it, or null when it cannot (its texts are then the raw body). */
  request(): IRRequest | null;
  rawRequest(): string;
  upstream: UpstreamSide;
  stream: boolean;
}

/** What the model produced, from the upstream's own answer. */
export function outputTexts(upstream: UpstreamSide, stream: boolean, text: string): string[] {
  const out: string[] = [];
  if (stream) {
    const decoder = upstream.streamDecoder();
    const collect = (events: IRStreamEvent[]) => {
      for (const e of events) {
        if (e.type === 'text_delta' || e.type === 'thinking_delta') out.push(e.text);
        else if (e.type === 'tool_call_start') out.push(e.name);
        else if (e.type === 'tool_call_delta') out.push(e.arguments);
      }
    };
    collect(decoder.feed(text));
    collect(decoder.end());
    return out;
  }
  const json = parseJson(text);
  if (json === undefined) return out;
  for (const part of upstream.decodeResponse(json).content) {
    if (part.type === 'tool_call') out.push(part.name, part.arguments);
    else if (part.type === 'web_search') out.push(part.query);
    else out.push(part.text);
  }
  return out;
}

async function inputTokens(source: EstimateSource): Promise<number> {
  let ir: IRRequest | null = null;
  try {
    ir = source.request();
  } catch {
    ir = null;
  }
  if (!ir) return estimateTokens([source.rawRequest()]);
  return (await estimateTokens(requestTexts(ir))) + TOKENS_PER_MESSAGE * ir.messages.length;
}

/**
 * An estimate that failed (a bug, not the caller's input) is logged once and replaced by the
 * tokenizer's own fallback rule over the raw text — one token per UTF-8 byte, which never counts
 * short — so a request is never billed 0 because counting broke.
 */
async function orBytes(count: () => Promise<number>, raw: () => string, what: string, requestId: string) {
  try {
    return await count();
  } catch (err) {
    console.error(
      JSON.stringify({
        msg: 'token estimate failed',
        what,
        requestId,
        error: String((err as Error)?.name ?? err),
      }),
    );
    return utf8Bytes(raw());
  }
}

/** The stream ended before the upstream did: its last usage report may be short of what it sent. */
const cutShort = (reason: EndReason) =>
  reason === 'upstream_error' || reason === 'upstream_idle_timeout' || reason === 'client_abandoned';

export function estimatingDelivery(
  ctx: DeliverContext,
  deliver: (ctx: DeliverContext) => Delivery,
  source: EstimateSource,
): Delivery {
  // A stream arrives as chunks; a whole answer as one string.
  const parts: Uint8Array[] = [];
  let whole: string | undefined;
  let kept = 0;
  const inner = deliver({
    ...ctx,
    capture(chunk) {
      if (typeof chunk === 'string') whole = chunk;
      else if (kept < MAX_KEPT_BYTES) {
        parts.push(chunk);
        kept += chunk.length;
      }
    },
  });
  let estimate: TokenUsage | null = null;
  const answerText = () => whole ?? decodeAll(parts);
  const output = () =>
    orBytes(
      () => estimateTokens(outputTexts(source.upstream, source.stream, answerText())),
      answerText,
      'output',
      ctx.requestId,
    );
  const done = inner.done.then(async (reason) => {
    const reported = inner.usage();
    if (reported === null || reported.promptTokens + reported.completionTokens === 0) {
      const [input, generated] = await Promise.all([
        orBytes(
          () => inputTokens(source),
          () => source.rawRequest(),
          'input',
          ctx.requestId,
        ),
        output(),
      ]);
      if (input + generated > 0)
        estimate = {
          promptTokens: input,
          completionTokens: generated,
          cachedReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        };
    } else if (source.stream && cutShort(reason)) {
      const generated = await output();
      if (generated > reported.completionTokens) estimate = { ...reported, completionTokens: generated };
    }
    return reason;
  });
  return {
    ...inner,
    done,
    usage: () => estimate ?? inner.usage(),
    estimated: () => estimate !== null || (inner.estimated?.() ?? false),
  };
}
