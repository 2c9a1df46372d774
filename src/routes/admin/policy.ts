// POST /admin/v1/policy/apply — policy as code (C12). `dry_run: true` is the plan.
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { InvalidRequestError, PermissionDeniedError } from '../../errors/gateway-error';
import { applyPolicy } from '../../policy/apply';
import { PlanError } from '../../policy/plan';
import { applyRequestSchema } from '../../policy/schema';
import { readJson } from '../../proxy/read-json';
import { notifyConfigChange } from '../../state/propagation';
import { requireScope } from './actor';

export const policyRoute = new Hono<AppEnv>().post('/apply', async (c) => {
  const actor = c.get('actor');
  requireScope(actor, 'policy:write');
  // The file describes the whole organization, so only the root (and, of users, its owners) may apply it.
  if (actor.type === 'user' && actor.role !== 'owner')
    throw new PermissionDeniedError('insufficient_role', 'Only an owner may apply a policy file.');
  if (actor.accountPath.split('/').filter(Boolean).length > 1) {
    throw new PermissionDeniedError('root_required', 'Only a root-level token may apply a policy file.');
  }
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
    if (err instanceof PlanError)
      throw new InvalidRequestError('policy_invalid', `${err.path}: ${err.message}`, err.path);
    throw err;
  }
});
