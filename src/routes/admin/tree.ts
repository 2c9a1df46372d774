// The console's tree and policy editor (account tree and identity, inherited policy, console): GET /admin/v1/accounts/{id}/tree (one page
// of children, or a search of the subtree, with status, today's spend and quota use) and
// POST /admin/v1/accounts/{id}/policy/preview (what saving a policy would refuse and change).
import { createRoute, z } from '@hono/zod-openapi';
import { dayIn } from '../../lib/time';
import { fromMicros, policySchema } from '../../policy/schema';
import { gatewayConfig } from '../../state/config';
import { previewAccountPolicy } from '../../tenancy/policy-preview';
import { listTreePage, type TreeNode } from '../../tenancy/tree';
import { accountOut, accountSchema } from './accounts';
import {
  adminContext,
  adminRouter,
  body,
  errorResponses,
  idParam,
  json,
  pageQuery,
  security,
} from './openapi';

const nodeSchema = z
  .object({
    account: accountSchema,
    children: z.number().int(),
    today_requests: z.number().int(),
    today_cost_micros: z.number().int(),
    quota: z.array(
      z.object({
        item: z.enum(['rpd', 'tpd', 'daily_budget', 'monthly_budget']),
        limit: z.number().int(),
        used: z.number().int(),
        percent: z.number().int(),
      }),
    ),
    daily_budget: z
      .object({ value: z.string(), value_micros: z.number().int(), source: z.string() })
      .nullable(),
  })
  .openapi('TreeNode', {
    description: 'Quota items are the limits the account itself sets; budgets in micro-units.',
  });

const treeSchema = z
  .object({
    node: nodeSchema,
    ancestors: z.array(z.object({ id: z.string(), name: z.string() })),
    data: z.array(nodeSchema),
    next_cursor: z.string().nullable(),
  })
  .openapi('TreePage');

const treeQuery = pageQuery.extend({
  /** At most 90: a page's ids are bound parameters of one statement (D1 allows 100). */
  limit: z.coerce.number().int().min(1).max(90).default(50),
  /** Search the whole subtree by name or id instead of listing the children. */
  q: z.string().max(200).optional(),
});

const fieldValue = z.object({ value: z.string(), source: z.string() });

const previewSchema = z
  .object({
    refusals: z.array(
      z.object({ kind: z.enum(['invalid', 'widening']), field: z.string(), message: z.string() }),
    ),
    accounts: z.array(
      z.object({
        id: z.string(),
        path: z.string(),
        name: z.string(),
        changes: z.array(
          z.object({ field: z.string(), before: fieldValue.nullable(), after: fieldValue.nullable() }),
        ),
      }),
    ),
    descendants_checked: z.number().int(),
    truncated: z.boolean(),
  })
  .openapi('PolicyPreview', {
    description:
      'Refusals name fields as a PUT would (`policy.limits.rpm`); accounts lists the account and each descendant whose effective policy would change.',
  });

const tags = ['Accounts'];

const tree = createRoute({
  method: 'get',
  path: '/accounts/{id}/tree',
  tags,
  security,
  summary: "One page of the account's children (or, with `q`, of its subtree's matches) for the console",
  request: { params: idParam, query: treeQuery },
  responses: { 200: json(treeSchema, 'The node, its ancestors and one page'), ...errorResponses },
});

const preview = createRoute({
  method: 'post',
  path: '/accounts/{id}/policy/preview',
  tags: ['Policies'],
  security,
  summary: "What replacing the account's policy layer would refuse and change; writes nothing",
  request: { params: idParam, body: body(policySchema) },
  responses: { 200: json(previewSchema, 'Refusals and changes'), ...errorResponses },
});

function nodeOut(n: TreeNode): z.infer<typeof nodeSchema> {
  return {
    account: accountOut(n.account),
    children: n.children,
    today_requests: n.today.requests,
    today_cost_micros: n.today.cost,
    quota: n.quota,
    daily_budget: n.dailyBudget && {
      value: fromMicros(n.dailyBudget.value),
      value_micros: n.dailyBudget.value,
      source: n.dailyBudget.source,
    },
  };
}

export const treeRoute = adminRouter()
  .openapi(tree, async (c) => {
    const ctx = adminContext(c);
    const today = dayIn((await gatewayConfig(c.env, ctx.now)).timezone, ctx.now);
    const page = await listTreePage(ctx, c.req.valid('param').id, c.req.valid('query'), today);
    return c.json(
      {
        node: nodeOut(page.node),
        ancestors: page.ancestors,
        data: page.data.map(nodeOut),
        next_cursor: page.nextCursor,
      },
      200,
    );
  })
  .openapi(preview, async (c) => {
    const p = await previewAccountPolicy(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(
      {
        refusals: p.refusals,
        accounts: p.accounts,
        descendants_checked: p.descendantsChecked,
        truncated: p.truncated,
      },
      200,
    );
  });
