// Policy as code (policy as code): POST /admin/v1/policy/apply (`dry_run: true` is the plan, `prune: true`
// deletes what the file no longer lists) and
// GET /admin/v1/policy/export (the running gateway as a policy file). Root level only.
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import type { AdminActor } from '../../auth/admin-actor';
import { requireScope } from '../../auth/admin-actor';
import { InvalidRequestError, PermissionDeniedError, PolicyWideningError } from '../../errors/gateway-error';
import { applyPolicy, currentPolicyFile, PlanRefusedError } from '../../policy/apply';
import { applyRequestSchema } from '../../policy/file-schema';
import { PlanError } from '../../policy/plan';
import { readJson } from '../../proxy/read-json';
import { notifyConfigChange } from '../../state/propagation';

/** The file describes the whole organization, so only the root (and, of users, its owners) may use it. */
function requireRootOwner(actor: AdminActor, verb: string): void {
  if (actor.type === 'user' && actor.role !== 'owner')
    throw new PermissionDeniedError('insufficient_role', `Only an owner may ${verb} a policy file.`);
  if (actor.accountPath.split('/').filter(Boolean).length > 1) {
    throw new PermissionDeniedError('root_required', `Only a root-level token may ${verb} a policy file.`);
  }
}

export const policyRoute = new Hono<AppEnv>()
  .get('/export', async (c) => {
    const actor = c.get('actor');
    requireScope(actor, 'read');
    requireRootOwner(actor, 'export');
    return c.json(await currentPolicyFile(c.env.DB));
  })
  .post('/apply', async (c) => {
    const actor = c.get('actor');
    requireScope(actor, 'policy:write');
    requireRootOwner(actor, 'apply');
    const request = await readJson(c.req.raw, applyRequestSchema, 5 * 1024 * 1024);
    try {
      const result = await applyPolicy(
        c.env,
        request,
        {
          type: actor.type,
          id: actor.id,
          ip: c.req.header('cf-connecting-ip') ?? null,
          requestId: c.get('requestId'),
        },
        Date.now(),
      );
      if (result.applied) await notifyConfigChange(c.env);
      return c.json(result);
    } catch (err) {
      if (err instanceof PlanRefusedError) {
        const first = err.refusals[0]?.path ?? 'policy';
        if (err.refusals.some((r) => r.kind === 'widening'))
          throw new PolicyWideningError(first, `The plan is refused:\n${err.message}`);
        throw new InvalidRequestError('policy_orphan', `The plan is refused:\n${err.message}`, first);
      }
      if (err instanceof PlanError)
        throw new InvalidRequestError('policy_invalid', `${err.path}: ${err.message}`, err.path);
      throw err;
    }
  });
