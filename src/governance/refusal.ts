// A governor's refusal → the caller's error (limits and quotas): 429 with Retry-After for rates, a quota
// error for
// daily and budget limits, each naming the limit and the account level that refused; a 400 for a
// request that needs more than a limit can ever grant.
import type { Refusal } from '../../durable-objects/governor-core';
import type { ErrorCode } from '../errors/codes';
import {
  type GatewayError,
  InvalidRequestError,
  QuotaExceededError,
  RateLimitError,
} from '../errors/gateway-error';

const quotaCodes: Record<string, [code: ErrorCode, what: string]> = {
  rpd: ['daily_request_quota_exceeded', 'daily request quota'],
  tpd: ['daily_token_quota_exceeded', 'daily token quota'],
  daily_budget: ['daily_budget_exceeded', 'daily budget'],
  monthly_budget: ['monthly_budget_exceeded', 'monthly budget'],
};

function rateName(limit: string): [code: ErrorCode, what: string] {
  if (limit === 'rpm') return ['rate_limit_exceeded', 'requests-per-minute limit'];
  if (limit === 'tpm') return ['token_rate_limit_exceeded', 'tokens-per-minute limit'];
  const m = /^model_(rpm|tpm):(.+)$/.exec(limit);
  const per = m?.[1] === 'tpm' ? 'tokens' : 'requests';
  return [`model_rate_limit_exceeded`, `${per}-per-minute limit for models "${m?.[2] ?? limit}"`];
}

function level(accountId: string): string {
  return accountId.startsWith('key:') ? `this key (${accountId.slice(4)})` : `account "${accountId}"`;
}

export function refusalError(r: Refusal): GatewayError {
  if (r.limit === 'credit') {
    // OpenAI's own answer to an exhausted account: 429 `insufficient_quota`, no Retry-After.
    return new QuotaExceededError(
      'insufficient_quota',
      `The prepaid credit of ${level(r.accountId)}, whose wallet pays for this request, is used up. ` +
        'A top-up, an allocation, a card or a redeemed code lets requests through again.',
    );
  }
  if (r.exceeds) {
    // No wait helps: a 400-class policy error for this request alone, without Retry-After.
    const what = quotaCodes[r.limit]?.[1] ?? rateName(r.limit)[1];
    return new InvalidRequestError(
      'request_exceeds_limit',
      `This request needs ${r.need ?? 'more'} units of the ${what} of ${level(r.accountId)}, ` +
        `more than it can ever grant (${r.exceeds.capacity}). Lower max_tokens or send less input.`,
    );
  }
  const quota = quotaCodes[r.limit];
  if (quota) {
    const reset = r.resetAt ? ` It resets at ${new Date(r.resetAt).toISOString()}.` : '';
    return new QuotaExceededError(quota[0], `The ${quota[1]} of ${level(r.accountId)} is used up.${reset}`);
  }
  const [code, what] = rateName(r.limit);
  return new RateLimitError(
    code,
    `The ${what} of ${level(r.accountId)} is reached; retry after the Retry-After header.`,
    (r.retryAfterMs ?? 1_000) / 1_000,
  );
}
