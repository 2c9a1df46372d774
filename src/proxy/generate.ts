// The generative exchange (chat completions, Responses, Anthropic messages, Gemini generate): per
// upstream key, the registry's plan says whether the client's protocol is passed through or
// translated, and the body for each is built once per request (a retry on the same provider kind
// reuses it).
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { RouteInfo, UpstreamSide } from '../bridge/adapter';
import { droppedHeaders, fitBuiltinTools } from '../bridge/builtin-tools';
import type { IRRequest, IRResponse } from '../bridge/ir';
import type { JsonRecord } from '../bridge/read';
import { clientProtocol, planFor } from '../providers/registry';
import type { ClientProtocolSpec, RequestHead, UpstreamWire, WireProtocol } from '../providers/types';
import { passthroughDelivery } from './deliver-passthrough';
import { translatedDelivery } from './deliver-translate';
import { type EstimateSource, estimatingDelivery } from './estimate-usage';
import type { Exchange } from './exchange';
import { runGoverned } from './governed';
import { readJsonBody } from './read-json';
import type { Conversation, PreparedTurn } from './stored-responses';
import { attemptOf, forwardedHeaders, sendUpstream, upstreamConfig } from './upstream-call';

export interface GenerateRequest {
  spec: ClientProtocolSpec;
  body: JsonRecord;
  route: RouteInfo;
  head: RequestHead;
  clientHeaders: Headers;
  /** The gateway's response store, for a protocol with server-side conversation state. */
  conversation?: Conversation;
}

export function generativeExchange(req: GenerateRequest, model: string): Exchange {
  const { spec, head, conversation } = req;
  // Stored references inlined once per request (a no-op without a store or references).
  let prepared: Promise<PreparedTurn> | undefined;
  const prepare = (): Promise<PreparedTurn> =>
    (prepared ??= conversation
      ? conversation.prepare(req.body)
      : Promise.resolve({ body: req.body, turnItems: [], previousId: null }));
  let body = req.body;
  let passthrough: ReturnType<typeof spec.passthrough.body> | undefined;
  let ir: IRRequest | undefined;
  const translated = new Map<UpstreamWire, JsonRecord>();
  // Read only when the provider reports no usage (see estimate-usage.ts).
  const estimateSource = (upstream: UpstreamSide): EstimateSource => ({
    request: () => {
      ir ??= { ...spec.client.decodeRequest(body, req.route), model };
      return ir;
    },
    rawRequest: () => JSON.stringify(body),
    upstream,
    stream: head.stream,
  });

  return {
    async attempt(key, signal) {
      const turn = await prepare();
      body = turn.body;
      const plan = planFor(key.provider, spec.id);
      const { adapter } = plan.wire;
      if (plan.mode === 'passthrough') {
        passthrough ??= spec.passthrough.body(body, model, head.stream);
        const { hideUsage } = passthrough;
        const target = adapter.target(await upstreamConfig(key), { model, stream: head.stream });
        const headers = {
          ...target.headers,
          ...forwardedHeaders(req.clientHeaders, spec.passthrough.forwardHeaders),
        };
        const res = await sendUpstream(
          plan.wire,
          { url: target.url, headers, body: passthrough.body },
          signal,
        );
        return attemptOf(res, adapter, (ctx) =>
          estimatingDelivery(
            ctx,
            (c) => passthroughDelivery(res, spec.passthrough, { stream: head.stream, hideUsage }, c),
            estimateSource(adapter),
          ),
        );
      }
      // Decoded before the key's secret is touched: a request the bridge refuses fails at once.
      ir ??= { ...spec.client.decodeRequest(body, req.route), model };
      const streamUsage = ir.streamUsage;
      const fitted = fitBuiltinTools(ir, adapter);
      // A provider without server-side state: the gateway keeps the answer when asked to.
      const storedId = conversation?.storedId(body) ?? null;
      const keep = storedId
        ? {
            responseId: storedId,
            onAnswer: (answer: IRResponse) => conversation?.save(turn, storedId, fitted, answer),
          }
        : {};
      let upstreamBody = translated.get(plan.wire);
      if (!upstreamBody) {
        upstreamBody = adapter.encodeRequest(fitted);
        translated.set(plan.wire, upstreamBody);
      }
      const target = adapter.target(await upstreamConfig(key), { model, stream: head.stream });
      const res = await sendUpstream(
        plan.wire,
        { url: target.url, headers: target.headers, body: upstreamBody },
        signal,
      );
      return attemptOf(res, adapter, (ctx) =>
        estimatingDelivery(
          ctx,
          (c) =>
            translatedDelivery(
              res,
              { upstream: adapter, client: spec.client },
              {
                stream: head.stream,
                streamUsage,
                request: fitted,
                headers: droppedHeaders(fitted),
                ...keep,
              },
              c,
            ),
          estimateSource(adapter),
        ),
      );
    },
  };
}

/** A generative endpoint: read and lightly validate the body, then the governed path. */
export async function proxyGenerate(
  c: Context<AppEnv>,
  protocol: WireProtocol,
  opts: {
    endpoint: string;
    route?: RouteInfo;
    conversation?: Conversation;
    /** Re-frames the streamed answer for the client (Gemini's JSON-array streaming). */
    reframe?: (res: Response) => Response;
  },
): Promise<Response> {
  const spec = clientProtocol(protocol);
  const { data: body, bytes } = await readJsonBody(c.req.raw, spec.schema);
  const route = opts.route ?? {};
  const head = spec.head(body, route);
  const request: GenerateRequest = {
    spec,
    body,
    route,
    head,
    clientHeaders: c.req.raw.headers,
    ...(opts.conversation ? { conversation: opts.conversation } : {}),
  };
  const answer = runGoverned(
    c,
    {
      endpoint: opts.endpoint,
      family: spec.family,
      model: head.model,
      stream: head.stream,
      bodyBytes: bytes,
      ...(head.maxOutputTokens !== undefined ? { maxOutputTokens: head.maxOutputTokens } : {}),
    },
    (r) => generativeExchange(request, r.model),
  );
  return opts.reframe ? answer.then(opts.reframe) : answer;
}
