// Today's quota status (analytics), pure: every daily (and monthly) limit on the account's chain with
// what its subtree has used, then the account's credit — today's plan allowance and add-ons, card
// value and the balance. One flat row per item, so the view exports to CSV like the others.
import type { LimitSet } from '../../durable-objects/dims';
import { type PathUsage, subtreeUsage } from '../usage/period-rollups';

// A type, not an interface: rows are plain records for the CSV writer.
export type QuotaRow = {
  item: 'rpd' | 'tpd' | 'daily_budget' | 'monthly_budget' | 'allowance' | 'addon' | 'cards' | 'balance';
  /** The account whose limit or credit this is. */
  account_id: string;
  unit: 'requests' | 'tokens' | 'micros';
  limit: number | null;
  /** Null when the limit's subtree is outside what the caller may see. */
  used: number | null;
  remaining: number | null;
  /** Whole percent of the limit used. */
  percent: number | null;
};

export interface QuotaLink {
  id: string;
  path: string;
  limits: LimitSet;
  /** False for a level above the caller: its limit is shown, its subtree's usage is not. */
  visible: boolean;
}

export interface Credit {
  allowance: { total: number; used: number };
  addon: { total: number; used: number };
  cards: number;
  balance: number;
}

function row(
  item: QuotaRow['item'],
  accountId: string,
  unit: QuotaRow['unit'],
  limit: number,
  used: number | null,
) {
  return {
    item,
    account_id: accountId,
    unit,
    limit,
    used,
    remaining: used === null ? null : Math.max(0, limit - used),
    percent: used === null ? null : limit > 0 ? Math.floor((used * 100) / limit) : 100,
  } satisfies QuotaRow;
}

export function quotaStatus(
  accountId: string,
  chain: readonly QuotaLink[],
  usage: PathUsage[],
  credit: Credit,
): QuotaRow[] {
  const out: QuotaRow[] = [];
  for (const link of chain) {
    const u = link.visible ? subtreeUsage(link.path, usage) : null;
    const l = link.limits;
    if (l.rpd !== undefined) out.push(row('rpd', link.id, 'requests', l.rpd, u?.day.requests ?? null));
    if (l.tpd !== undefined) out.push(row('tpd', link.id, 'tokens', l.tpd, u?.day.tokens ?? null));
    if (l.dailyBudget !== undefined)
      out.push(row('daily_budget', link.id, 'micros', l.dailyBudget, u?.day.cost ?? null));
    if (l.monthlyBudget !== undefined)
      out.push(row('monthly_budget', link.id, 'micros', l.monthlyBudget, u?.month.cost ?? null));
  }
  if (credit.allowance.total > 0)
    out.push(row('allowance', accountId, 'micros', credit.allowance.total, credit.allowance.used));
  if (credit.addon.total > 0)
    out.push(row('addon', accountId, 'micros', credit.addon.total, credit.addon.used));
  const value = (item: 'cards' | 'balance', amount: number): QuotaRow => ({
    item,
    account_id: accountId,
    unit: 'micros',
    limit: null,
    used: null,
    remaining: amount,
    percent: null,
  });
  out.push(value('cards', credit.cards), value('balance', credit.balance));
  return out;
}
