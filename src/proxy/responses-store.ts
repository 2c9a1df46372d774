// `GET /v1/responses/{id}` and `POST /v1/responses/{id}/cancel`: relayed to an upstream that keeps
// responses (a provider speaking the Responses protocol natively). The gateway stores nothing, and
// the id does not say which upstream made it, so the upstream is chosen by level: the level of
// `?model=` when given, else the caller's default level (the nearest `level` on its account
// chain). That level's Responses-speaking keys are tried in order — a response belongs to one
// provider account, so a 404 moves on to the next key — and the first answer is relayed.
// Responses the gateway stored itself (translated for another provider, ids `resp_sy…`, see
// stored-responses.ts) are answered from its store, for the account that made them only; another
// account's id is a 404. Retrieval generates nothing and is not metered.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import {
  type GatewayError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
} from '../errors/gateway-error';
import { isStoredResponseId } from '../providers/openai-responses/state';
import { planFor } from '../providers/registry';
import type { WireProtocol } from '../providers/types';
import { gatewayConfig } from '../state/config';
import { relayHeaders } from './deliver-passthrough';
import { deleteStoredResponse, storedResponse } from './stored-responses';
import { fetchUpstream, skippingUnusableKey, upstreamConfig } from './upstream-call';

/** Query parameters that belong to the gateway, not to the provider. */
const OWN_PARAMS = ['model', 'key'];

export async function proxyStoredResponse(
  c: Context<AppEnv>,
  protocol: WireProtocol,
  action: 'retrieve' | 'cancel',
  id: string,
): Promise<Response> {
  const auth = c.get('auth');
  if (isStoredResponseId(id)) return ownStoredResponse(c, action, id);
  const model = c.req.query('model');
  const levelId = model ? auth.routes.resolve(model).level : auth.defaultLevel;
  if (levelId === null) {
    throw new PermissionDeniedError(
      'model_not_routed',
      'This key has no default level; pass ?model= to choose one.',
    );
  }
  const level = (await gatewayConfig(c.env, Date.now())).levels.get(levelId);
  const keys = (level?.keys ?? []).filter((k) => planFor(k.provider, protocol).mode === 'passthrough');
  const query = new URL(c.req.url).searchParams;
  for (const p of OWN_PARAMS) query.delete(p);
  const suffix = `/${encodeURIComponent(id)}${action === 'cancel' ? '/cancel' : ''}${query.size ? `?${query}` : ''}`;

  let lastError: GatewayError = new NotFoundError(
    'response_not_found',
    `No upstream of level ${levelId} keeps responses, so response "${id}" cannot be found.`,
  );
  for (const key of keys) {
    const { adapter } = planFor(key.provider, protocol).wire;
    // A key that cannot be reached or used (network, OAuth refresh) leaves the next one to try.
    const res = await skippingUnusableKey(
      upstreamConfig(key).then((cfg) => {
        const target = adapter.target(cfg, { model: '', stream: false });
        const { 'content-type': _json, ...headers } = target.headers;
        return fetchUpstream(`${target.url}${suffix}`, {
          method: action === 'cancel' ? 'POST' : 'GET',
          headers,
          signal: AbortSignal.timeout(level?.timeouts.firstByteMs ?? 60_000),
        });
      }),
    );
    if (!res) continue;
    const stream = (res.headers.get('content-type') ?? '').includes('event-stream');
    if (res.ok)
      return new Response(res.body, {
        status: res.status,
        headers: relayHeaders(res, stream, c.get('requestId')),
      });
    lastError = adapter.decodeError({
      status: res.status,
      body: await res.text(),
      retryAfter: res.headers.get('retry-after'),
    });
    // A client mistake other than an unknown id would fail on every key.
    if (res.status === 400 || res.status === 422) throw lastError;
  }
  throw lastError;
}

async function ownStoredResponse(
  c: Context<AppEnv>,
  action: 'retrieve' | 'cancel',
  id: string,
): Promise<Response> {
  const found = await storedResponse(c.env.DB, c.get('auth').accountId, id, Date.now());
  if (!found) {
    throw new NotFoundError(
      'response_not_found',
      `Response "${id}" is not in the gateway's response store (expired, deleted, or another account's).`,
    );
  }
  if (action === 'cancel') {
    throw new InvalidRequestError(
      'invalid_request',
      `Response "${id}" is already complete; only background responses can be cancelled.`,
    );
  }
  return c.json(found, 200, { 'x-request-id': c.get('requestId') });
}

/** `DELETE /v1/responses/{id}` for a response the gateway stored. */
export async function deleteOwnStoredResponse(c: Context<AppEnv>, id: string): Promise<Response> {
  const deleted =
    isStoredResponseId(id) && (await deleteStoredResponse(c.env.DB, c.get('auth').accountId, id));
  if (!deleted) {
    throw new NotFoundError(
      'response_not_found',
      `Response "${id}" is not in the gateway's response store (expired, deleted, or another account's).`,
    );
  }
  return c.json({ id, object: 'response', deleted: true }, 200, { 'x-request-id': c.get('requestId') });
}
