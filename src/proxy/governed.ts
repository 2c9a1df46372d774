// The governed path every metered proxy endpoint shares (limits and quotas; routing and key pools; metering
// and pricing):
// model route (memory) → governor admit ∥ first key pick (Durable Objects) → upstream with failover
// (the Exchange says how to call a key) → the client's answer pumped by one waitUntil'd task →
// usage record. The task survives the client: a disconnect never stops the drain or the metering.
import type { Context } from 'hono';
import type { PickResponse } from '../../durable-objects/key-pool';
import type { AppEnv } from '../app-env';
import { findPrice } from '../billing/pricing';
import { GatewayError } from '../errors/gateway-error';
import { admit, placeOfIsolate } from '../governance/admission';
import { estimateDemand } from '../governance/estimate';
import { dayIn } from '../lib/time';
import type { ProtocolFamily } from '../providers/types';
import { keyPicker } from '../routing/pickers';
import type { ModelRoute } from '../routing/resolve-model';
import { type GatewayConfig, gatewayConfig } from '../state/config';
import { type DeliveryMeta, type RequestMeta, type UsageResult, usageRecord } from '../usage/metering';
import { sendUsage } from '../usage/producer';
import type { Delivery, Exchange } from './exchange';
import { candidates, type Delivered, type FailoverDeps, sendWithFailover } from './failover';

export interface GovernedRequest {
  /** The endpoint as recorded in usage events, e.g. `/v1/messages`. */
  endpoint: string;
  family: ProtocolFamily;
  model: string;
  stream: boolean;
  /** Body size, the basis of the input-token estimate reserved before the call. */
  bodyBytes: number;
  maxOutputTokens?: number;
}

/** An admitted request: where it goes, how to pick keys, and how to meter (and settle) it once. */
interface Admitted {
  route: ModelRoute;
  config: GatewayConfig;
  failover: FailoverDeps;
  firstPick: PickResponse | Promise<PickResponse> | undefined;
  meter(delivery: DeliveryMeta, result: UsageResult): Promise<void>;
  waitUntil(p: Promise<unknown>): void;
}

const noDelivery: DeliveryMeta = {
  provider: null,
  level: null,
  upstreamKeyId: null,
  retries: 0,
  switchedOver: false,
};

export async function runGoverned(
  c: Context<AppEnv>,
  req: GovernedRequest,
  exchangeFor: (route: ModelRoute) => Exchange,
): Promise<Response> {
  const admitted = await admitRequest(c, req);
  const exchange = exchangeFor(admitted.route);
  // From here on the work is one task held by waitUntil, so it completes — and is metered — even
  // if the client disconnects before the headers or in the middle of the stream.
  let answer: (res: Promise<Response>) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const response = new Promise<Response>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  const task = relay(admitted, exchange, c.get('requestId'), answer, fail).catch((err: unknown) => fail(err));
  admitted.waitUntil(task);
  return response;
}

async function admitRequest(c: Context<AppEnv>, req: GovernedRequest): Promise<Admitted> {
  const env = c.env;
  const startedAt = Date.now();
  const auth = c.get('auth');
  const route = auth.routes.resolve(req.model);
  const config = await gatewayConfig(env, startedAt);
  const picker = keyPicker(env);
  const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const day = dayIn(config.timezone, startedAt);
  const price = findPrice(config.prices, route.model, auth.accountPath, day);

  // The limit check and the first key choice are independent: run them concurrently. Usually the
  // key comes from the batch this isolate holds, at once.
  const level = config.levels.get(route.level);
  let firstPick: PickResponse | Promise<PickResponse> | undefined;
  if (level?.keys.length) {
    firstPick = picker.pickHeld(route.level, startedAt);
    if (!firstPick) {
      const fetching = picker.pick(route.level, candidates(level), new Set(), startedAt);
      // Other requests of this isolate may wait on the key batch this pick fetches. If admission
      // then refuses this request, its response ends it, and the runtime would cancel that fetch
      // and leave them waiting out SHARED_WAIT_MS (a refused neighbour stalling everyone): keep it
      // alive.
      waitUntil(fetching.catch(() => {}));
      firstPick = fetching;
    }
  }
  const at = placeOfIsolate(c.req.raw);
  const admission = await admit({
    env,
    auth,
    demand: estimateDemand(route.model, req.bodyBytes, req.maxOutputTokens, price),
    timeZone: config.timezone,
    now: startedAt,
    waitUntil,
    ...(at ? { at } : {}),
  });

  const meta: RequestMeta = {
    requestId: c.get('requestId'),
    accountId: auth.accountId,
    accountPath: auth.accountPath,
    walletAccountId: auth.walletAccountId,
    keyId: auth.keyId,
    endpoint: req.endpoint,
    clientProtocol: req.family,
    modelRequested: req.model,
    model: route.model,
    stream: req.stream,
    startedAt,
  };
  const pricing = { day, price };
  return {
    route,
    config,
    firstPick,
    waitUntil,
    failover: {
      pick: (levelId, l, exclude) => picker.pick(levelId, candidates(l), exclude, Date.now()),
      report: (levelId, keyId, outcome) => picker.report(levelId, keyId, outcome, Date.now(), waitUntil),
      served: (levelId, keyId) => picker.served(levelId, keyId, Date.now(), waitUntil),
      now: Date.now,
      requestId: meta.requestId,
    },
    meter(delivery, result) {
      const record = usageRecord(meta, delivery, result, pricing);
      admission.settle({
        tokens: record['promptTokens'] + record['completionTokens'],
        cost: record['costMicros'],
      });
      return sendUsage(env.USAGE_QUEUE, record);
    },
  };
}

