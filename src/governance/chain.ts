// The levels a request counts against (limits and quotas): every account on the key's chain and the key
// itself,
// each with its own limits; levels without limits are skipped, so a request to an unlimited
// subtree touches no governor at all. Pure.
import { type ChainLink, hasLimits, type LimitSet } from '../../durable-objects/dims';
import type { PolicyLayer } from '../policy/effective';
import { type Policy, toMicros } from '../policy/schema';

export function limitSetOf(policy: Policy): LimitSet {
  const l = policy.limits ?? {};
  const set: LimitSet = {};
  if (l.rpm !== undefined) set.rpm = l.rpm;
  if (l.tpm !== undefined) set.tpm = l.tpm;
  if (l.rpd !== undefined) set.rpd = l.rpd;
  if (l.tpd !== undefined) set.tpd = l.tpd;
  if (l.daily_budget !== undefined) set.dailyBudget = toMicros(l.daily_budget);
  if (l.monthly_budget !== undefined) set.monthlyBudget = toMicros(l.monthly_budget);
  if (policy.model_limits && Object.keys(policy.model_limits).length) set.modelLimits = policy.model_limits;
  return set;
}

/**
 * The wallet that pays for requests of the chain's last account (credits and plans): its own, or — `wallet:
 * inherit` — its parent's, recursively; the root always pays for itself. Prepaid is inherited:
 * the nearest account layer at or above the paying one that sets it, else postpaid.
 */
export function walletOf(layers: PolicyLayer[]): { accountId: string; prepaid: boolean } {
  const accounts = layers.filter((l) => l.source.startsWith('account:'));
  let i = accounts.length - 1;
  while (i > 0 && accounts[i]?.policy.wallet === 'inherit') i--;
  let prepaid = false;
  for (let j = i; j >= 0; j--) {
    const p = accounts[j]?.policy.prepaid;
    if (p !== undefined) {
      prepaid = p;
      break;
    }
  }
  return { accountId: accounts[i]?.source.slice('account:'.length) ?? '', prepaid };
}

/** `account:<id>` layers become governor `<id>`, `key:<id>` stays `key:<id>`. */
export function governedChain(layers: PolicyLayer[]): ChainLink[] {
  const wallet = walletOf(layers);
  return layers
    .map((layer) => {
      const id = layer.source.startsWith('account:') ? layer.source.slice('account:'.length) : layer.source;
      const limits = limitSetOf(layer.policy);
      // A prepaid wallet's credit is one more pool of the paying account's governor.
      if (wallet.prepaid && layer.source === `account:${wallet.accountId}`) limits.credit = true;
      return { id, limits };
    })
    .filter((link) => hasLimits(link.limits));
}
