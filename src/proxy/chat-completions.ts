// POST /v1/chat/completions: the governed path of one request (C1, C5, C7, C8).
// auth context (memory) → model route (memory) → governor admit ∥ key pick (Durable Objects) →
// upstream with failover → response streamed through a usage tap → usage record in waitUntil.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { GatewayError, UpstreamError } from '../errors/gateway-error';
import { admit } from '../governance/admission';
import { estimateDemand } from '../governance/estimate';
import { dayIn } from '../lib/time';
import {
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
  upstreamChatBody,
} from '../providers/openai/request';
import { adapterFor } from '../providers/registry';
import type { UpstreamCredential } from '../providers/types';
import { keyPicker } from '../routing/pickers';
import { gatewayConfig } from '../state/config';
import { findPrice } from '../usage/pricing';
import { sendUsage } from '../usage/producer';
import { candidates, type Delivered, sendWithFailover } from './failover';
import { type DeliveryMeta, type RequestMeta, usageRecord } from './metering';
import { observeChatResponse } from './observe-response';
import { readJsonBody } from './read-json';

const noDelivery: DeliveryMeta = {
  provider: null,
  level: null,
  upstreamKeyId: null,
  retries: 0,
  switchedOver: false,
};

export async function proxyChatCompletions(c: Context<AppEnv>): Promise<Response> {
  const env = c.env;
  const startedAt = Date.now();
  const auth = c.get('auth');
  const { data: body, bytes } = await readJsonBody(c.req.raw, chatCompletionRequestSchema);
  const route = auth.routes.resolve(body.model);
  const config = await gatewayConfig(env, startedAt);
  const picker = keyPicker(env);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const day = dayIn(config.timezone, startedAt);
  const price = findPrice(config.prices, route.model, auth.accountPath, day);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;

  // The limit check and the first key choice are independent: run them concurrently.
  const level = config.levels.get(route.level);
  const firstPick = level?.keys.length
    ? picker.pick(route.level, candidates(level), new Set(), startedAt)
    : undefined;
  firstPick?.catch(() => {});
  const admitted = await admit(
    env,
    auth,
    estimateDemand(route.model, bytes, maxTokens, price),
    config.timezone,
    startedAt,
    waitUntil,
  );

  const meta: RequestMeta = {
    requestId: c.get('requestId'),
    accountId: auth.accountId,
    accountPath: auth.accountPath,
    keyId: auth.keyId,
    endpoint: '/v1/chat/completions',
    clientProtocol: 'openai',
    modelRequested: body.model,
    model: route.model,
    stream: body.stream === true,
    startedAt,
  };
  const pricing = { prices: config.prices, timezone: config.timezone };
  const upstream = upstreamChatBody(body, route.model);
  const meter = (delivery: DeliveryMeta, result: Parameters<typeof usageRecord>[2]) => {
    const record = usageRecord(meta, delivery, result, pricing);
    admitted.settle({ tokens: record.promptTokens + record.completionTokens, cost: record.costMicros });
    return sendUsage(env.USAGE_QUEUE, record);
  };

  // From here on the work is one task held by waitUntil, so it completes — and is metered — even
  // if the client disconnects before the headers or in the middle of the stream.
  let answer: (res: Response) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const response = new Promise<Response>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  const task = (async () => {
    let delivered: Delivered;
    try {
      delivered = await sendWithFailover(
        {
          pick: (levelId, l, exclude) => picker.pick(levelId, candidates(l), exclude, Date.now()),
          report: (levelId, keyId, outcome) => picker.report(levelId, keyId, outcome, Date.now(), waitUntil),
          now: Date.now,
        },
        config,
        route,
        (key, signal) => sendChat(key, upstream.body, signal),
        firstPick,
      );
    } catch (err) {
      fail(err);
      if (err instanceof GatewayError) {
        await meter(noDelivery, {
          status: err.status,
          errorCode: err.code,
          usage: null,
          estimated: false,
          ttftAt: null,
          endedAt: Date.now(),
        });
      }
      return;
    }
    const delivery: DeliveryMeta = {
      provider: delivered.key.provider,
      level: delivered.level.id,
      upstreamKeyId: delivered.key.id,
      retries: delivered.retries,
      switchedOver: delivered.switchedOver,
    };
    const upstreamBody = delivered.response.body ?? new Response('').body;
    const observed = observeChatResponse(upstreamBody as ReadableStream<Uint8Array>, {
      stream: meta.stream,
      stripUsage: upstream.stripUsage,
      now: Date.now,
      idleTimeoutMs: delivered.level.timeouts.idleMs,
    });
    const headers = new Headers({
      'content-type':
        delivered.response.headers.get('content-type') ??
        (meta.stream ? 'text/event-stream' : 'application/json'),
      'x-request-id': meta.requestId,
    });
    if (meta.stream) headers.set('cache-control', 'no-cache');
    answer(new Response(observed.body, { status: 200, headers }));

    const reason = await observed.done;
    const measured = observed.usage();
    await meter(delivery, {
      status: reason === 'upstream_error' || reason === 'upstream_idle_timeout' ? 502 : 200,
      errorCode: reason === 'complete' ? null : reason,
      usage: measured,
      // No usage from the provider: flagged, to be counted by a tokenizer (metering issue).
      estimated: measured === null,
      ttftAt: observed.ttftAt(),
      endedAt: Date.now(),
    });
  })().catch((err: unknown) => fail(err));
  c.executionCtx.waitUntil(task);
  return response;
}

function sendChat(
  key: UpstreamCredential,
  body: ChatCompletionRequest,
  signal: AbortSignal,
): Promise<Response> {
  const adapter = adapterFor(key.provider);
  if (!adapter) {
    throw new UpstreamError(
      'provider_not_supported',
      `Provider kind "${key.provider}" is not supported by this gateway version yet.`,
      501,
    );
  }
  return adapter.chatCompletions(key, { body, signal });
}