/** Failover to a 2xx answer, hand the client its response, pump it to the end, then meter. */
async function relay(
  a: Admitted,
  exchange: Exchange,
  requestId: string,
  answer: (res: Promise<Response>) => void,
  fail: (err: unknown) => void,
): Promise<void> {
  let delivered: Delivered;
  try {
    delivered = await sendWithFailover(
      a.failover,
      a.config,
      a.route,
      (key, signal) => exchange.attempt(key, signal),
      a.firstPick,
    );
  } catch (err) {
    fail(err);
    const known = err instanceof GatewayError ? err : undefined;
    await a.meter(noDelivery, {
      status: known?.status ?? 500,
      errorCode: known?.code ?? 'internal_error',
      usage: null,
      estimated: false,
      ttftAt: null,
      endedAt: Date.now(),
    });
    return;
  }
  const delivery = delivered.attempt.deliver({
    now: Date.now,
    idleTimeoutMs: delivered.level.timeouts.idleMs,
    requestId,
    deadline: delivered.deadline,
  });
  answer(delivery.response.then((res) => withRouting(res, delivered)));
  const reason = await delivery.done;
  await a.meter(
    {
      provider: delivered.key.provider,
      level: delivered.level.id,
      upstreamKeyId: delivered.key.id,
      retries: delivered.retries,
      switchedOver: delivered.switchedOver,
    },
    outcomeOf(delivery, reason),
  );
}

/**
 * The routing decision on the answer, for operators checking a route (the console's playground):
 * the level that served, the upstream key's id (an operator's name, never its secret), retries and
 * whether the switch-over chain was followed. Set before the body flows: streams are not touched.
 */
function withRouting(res: Response, d: Delivered): Response {
  // Set in place: every delivery builds its own Response (mutable headers), so copying it on each
  // request would only cost time on the hot path.
  res.headers.set('x-switchyard-level', String(d.level.id));
  res.headers.set('x-switchyard-upstream-key', d.key.id);
  res.headers.set('x-switchyard-retries', String(d.retries));
  res.headers.set('x-switchyard-switched-over', d.switchedOver ? '1' : '0');
  return res;
}

function outcomeOf(delivery: Delivery, reason: Awaited<Delivery['done']>): UsageResult {
  const measured = delivery.usage();
  const failure = delivery.failure?.() ?? null;
  const broken = reason === 'upstream_error' || reason === 'upstream_idle_timeout';
  // 499 (client closed request): the client left and the upstream was cut off after the drain's grace.
  const status = broken ? 502 : reason === 'client_abandoned' ? 499 : 200;
  return {
    status: failure ? failure.status : status,
    errorCode: failure ? failure.code : reason === 'complete' ? null : reason,
    usage: measured,
    estimated: measured === null || (delivery.estimated?.() ?? false),
    ttftAt: delivery.ttftAt(),
    endedAt: Date.now(),
    units: delivery.units?.(),
  };
}
