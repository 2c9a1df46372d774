// The I/O of one upstream call, shared by every exchange: the adapter's configuration from a key,
// sending (fetch, or the wire's own sender for the in-Worker mock), and reading an error answer
// with the adapter that speaks the upstream's protocol.
import type { UpstreamConfig, UpstreamSide } from '../bridge/adapter';
import type { UpstreamCredential, UpstreamRequest, UpstreamWire } from '../providers/types';
import type { Attempt, DeliverContext, Delivery } from './exchange';

export async function upstreamConfig(key: UpstreamCredential): Promise<UpstreamConfig> {
  const cfg: UpstreamConfig = { baseUrl: key.baseUrl, apiKey: await key.secret() };
  if (key.options.deployment) cfg.deployment = key.options.deployment;
  if (key.options.api_version) cfg.apiVersion = key.options.api_version;
  return cfg;
}

export function sendUpstream(
  wire: Pick<UpstreamWire, 'send'>,
  req: UpstreamRequest,
  signal: AbortSignal,
): Promise<Response> {
  if (wire.send) return wire.send(req, signal);
  return fetch(req.url, { method: 'POST', headers: req.headers, body: JSON.stringify(req.body), signal });
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
