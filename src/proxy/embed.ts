// The embeddings exchange (`POST /v1/embeddings`, Gemini `:embedContent` / `:batchEmbedContents`):
// relayed unchanged to an upstream that speaks the client's embeddings protocol, otherwise
// translated (one upstream call for all inputs). Governed and metered like generation; input tokens
// the provider does not report are estimated with a tokenizer and the record is flagged.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { JsonRecord } from '../bridge/read';
import { InvalidRequestError } from '../errors/gateway-error';
import { embeddingsClient, providerEntry } from '../providers/registry';
import type { EmbeddingsClientSpec, EmbeddingsProtocol, EmbedRequest } from '../providers/types';
import { estimateTokens, tokenCounter, utf8Bytes } from '../usage/tokenizer';
import type { TokenUsage } from '../usage/types';
import { relayWhole } from './deliver-passthrough';
import { convertedWhole } from './deliver-translate';
import type { Delivery, Exchange } from './exchange';
import { runGoverned } from './governed';
import { readJsonBody } from './read-json';
import { attemptOf, sendUpstream, upstreamConfig } from './upstream-call';

const inputUsage = (tokens: number): TokenUsage => ({
  promptTokens: tokens,
  completionTokens: 0,
  cachedReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

/** A delivery whose missing usage is estimated (awaited before `done` resolves, so it is metered). */
function estimatedWhenMissing(delivery: Delivery, estimate: () => Promise<number>): Delivery {
  let estimated: number | null = null;
  const done = delivery.done.then(async (reason) => {
    if (delivery.usage() === null) estimated = await estimate();
    return reason;
  });
  return {
    ...delivery,
    done,
    usage: () => delivery.usage() ?? (estimated === null ? null : inputUsage(estimated)),
    estimated: () => estimated !== null,
  };
}

export function embeddingsExchange(spec: EmbeddingsClientSpec, body: JsonRecord, model: string): Exchange {
  let decoded: EmbedRequest | undefined;
  const request = () => {
    decoded ??= spec.decode(body, model);
    return decoded;
  };
  // Never bills 0: if the inputs cannot be read for counting (a body the upstream accepted but the
  // decoder does not), the whole body counts by the tokenizer's byte rule, and the failure is logged.
  const estimate = () =>
    Promise.resolve()
      .then(() => estimateTokens(request().inputs))
      .catch((err: unknown) => {
        console.error(
          JSON.stringify({
            msg: 'token estimate failed',
            what: 'embeddings',
            error: String((err as Error)?.name ?? err),
          }),
        );
        return utf8Bytes(JSON.stringify(body));
      });

  return {
    async attempt(key, signal) {
      const wire = providerEntry(key.provider).embeddings;
      if (!wire) {
        throw new InvalidRequestError(
          'unsupported_endpoint',
          `The model "${model}" is served by a provider without an embeddings API.`,
          'model',
        );
      }
      const cfg = await upstreamConfig(key);
      if (wire.native.includes(spec.id)) {
        const target = wire.target(cfg, model, spec.id);
        const res = await sendUpstream(wire, { ...target, body: spec.passthroughBody(body, model) }, signal);
        return attemptOf(res, wire, (ctx) => {
          const relayed = relayWhole(res, ctx, {
            usage: (text) => {
              const tokens = spec.usageFromBody(text);
              return tokens === null ? null : inputUsage(tokens);
            },
          });
          return estimatedWhenMissing(relayed, estimate);
        });
      }
      const req = request();
      // The client's answer states usage; without the provider's count it states the estimate,
      // counted only then (the tokenizer is loaded now, so the answer can be built in one step).
      const count = await tokenCounter();
      const target = wire.target(cfg, model, null);
      const res = await sendUpstream(wire, { ...target, body: wire.encode(req) }, signal);
      return attemptOf(res, wire, (ctx) => {
        let reported = true;
        const converted = convertedWhole(res, ctx, (json) => {
          const out = wire.decode(json);
          reported = out.promptTokens !== null;
          const tokens = out.promptTokens ?? count(req.inputs);
          return {
            body: spec.encode(out, { body, model, estimatedTokens: tokens }),
            usage: inputUsage(tokens),
          };
        });
        return { ...converted, estimated: () => !reported };
      });
    },
  };
}

export async function proxyEmbeddings(
  c: Context<AppEnv>,
  protocol: EmbeddingsProtocol,
  pathModel?: string,
): Promise<Response> {
  const spec = embeddingsClient(protocol);
  const { data: body, bytes } = await readJsonBody(c.req.raw, spec.schema);
  const model = spec.model(body, pathModel);
  return runGoverned(
    c,
    // Embeddings generate no output tokens: reserve one, not the default output estimate.
    {
      endpoint: spec.endpoint,
      family: spec.family,
      model,
      stream: false,
      bodyBytes: bytes,
      maxOutputTokens: 1,
    },
    (route) => embeddingsExchange(spec, body, route.model),
  );
}
