// Products (credits and plans): /admin/v1/plans (subscriptions, cards, add-ons), grants to accounts,
// /admin/v1/redemption-codes (shown once, stored as hashes) and /admin/v1/redeem.
import { createRoute, z } from '@hono/zod-openapi';
import {
  type CodeRow,
  createCodes,
  createPlan,
  type GrantRow,
  grantPlan,
  listCodes,
  listGrants,
  listPlans,
  type PlanRow,
  purchasePlan,
  redeemCode,
  updatePlan,
} from '../../billing/plans';
import { creditChanged } from '../../governance/credit';
import { money, toMicros } from '../../policy/schema';
import { formatMicros } from '../../tenancy/paging';
import { entryOut, entrySchema } from './ledger';
import {
  adminContext,
  adminRouter,
  body,
  conflictResponse,
  created,
  errorResponses,
  idParam,
  iso,
  json,
  ok,
  security,
} from './openapi';

const planKind = z.enum(['subscription', 'card', 'addon']);
const micros = z.string().nullable();

const planSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: planKind,
    daily_allowance: micros,
    amount: micros,
    validity_days: z.number().int(),
    price: z.string(),
    status: z.enum(['active', 'retired']),
    created_at: z.string(),
  })
  .openapi('Plan');

const grantSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    plan_id: z.string(),
    kind: planKind,
    starts_at: z.string(),
    expires_at: z.string(),
    daily_allowance: micros,
    remaining: micros,
    status: z.enum(['active', 'expired', 'cancelled']),
    auto_renew: z.boolean(),
  })
  .openapi('PlanGrant');

const codeSchema = z
  .object({
    id: z.string().openapi({ description: 'First 12 hex digits of the code hash' }),
    plan_id: z.string(),
    expires_at: z.string().nullable(),
    redeemed_by_account_id: z.string().nullable(),
    redeemed_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('RedemptionCode');

const opt = (v: number | null) => (v === null ? null : formatMicros(v));

const planOut = (p: PlanRow): z.infer<typeof planSchema> => ({
  id: p.id,
  name: p.name,
  kind: p.kind,
  daily_allowance: opt(p.dailyAllowance),
  amount: opt(p.amount),
  validity_days: p.validityDays,
  price: formatMicros(p.price),
  status: p.status,
  created_at: iso(p.createdAt) as string,
});

const grantOut = (g: GrantRow): z.infer<typeof grantSchema> => ({
  id: g.id,
  account_id: g.accountId,
  plan_id: g.planId,
  kind: g.kind,
  starts_at: iso(g.startsAt) as string,
  expires_at: iso(g.expiresAt) as string,
  daily_allowance: opt(g.dailyAllowance),
  remaining: opt(g.remaining),
  status: g.status,
  auto_renew: g.renew !== null,
});

const codeOut = (r: CodeRow): z.infer<typeof codeSchema> => ({
  id: r.codeHash.slice(0, 12),
  plan_id: r.planId,
  expires_at: iso(r.expiresAt),
  redeemed_by_account_id: r.redeemedByAccountId,
  redeemed_at: iso(r.redeemedAt),
  created_at: iso(r.createdAt) as string,
});

const planCreate = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
      .optional(),
    name: z.string().min(1).max(100),
    kind: planKind,
    /** Subscriptions and add-ons: money per day. */
    daily_allowance: money.optional(),
    /** Cards: prepaid value. */
    amount: money.optional(),
    validity_days: z.number().int().min(1).max(3660),
    price: money.default('0'),
  })
  .strict()
  .openapi('PlanCreate');

const planUpdate = z
  .object({ name: z.string().min(1).max(100), status: z.enum(['active', 'retired']) })
  .partial()
  .strict()
  .openapi('PlanUpdate');

const tags = ['Plans and codes'];
const base = { tags, security };
const toM = (v: string | undefined) => (v === undefined ? undefined : toMicros(v));

