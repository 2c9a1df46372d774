// Upstream error responses (OpenAI wire format) → the error the client sees. Client-caused errors
// (400, 404, 413, 422) keep the upstream's message, which explains the caller's own mistake; every
// other failure gets a generic message so upstream internals (org ids, key hints) never leak (C13).
import { GatewayError, InvalidRequestError, NotFoundError, UpstreamError } from '../../errors/gateway-error';

export async function clientErrorFromUpstream(res: Response): Promise<GatewayError> {
  if (res.status === 400 || res.status === 404 || res.status === 413 || res.status === 422) {
    let message = `The provider rejected the request (HTTP ${res.status}).`;
    try {
      const body = (await res.json()) as { error?: { message?: unknown } };
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // Keep the generic message.
    }
    return res.status === 404
      ? new NotFoundError('upstream_not_found', message)
      : new InvalidRequestError('upstream_invalid_request', message);
  }
  await res.body?.cancel();
  if (res.status === 429)
    return new UpstreamError(
      'upstream_rate_limited',
      'Every provider key for this model is rate limited; try again shortly.',
      429,
    );
  if (res.status === 401 || res.status === 403)
    return new UpstreamError(
      'upstream_auth_failed',
      "The provider refused the gateway's credentials; an operator has been alerted.",
      502,
    );
  return new UpstreamError('upstream_error', `The provider failed (HTTP ${res.status}).`, 502);
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}
