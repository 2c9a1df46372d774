// The ACL chain of proxy requests (inherited policy), after gateway authentication: the client IP must be in
// every ip_allow list of the key's chain, and the endpoint in every resources list. Refusals are
// 403s with their own stable codes, rendered in the caller's protocol by app.onError. Memory only:
// the lists come from the cached auth context.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { PermissionDeniedError } from '../errors/gateway-error';
import { checkAcl, clientIp } from '../tenancy/acl';

export function proxyAcl() {
  return createMiddleware<AppEnv>(async function proxyAclMiddleware(c, next) {
    const refusal = checkAcl(c.get('auth').policy, { ip: clientIp(c.req.raw.headers), path: c.req.path });
    if (refusal) throw new PermissionDeniedError(refusal.code, refusal.message);
    await next();
  });
}