export const plansRoute = adminRouter()
  .openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/plans',
      responses: ok(z.object({ data: z.array(planSchema) }), 'Plans'),
    }),
    async (c) => c.json({ data: (await listPlans(adminContext(c))).map(planOut) }, 200),
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/plans',
      summary: 'Root only',
      request: { body: body(planCreate) },
      responses: { 201: json(planSchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const row = await createPlan(adminContext(c), {
        ...input,
        daily_allowance: toM(input.daily_allowance),
        amount: toM(input.amount),
        price: toMicros(input.price),
      });
      return c.json(planOut(row), 201);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'patch',
      path: '/plans/{id}',
      request: { params: idParam, body: body(planUpdate) },
      responses: ok(planSchema, 'Updated'),
    }),
    async (c) =>
      c.json(planOut(await updatePlan(adminContext(c), c.req.valid('param').id, c.req.valid('json'))), 200),
  )
  .openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/accounts/{id}/grants',
      request: { params: idParam },
      responses: ok(z.object({ data: z.array(grantSchema) }), "The account's plans"),
    }),
    async (c) =>
      c.json({ data: (await listGrants(adminContext(c), c.req.valid('param').id)).map(grantOut) }, 200),
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/accounts/{id}/grants',
      summary: 'Grant a plan to an account (root only); a card also credits the ledger',
      request: { params: idParam, body: body(z.object({ plan_id: z.string().min(1) }).strict()) },
      responses: { 201: json(grantSchema, 'The grant'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const grant = await grantPlan(adminContext(c), c.req.valid('param').id, c.req.valid('json').plan_id);
      await creditChanged(c.env, [grant.accountId]);
      return c.json(grantOut(grant), 201);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/accounts/{id}/purchases',
      summary:
        "Buy a plan: its price is debited from the account's balance (or its parent's, `paid_by: parent`) and the plan granted in one atomic step; 409 `insufficient_balance`",
      request: {
        params: idParam,
        body: body(
          z
            .object({
              plan_id: z.string().min(1),
              paid_by: z.enum(['account', 'parent']).default('account'),
              /** Subscriptions and add-ons: buy again at expiry, from the same payer. */
              auto_renew: z.boolean().default(false),
            })
            .strict(),
        ),
      },
      responses: {
        201: json(
          z.object({ grant: grantSchema, entries: z.array(entrySchema) }),
          'The grant and the ledger entries (one ref: the grant id)',
        ),
        ...errorResponses,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const { plan_id, paid_by, auto_renew } = c.req.valid('json');
      const bought = await purchasePlan(
        adminContext(c),
        c.req.valid('param').id,
        plan_id,
        paid_by,
        auto_renew,
      );
      await creditChanged(c.env, [bought.grant.accountId, ...bought.entries.map((e) => e.accountId)]);
      return c.json({ grant: grantOut(bought.grant), entries: bought.entries.map(entryOut) }, 201);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/redemption-codes',
      summary: 'Root only',
      responses: ok(z.object({ data: z.array(codeSchema) }), 'Codes (never the code itself)'),
    }),
    async (c) => c.json({ data: (await listCodes(adminContext(c))).map(codeOut) }, 200),
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/redemption-codes',
      summary: 'Mint codes for a plan (root only); the codes are in this response only',
      request: {
        body: body(
          z
            .object({
              plan_id: z.string().min(1),
              count: z.number().int().min(1).max(100).default(1),
              expires_at: z.iso.datetime({ offset: true }).optional(),
            })
            .strict(),
        ),
      },
      responses: created(
        z.object({ codes: z.array(z.string()), data: z.array(codeSchema) }),
        'The codes, shown once',
      ),
    }),
    async (c) => {
      const { codes, rows } = await createCodes(adminContext(c), c.req.valid('json'));
      return c.json({ codes, data: rows.map(codeOut) }, 201);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/redeem',
      summary: "Redeem a code into the caller's account (or `account_id` in the caller's subtree)",
      request: {
        body: body(
          z.object({ code: z.string().min(1).max(200), account_id: z.string().optional() }).strict(),
        ),
      },
      responses: created(grantSchema, 'The grant the code loaded'),
    }),
    async (c) => {
      const ctx = adminContext(c);
      const { code, account_id } = c.req.valid('json');
      const grant = await redeemCode(ctx, code, account_id ?? ctx.actor.accountId ?? '');
      await creditChanged(c.env, [grant.accountId]);
      return c.json(grantOut(grant), 201);
    },
  );
