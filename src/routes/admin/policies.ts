// Inherited policy (inherited policy): /admin/v1/accounts/{id}/policy (read, replace — never wider than the
// parent), and the inheritance view for accounts and keys (/effective-policy).
import { createRoute, z } from '@hono/zod-openapi';
import { policySchema } from '../../policy/schema';
import { notifyConfigChange } from '../../state/propagation';
import { keyEffectiveView } from '../../tenancy/gateway-keys';
import { accountEffectiveView, readAccountPolicy, writeAccountPolicy } from '../../tenancy/policies';
import {
  adminContext,
  adminRouter,
  body,
  errorResponses,
  idParam,
  iso,
  json,
  ok,
  security,
  wideningResponse,
} from './openapi';

const policyDocSchema = z
  .object({ account_id: z.string(), policy: policySchema, updated_at: z.string().nullable() })
  .openapi('AccountPolicy');

const origin = <T extends z.ZodType>(value: T) => z.object({ value, source: z.string() });
const listLayer = z.object({ source: z.string(), patterns: z.array(z.string()) });

const effectiveSchema = z
  .object({
    layers: z.array(z.object({ source: z.string(), policy: policySchema })),
    allow_models: z.array(listLayer),
    resources: z.array(listLayer),
    ip_allow: z.array(z.object({ source: z.string(), cidrs: z.array(z.string()) })),
    limits: z.record(z.string(), origin(z.union([z.number(), z.string()]))),
    model_mapper: z.record(z.string(), origin(z.string())),
    level_mapper: z.record(z.string(), origin(z.number())),
    switch_over: z.record(z.string(), origin(z.number())),
    model_limits: z.record(
      z.string(),
      z.object({ rpm: origin(z.number()).optional(), tpm: origin(z.number()).optional() }),
    ),
    budget_alerts: origin(z.array(z.number())).nullable(),
    level: origin(z.number()).nullable(),
  })
  .openapi('EffectivePolicy', {
    description: "Each field's effective value and the layer (`account:<id>` or `key:<id>`) it comes from.",
  });

const tags = ['Policies'];

const read = createRoute({
  method: 'get',
  path: '/accounts/{id}/policy',
  tags,
  security,
  summary: "The account's own policy layer",
  request: { params: idParam },
  responses: ok(policyDocSchema, 'The policy'),
});

const write = createRoute({
  method: 'put',
  path: '/accounts/{id}/policy',
  tags,
  security,
  summary:
    "Replace the account's policy layer; anything wider than the parent's effective policy is refused (422)",
  request: { params: idParam, body: body(policySchema) },
  responses: { 200: json(policyDocSchema, 'The stored policy'), ...errorResponses, ...wideningResponse },
});

const accountEffective = createRoute({
  method: 'get',
  path: '/accounts/{id}/effective-policy',
  tags,
  security,
  request: { params: idParam },
  responses: ok(effectiveSchema, 'root ∧ … ∧ account, with origins'),
});

const keyEffective = createRoute({
  method: 'get',
  path: '/keys/{id}/effective-policy',
  tags,
  security,
  request: { params: idParam },
  responses: ok(effectiveSchema, 'root ∧ … ∧ account ∧ key, with origins'),
});

export const policiesRoute = adminRouter()
  .openapi(read, async (c) => {
    const { account, policy, updatedAt } = await readAccountPolicy(adminContext(c), c.req.valid('param').id);
    return c.json(
      { account_id: account.id, policy: policySchema.parse(policy), updated_at: iso(updatedAt) },
      200,
    );
  })
  .openapi(write, async (c) => {
    const id = c.req.valid('param').id;
    const { policy, updatedAt } = await writeAccountPolicy(adminContext(c), id, c.req.valid('json'));
    await notifyConfigChange(c.env);
    return c.json({ account_id: id, policy, updated_at: iso(updatedAt) }, 200);
  })
  .openapi(accountEffective, async (c) =>
    c.json(await accountEffectiveView(adminContext(c), c.req.valid('param').id), 200),
  )
  .openapi(keyEffective, async (c) =>
    c.json(await keyEffectiveView(adminContext(c), c.req.valid('param').id), 200),
  );
