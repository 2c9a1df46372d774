// The money ledger (credits and plans): /admin/v1/accounts/{id}/ledger (entries and the derived balance), and
// top-up (root only), debit, and allocation from the parent (atomic; never overdraws the parent).
import { createRoute, z } from '@hono/zod-openapi';
import { allocate, debit, type LedgerRow, listLedger, readBalance, topUp } from '../../billing/ledger';
import { CHARGE_SOURCES, LEDGER_KINDS } from '../../billing/ledger-kinds';
import { creditChanged } from '../../governance/credit';
import { money, toMicros } from '../../policy/schema';
import { formatMicros } from '../../tenancy/paging';
import {
  adminContext,
  adminRouter,
  body,
  conflictResponse,
  errorResponses,
  idParam,
  iso,
  json,
  ok,
  pageQuery,
  security,
} from './openapi';

/** Integer micro-units must stay exact in a double: at most 10^9 currency units per entry. */
const amount = money.refine(
  (v) => toMicros(v) > 0 && toMicros(v) <= 1e15,
  'must be above 0 and at most 1000000000',
);

const moneyBody = z
  .object({ amount, memo: z.string().max(500).optional() })
  .strict()
  .openapi('LedgerAmount');

const kinds = z.enum(LEDGER_KINDS);
const sources = z.enum(CHARGE_SOURCES);

/** Filters by entry kind and by what a usage charge drew on. */
const ledgerQuery = pageQuery.extend({ kind: kinds.optional(), source: sources.optional() });

export const entrySchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    kind: kinds,
    amount: z.string().openapi({ description: 'Signed decimal amount', example: '-10' }),
    amount_micros: z.number().int(),
    counterparty_account_id: z.string().nullable(),
    ref: z.string().nullable(),
    memo: z.string().nullable(),
    created_at: z.string(),
    created_by: z.string().nullable(),
    source: sources.nullable().openapi({
      description: 'Usage charges: what the charge drew on (allowances and add-ons are not money)',
    }),
    grant_id: z.string().nullable(),
    day: z.string().nullable().openapi({ description: 'Usage charges: the usage day' }),
  })
  .openapi('LedgerEntry');

const balanceSchema = z
  .object({ account_id: z.string(), balance: z.string(), balance_micros: z.number().int() })
  .openapi('Balance');

export function entryOut(e: LedgerRow): z.infer<typeof entrySchema> {
  return {
    id: e.id,
    account_id: e.accountId,
    kind: e.kind,
    amount: formatMicros(e.amount),
    amount_micros: e.amount,
    counterparty_account_id: e.counterpartyAccountId,
    ref: e.ref,
    memo: e.memo,
    created_at: iso(e.createdAt) as string,
    created_by: e.createdBy,
    source: e.source,
    grant_id: e.grantId,
    day: e.day,
  };
}

const tags = ['Ledger'];

const list = createRoute({
  method: 'get',
  path: '/accounts/{id}/ledger',
  tags,
  security,
  summary: 'Entries, newest first (optionally of one kind or source), and the balance derived from them',
  request: { params: idParam, query: ledgerQuery },
  responses: ok(
    balanceSchema
      .extend({ data: z.array(entrySchema), next_cursor: z.string().nullable() })
      .openapi('LedgerPage'),
    'One page of entries',
  ),
});

const balance = createRoute({
  method: 'get',
  path: '/accounts/{id}/balance',
  tags,
  security,
  request: { params: idParam },
  responses: ok(balanceSchema, 'The balance'),
});

function moneyRoute(action: 'topup' | 'debit' | 'allocate', summary: string, status: 201) {
  return createRoute({
    method: 'post',
    path: `/accounts/{id}/ledger/${action}`,
    tags,
    security,
    summary,
    request: { params: idParam, body: body(moneyBody) },
    responses: {
      [status]: json(z.object({ entries: z.array(entrySchema) }), 'The entries written'),
      ...errorResponses,
      ...conflictResponse,
    },
  });
}

const topupRoute = moneyRoute('topup', 'Add money to the root account (root-level admins only)', 201);
const debitRoute = moneyRoute('debit', 'Charge an account below the caller (may go negative)', 201);
const allocateRoute = moneyRoute(
  'allocate',
  "Move money from the account's parent to it; 409 `insufficient_balance` when the parent's balance is short",
  201,
);

export const ledgerRoute = adminRouter()
  .openapi(list, async (c) => {
    const id = c.req.valid('param').id;
    const page = await listLedger(adminContext(c), id, c.req.valid('query'));
    return c.json(
      {
        account_id: id,
        balance: formatMicros(page.balance),
        balance_micros: page.balance,
        data: page.data.map(entryOut),
        next_cursor: page.nextCursor,
      },
      200,
    );
  })
  .openapi(balance, async (c) => {
    const id = c.req.valid('param').id;
    const micros = await readBalance(adminContext(c), id);
    return c.json({ account_id: id, balance: formatMicros(micros), balance_micros: micros }, 200);
  })
  .openapi(topupRoute, async (c) => {
    const { amount: a, memo } = c.req.valid('json');
    const row = await topUp(adminContext(c), c.req.valid('param').id, toMicros(a), memo);
    await creditChanged(c.env, [row.accountId]);
    return c.json({ entries: [entryOut(row)] }, 201);
  })
  .openapi(debitRoute, async (c) => {
    const { amount: a, memo } = c.req.valid('json');
    const row = await debit(adminContext(c), c.req.valid('param').id, toMicros(a), memo);
    await creditChanged(c.env, [row.accountId]);
    return c.json({ entries: [entryOut(row)] }, 201);
  })
  .openapi(allocateRoute, async (c) => {
    const { amount: a, memo } = c.req.valid('json');
    const { from, to } = await allocate(adminContext(c), c.req.valid('param').id, toMicros(a), memo);
    await creditChanged(c.env, [from.accountId, to.accountId]);
    return c.json({ entries: [entryOut(from), entryOut(to)] }, 201);
  });
