// Token counting (`POST /v1/messages/count_tokens`, Gemini `:countTokens`). Counting is free at
// the providers and generates nothing, so it is neither admitted against limits nor metered. The
// model is routed like a request; when a key of that level speaks the client's protocol natively,
// its provider counts (passthrough; the keys are tried in order and the first usable answer wins).
// Otherwise — or when every such key fails — the gateway estimates with a tokenizer and says so in
// the `x-switchyard-token-count: estimated` header.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { requestTexts } from '../bridge/ir-text';
import { InvalidRequestError } from '../errors/gateway-error';
import { clientProtocol, planFor } from '../providers/registry';
import type { ClientProtocolSpec, TokenCounting, WireProtocol } from '../providers/types';
import { gatewayConfig } from '../state/config';
import { estimateTokens, TOKENS_PER_MESSAGE } from '../usage/tokenizer';
import { readJsonBody } from './read-json';
import { forwardedHeaders, sendUpstream, skippingUnusableKey, upstreamConfig } from './upstream-call';

/** Counting is quick; a provider that does not answer in this time is skipped. */
const COUNT_TIMEOUT_MS = 10_000;

export async function proxyCountTokens(
  c: Context<AppEnv>,
  protocol: WireProtocol,
  pathModel?: string,
): Promise<Response> {
  const spec = clientProtocol(protocol);
  const counting = spec.counting;
  if (!counting)
    throw new InvalidRequestError('unsupported_endpoint', 'This protocol has no token counting.');
  const { data: body } = await readJsonBody(c.req.raw, spec.schema);
  const route = c.get('auth').routes.resolve(pathModel ?? spec.head(body, {}).model);
  const config = await gatewayConfig(c.env, Date.now());
  const native = (config.levels.get(route.level)?.keys ?? []).filter(
    (k) => planFor(k.provider, protocol).mode === 'passthrough',
  );
  for (const key of native) {
    const wire = planFor(key.provider, protocol).wire;
    // A key that cannot be reached or used (network, OAuth refresh) leaves the next one to try.
    const res = await skippingUnusableKey(
      upstreamConfig(key).then((cfg) => {
        const req = counting.upstream(cfg, body, route.model);
        req.headers = {
          ...req.headers,
          ...forwardedHeaders(c.req.raw.headers, spec.passthrough.forwardHeaders),
        };
        return sendUpstream(wire, req, AbortSignal.timeout(COUNT_TIMEOUT_MS));
      }),
    );
    if (!res) continue;
    if (res.ok) return relay(res, c.get('requestId'));
    // A request the provider refuses would be refused by every key: answer with its error.
    if (res.status < 500 && res.status !== 429 && res.status !== 401 && res.status !== 403) {
      throw wire.adapter.decodeError({ status: res.status, body: await res.text() });
    }
    await res.body?.cancel();
  }
  return estimated(spec, counting, body, route.model, c.get('requestId'));
}

function relay(res: Response, requestId: string): Response {
  return new Response(res.body, {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

async function estimated(
  spec: ClientProtocolSpec,
  counting: TokenCounting,
  body: Record<string, unknown>,
  model: string,
  requestId: string,
): Promise<Response> {
  const ir = spec.client.decodeRequest(counting.request(body), { model, stream: false });
  const tokens = await estimateTokens(requestTexts(ir), 0);
  return new Response(JSON.stringify(counting.answer(tokens + TOKENS_PER_MESSAGE * ir.messages.length)), {
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      'x-switchyard-token-count': 'estimated',
    },
  });
}
