// Every `code` a gateway error can carry: a closed set, so a new code is added here (and so in
// docs/errors.md, whose table a test renders from this list) or does not compile. `status` is the
// HTTP status the code answers with (render.ts may adapt it per protocol); `meaning` is what the
// caller reads in the docs.

export const ERROR_CODES = [
  // Request shape and input limits (src/lib/input-limits.ts).
  { code: 'invalid_json', status: 400, meaning: 'The body is not valid JSON.' },
  {
    code: 'invalid_request',
    status: 400,
    meaning: 'A field is missing or out of its bounds; `param` names it.',
  },
  { code: 'unsupported_media_type', status: 400, meaning: 'An admin body that is not `application/json`.' },
  { code: 'request_too_large', status: 413, meaning: 'A body over its limit (32 MiB proxy, 5 MiB admin).' },
  { code: 'json_too_deep', status: 400, meaning: 'JSON nested deeper than 64 levels.' },
  {
    code: 'field_too_large',
    status: 400,
    meaning: 'A JSON string over 20 MiB, or an array or object over 100 000 items.',
  },
  {
    code: 'request_exceeds_limit',
    status: 400,
    meaning:
      'The request alone needs more than a limit can ever grant (e.g. `max_tokens` above the TPM); no Retry-After.',
  },
  // Gateway keys (the proxy's callers).
  { code: 'missing_api_key', status: 401, meaning: 'No API key in any header the SDKs use.' },
  { code: 'invalid_api_key', status: 401, meaning: 'The key is unknown.' },
  { code: 'key_revoked', status: 401, meaning: 'The key has been revoked.' },
  { code: 'key_expired', status: 401, meaning: 'The key is past its `expires_at`.' },
  { code: 'account_suspended', status: 403, meaning: "The key's account, or an ancestor, is suspended." },
  { code: 'account_disabled', status: 403, meaning: "The key's account, or an ancestor, is disabled." },
  // Policy and routing.
  {
    code: 'ip_not_allowed',
    status: 403,
    meaning: "The caller's address is outside an `ip_allow` list on the key's chain.",
  },
  {
    code: 'resource_not_allowed',
    status: 403,
    meaning: 'The path is outside the `resources` a policy layer allows.',
  },
  { code: 'model_not_allowed', status: 403, meaning: "The model is not in the key's effective allow list." },
  { code: 'model_not_routed', status: 403, meaning: 'The model maps to no level.' },
  { code: 'model_not_found', status: 404, meaning: 'No such model in the catalog.' },
  {
    code: 'unknown_endpoint',
    status: 404,
    meaning: "No such API path (a mistyped path gets this in the caller's shape).",
  },
  { code: 'unsupported_endpoint', status: 400, meaning: "The model's provider has no such API." },
  {
    code: 'unsupported_parameter',
    status: 400,
    meaning: 'A field that cannot be translated to the provider; `param` names it.',
  },
  { code: 'invalid_parameter', status: 400, meaning: 'A field with the wrong type; `param` names it.' },
  {
    code: 'response_not_found',
    status: 404,
    meaning: 'No stored Responses answer with that id for this account.',
  },
  // Limits and quotas.
  { code: 'rate_limit_exceeded', status: 429, meaning: 'A requests-per-minute limit; with Retry-After.' },
  { code: 'token_rate_limit_exceeded', status: 429, meaning: 'A tokens-per-minute limit; with Retry-After.' },
  {
    code: 'model_rate_limit_exceeded',
    status: 429,
    meaning: 'A per-model (`model_limits`) rpm or tpm limit; with Retry-After.',
  },
  {
    code: 'concurrency_limit_exceeded',
    status: 429,
    meaning: 'Too many requests of this account in flight; with Retry-After.',
  },
  {
    code: 'daily_request_quota_exceeded',
    status: 429,
    meaning: 'The daily request quota (`rpd`) is used up; no Retry-After.',
  },
  {
    code: 'daily_token_quota_exceeded',
    status: 429,
    meaning: 'The daily token quota (`tpd`) is used up; no Retry-After.',
  },
  { code: 'daily_budget_exceeded', status: 429, meaning: 'The daily budget is spent; no Retry-After.' },
  { code: 'monthly_budget_exceeded', status: 429, meaning: 'The monthly budget is spent; no Retry-After.' },
  {
    code: 'insufficient_quota',
    status: 429,
    meaning:
      'The prepaid credit paying for the request is used up (400 `invalid_request_error` to Anthropic callers).',
  },
  // Upstreams (the providers behind the gateway).
  {
    code: 'upstream_cooling_down',
    status: 429,
    meaning: 'Every provider key for the model is cooling down; with Retry-After.',
  },
  {
    code: 'upstream_rate_limited',
    status: 429,
    meaning: 'The provider is rate limiting the model; with Retry-After.',
  },
  { code: 'upstream_auth_failed', status: 502, meaning: "The provider refused the gateway's credentials." },
  {
    code: 'upstream_billing',
    status: 502,
    meaning: 'The provider account behind the model is out of credit.',
  },
  {
    code: 'upstream_error',
    status: 502,
    meaning: 'The provider failed (a 5xx, or its token endpoint is down).',
  },
  { code: 'upstream_timeout', status: 504, meaning: 'The provider did not answer in time.' },
  { code: 'upstream_overloaded', status: 503, meaning: 'The provider is overloaded.' },
  {
    code: 'upstream_invalid_request',
    status: 400,
    meaning: 'The provider refused the request; its message is passed on.',
  },
  { code: 'upstream_not_found', status: 404, meaning: 'The provider does not know the model or resource.' },
  { code: 'upstream_payload_too_large', status: 413, meaning: 'The provider refused the body as too large.' },
  {
    code: 'upstream_invalid_response',
    status: 502,
    meaning: 'The provider answered with something that could not be translated.',
  },
  {
    code: 'context_length_exceeded',
    status: 400,
    meaning: "The conversation is longer than the model's context window.",
  },
  {
    code: 'no_upstream_available',
    status: 503,
    meaning:
      'No key configured for the level, or every key disabled after the provider refused it (the message says which).',
  },
  {
    code: 'provider_not_supported',
    status: 501,
    meaning: 'A provider kind this gateway version does not know.',
  },
  // Streams: sent as the stream's last event once the first byte has gone out.
  { code: 'upstream_stream_interrupted', status: 502, meaning: 'The provider broke off the stream.' },
  { code: 'upstream_stream_cut', status: 502, meaning: 'The provider ended the stream before it finished.' },
  { code: 'upstream_idle_timeout', status: 502, meaning: 'The provider stopped sending mid-stream.' },
  // Admin API: authentication and roles.
  { code: 'missing_management_token', status: 401, meaning: 'No management token or session cookie.' },
  {
    code: 'invalid_management_token',
    status: 401,
    meaning: 'The management token is unknown, revoked or expired.',
  },
  { code: 'invalid_session', status: 401, meaning: 'The session cookie is invalid or expired.' },
  { code: 'invalid_credentials', status: 401, meaning: 'Wrong email or password at sign-in.' },
  {
    code: 'sessions_not_configured',
    status: 503,
    meaning: 'Sign-in without `SWITCHYARD_SESSION_SECRET`; bearer tokens keep working.',
  },
  { code: 'kek_not_configured', status: 503, meaning: 'An upstream key write without `SWITCHYARD_KEK`.' },
  {
    code: 'csrf_token_invalid',
    status: 403,
    meaning: 'A cookie-authenticated write without the matching CSRF header.',
  },
  { code: 'missing_scope', status: 403, meaning: 'The token lacks the scope the endpoint needs.' },
  { code: 'insufficient_role', status: 403, meaning: "The user's role does not allow the action." },
  { code: 'ancestor_required', status: 403, meaning: 'Only an ancestor of the account may do this.' },
  { code: 'root_required', status: 403, meaning: 'Only the root account may do this.' },
  {
    code: 'scope_escalation',
    status: 403,
    meaning: 'A token may not grant more scopes than its creator holds.',
  },
  {
    code: 'cannot_modify_self',
    status: 403,
    meaning: 'A signed-in user may not change their own user; another admin must.',
  },
  // Admin API: writes.
  { code: 'policy_invalid', status: 400, meaning: 'The policy file or layer does not validate.' },
  {
    code: 'policy_widening',
    status: 422,
    meaning: 'A policy that allows more than the parent allows; `param` names the field.',
  },
  {
    code: 'policy_orphan',
    status: 400,
    meaning: 'A policy plan refused for another reason than widening (the message lists each refusal).',
  },
  { code: 'unknown_level', status: 400, meaning: 'A level id that does not exist.' },
  {
    code: 'account_move_refused',
    status: 400,
    meaning: 'Accounts cannot change parent; create the account under the new parent instead.',
  },
  { code: 'account_has_children', status: 409, meaning: 'An account with sub-accounts cannot be deleted.' },
  { code: 'account_has_balance', status: 409, meaning: 'An account with wallet funds cannot be deleted.' },
  {
    code: 'insufficient_balance',
    status: 409,
    meaning: 'The paying wallet holds less than the allocation or purchase needs.',
  },
  { code: 'account_id_taken', status: 409, meaning: 'An account with that id exists.' },
  { code: 'email_taken', status: 409, meaning: 'A user with that email exists.' },
  { code: 'level_id_taken', status: 409, meaning: 'A level with that id exists.' },
  { code: 'level_has_keys', status: 409, meaning: 'A level that still has upstream keys cannot be deleted.' },
  { code: 'upstream_key_id_taken', status: 409, meaning: 'An upstream key with that id exists.' },
  { code: 'plan_id_taken', status: 409, meaning: 'A plan with that id exists.' },
  { code: 'plan_retired', status: 409, meaning: 'The plan is retired: no new grants, codes or purchases.' },
  { code: 'invalid_code', status: 400, meaning: 'A redemption code that is unknown, used up or expired.' },
  // Admin API: lookups.
  { code: 'account_not_found', status: 404, meaning: "No such account in the caller's subtree." },
  { code: 'key_not_found', status: 404, meaning: 'No such gateway key.' },
  { code: 'token_not_found', status: 404, meaning: 'No such management token.' },
  { code: 'user_not_found', status: 404, meaning: 'No such user.' },
  { code: 'level_not_found', status: 404, meaning: 'No such level.' },
  { code: 'upstream_key_not_found', status: 404, meaning: 'No such upstream key.' },
  { code: 'price_not_found', status: 404, meaning: 'No such price.' },
  {
    code: 'import_too_large',
    status: 400,
    meaning: 'A price catalogue import that would write more than 2,000 prices at once.',
  },
  { code: 'plan_not_found', status: 404, meaning: 'No such plan.' },
  { code: 'request_not_found', status: 404, meaning: 'No such request in the request log.' },
  { code: 'webhook_not_found', status: 404, meaning: 'No such webhook.' },
  { code: 'delivery_not_found', status: 404, meaning: 'No such webhook delivery.' },
  // Anything else.
  {
    code: 'internal_error',
    status: 500,
    meaning: 'An unexpected error; the body holds the request id, never internal details.',
  },
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number]['code'];

/** The code refusing an account (or a descendant) whose status is not active: `suspended` or `disabled`. */
export function accountBlockedCode(status: string): ErrorCode {
  return status === 'suspended' ? 'account_suspended' : 'account_disabled';
}
