// The I/O of one upstream call, shared by every exchange: the adapter's configuration from a key,
// sending (fetch, or the wire's own sender for the in-Worker mock), and reading an error answer
// with the adapter that speaks the upstream's protocol.
import type { UpstreamConfig, UpstreamSide } from '../bridge/adapter';
import { CredentialError } from '../providers/credential-error';
import type { UpstreamCredential, UpstreamRequest, UpstreamWire } from '../providers/types';
import type { Attempt, DeliverContext, Delivery } from './exchange';

export async function upstreamConfig(key: UpstreamCredential): Promise<UpstreamConfig> {
  const cfg: UpstreamConfig = { baseUrl: key.baseUrl, apiKey: await key.secret() };
  if (key.options.deployment) cfg.deployment = key.options.deployment;
  if (key.options.api_version) cfg.apiVersion = key.options.api_version;
  return cfg;
}

/**
 * The upstream could not be reached: the network failed, or the call's own deadline aborted it.
 * The only failure of a call that says something about the key's side (it cools the key); any
 * other exception on the way is the gateway's own bug and is never blamed on a key.
 */
export class UpstreamUnreachable extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'upstream deadline passed' : 'upstream unreachable');
    this.name = 'UpstreamUnreachable';
  }
}

/** `fetch` whose rejections (network, abort) are UpstreamUnreachable; the body is built before. */
export async function fetchUpstream(
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new UpstreamUnreachable(init.signal.aborted);
  }
}

/**
 * For lookups that try a level's keys in turn (counting, stored responses): a key that cannot be
 * reached or used (network, deadline, OAuth refresh) yields null so the next one is tried; any
 * other error is the gateway's own and propagates (logged with the request id by the app).
 */
export function skippingUnusableKey<T>(call: Promise<T>): Promise<T | null> {
  return call.catch((err: unknown) => {
    if (err instanceof UpstreamUnreachable || err instanceof CredentialError) return null;
    throw err;
  });
}

export function sendUpstream(
  wire: Pick<UpstreamWire, 'send'>,
  req: UpstreamRequest,
  signal: AbortSignal,
): Promise<Response> {
  if (wire.send) return wire.send(req, signal);
  const body = JSON.stringify(req.body);
  return fetchUpstream(req.url, { method: 'POST', headers: req.headers, body, signal });
}

/** The client's protocol headers listed in `names` that were sent, to forward on a passthrough. */
export function forwardedHeaders(client: Headers, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = client.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

export function attemptOf(
  response: Response,
  errors: Pick<UpstreamSide, 'decodeError'>,
  deliver: (ctx: DeliverContext) => Delivery,
): Attempt {
  return {
    response,
    async error() {
      const body = await response.text().catch(() => '');
      return errors.decodeError({
        status: response.status,
        body,
        retryAfter: response.headers.get('retry-after'),
      });
    },
    deliver,
  };
}
