// The one source of Switchyard's data model. Migrations in d1-migrations/ are generated from this
// file by `npm run db:generate` (drizzle-kit); never edit them by hand.
//
// Conventions: ids are text; timestamps are integer milliseconds since the epoch; money is integer
// micro-units (1 USD = 1_000_000) and never a float; a "day" is `YYYY-MM-DD` in the root account's
// time zone. JSON columns hold zod-validated documents (see src/policy/schema.ts).
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ProviderKind } from '../providers/kinds';

export type AccountStatus = 'active' | 'suspended' | 'disabled';
export type UserRole = 'owner' | 'admin' | 'member' | 'viewer';

// The account tree. `path` is the materialized ancestry (`/root/eng/alice/`), so a subtree is one
// range scan on an index; moves are refused, which keeps `path` immutable.
export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    parentId: text('parent_id'),
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    name: text('name').notNull(),
    status: text('status').$type<AccountStatus>().notNull().default('active'),
    // Free-form role of the account in the organization (org, department, team, customer, user).
    kind: text('kind').notNull().default('team'),
    // Default routing level for the account's traffic when no level_mapper entry matches.
    level: integer('level'),
    // IANA time zone; meaningful on the root (day boundary for quotas and rollups).
    timezone: text('timezone'),
    // Bumped on every change that affects request handling, so caches can tell they are stale.
    configVersion: integer('config_version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('accounts_path_idx').on(t.path), index('accounts_parent_idx').on(t.parentId)],
);

// One policy document per account (inherited policy). Kept apart from `accounts` so the tree can be listed
// without dragging every policy along.
export const policies = sqliteTable('policies', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  body: text('body', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    // `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    status: text('status').$type<'active' | 'disabled'>().notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    lastLoginAt: integer('last_login_at'),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email), index('users_account_idx').on(t.accountId)],
);

// Gateway keys: shown once, stored as SHA-256 hash plus a visible prefix.
export const gatewayKeys = sqliteTable(
  'gateway_keys',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    // A policy narrower than the account's (inherited policy); null means "the account's".
    policy: text('policy', { mode: 'json' }),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by'),
  },
  (t) => [uniqueIndex('gateway_keys_hash_idx').on(t.hash), index('gateway_keys_account_idx').on(t.accountId)],
);

export const managementTokens = sqliteTable(
  'management_tokens',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    // e.g. ["usage:read", "policy:write"]
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by'),
  },
  // created_by: the user or token that minted it; revoking a token revokes what it minted.
  (t) => [
    uniqueIndex('management_tokens_hash_idx').on(t.hash),
    index('management_tokens_created_by_idx').on(t.createdBy),
  ],
);

// A level is a pool of upstream keys (routing and key pools); models reach a level through `level_mapper`.
export const levels = sqliteTable('levels', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  // Same-level retries on the next healthy key before the switch_over chain is followed.
  retries: integer('retries').notNull().default(1),
  connectTimeoutMs: integer('connect_timeout_ms').notNull().default(10_000),
  firstByteTimeoutMs: integer('first_byte_timeout_ms').notNull().default(60_000),
  idleTimeoutMs: integer('idle_timeout_ms').notNull().default(60_000),
  updatedAt: integer('updated_at').notNull(),
});

// Upstream provider credentials. The secret exists only as AES-GCM ciphertext under the key
// encryption key named by `kekId`; `fingerprint` (HMAC of the secret) lets policy-as-code detect a
// changed secret without decrypting, and `last4` is all a reader ever sees.
export const upstreamKeys = sqliteTable(
  'upstream_keys',
  {
    id: text('id').primaryKey(),
    levelId: integer('level_id')
      .notNull()
      .references(() => levels.id, { onDelete: 'cascade' }),
    provider: text('provider').$type<ProviderKind>().notNull(),
    baseUrl: text('base_url'),
    weight: integer('weight').notNull().default(1),
    status: text('status').$type<'active' | 'disabled'>().notNull().default('active'),
    credentialKind: text('credential_kind').$type<'api_key' | 'oauth_refresh'>().notNull().default('api_key'),
    ciphertext: text('ciphertext'),
    kekId: text('kek_id'),
    fingerprint: text('fingerprint'),
    last4: text('last4'),
    // Provider specifics: azure deployment + api_version, extra headers, model rename table.
    options: text('options', { mode: 'json' }),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('upstream_keys_level_idx').on(t.levelId)],
);

// Prices per model and token class in micro-units per million tokens; effective-dated; an
// `accountId` row overrides the global (null) row for that account's subtree.
export const modelPrices = sqliteTable(
  'model_prices',
  {
    id: text('id').primaryKey(),
    model: text('model').notNull(),
    accountId: text('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    effectiveFrom: text('effective_from').notNull(),
    inputPerMtok: integer('input_per_mtok').notNull().default(0),
    outputPerMtok: integer('output_per_mtok').notNull().default(0),
    cachedReadPerMtok: integer('cached_read_per_mtok'),
    cacheWritePerMtok: integer('cache_write_per_mtok'),
    reasoningPerMtok: integer('reasoning_per_mtok'),
    perImage: integer('per_image'),
    perAudioSecond: integer('per_audio_second'),
    perMillionChars: integer('per_million_chars'),
    perWebSearch: integer('per_web_search'),
    // Markup in basis points applied on top (account overrides), e.g. 1000 = +10%.
    markupBps: integer('markup_bps').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('model_prices_key_idx').on(t.model, t.accountId, t.effectiveFrom)],
);

export type PlanKind = 'subscription' | 'card' | 'addon';

// Products (credits and plans): a subscription grants a daily allowance over a validity window; a card is
// prepaid
// value with an expiry; an add-on is extra daily quota.
export const plans = sqliteTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').$type<PlanKind>().notNull(),
  dailyAllowance: integer('daily_allowance'),
  amount: integer('amount'),
  validityDays: integer('validity_days').notNull(),
  price: integer('price').notNull().default(0),
  status: text('status').$type<'active' | 'retired'>().notNull().default('active'),
  createdAt: integer('created_at').notNull(),
});

// A plan held by an account; cards carry their remaining value here.
export const planGrants = sqliteTable(
  'plan_grants',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    kind: text('kind').$type<PlanKind>().notNull(),
    startsAt: integer('starts_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    dailyAllowance: integer('daily_allowance'),
    remaining: integer('remaining'),
    status: text('status').$type<'active' | 'expired' | 'cancelled'>().notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    /** A bought subscription or add-on that renews at expiry, paid by `account` or `parent`. */
    renew: text('renew').$type<'account' | 'parent'>(),
  },
  (t) => [index('plan_grants_account_idx').on(t.accountId, t.expiresAt)],
);

export const redemptionCodes = sqliteTable('redemption_codes', {
  codeHash: text('code_hash').primaryKey(),
  planId: text('plan_id')
    .notNull()
    .references(() => plans.id),
  createdByAccountId: text('created_by_account_id').notNull(),
  expiresAt: integer('expires_at'),
  redeemedByAccountId: text('redeemed_by_account_id'),
  redeemedAt: integer('redeemed_at'),
  createdAt: integer('created_at').notNull(),
});

import type { ChargeSource, LedgerKind } from '../billing/ledger-kinds';

export type { ChargeSource, LedgerKind };

// Append-only ledger; `amount` is signed micro-units. The balance is the sum of the money entries:
// every entry except usage drawn from a plan's daily allowance or an add-on, which are quota, not
// money (they are here so an account's charges read in one place).
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<LedgerKind>().notNull(),
    amount: integer('amount').notNull(),
    counterpartyAccountId: text('counterparty_account_id'),
    // `<request id>:<grant id or "balance">` for usage charges, grant id for card loads and
    // expiries: makes replays idempotent.
    ref: text('ref'),
    memo: text('memo'),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by'),
    // Usage charges only: what was drawn on, which grant, and the usage day (root time zone).
    source: text('source').$type<ChargeSource>(),
    grantId: text('grant_id'),
    day: text('day'),
  },
  (t) => [
    index('ledger_account_idx').on(t.accountId, t.createdAt),
    uniqueIndex('ledger_ref_idx').on(t.accountId, t.kind, t.ref),
    index('ledger_grant_day_idx').on(t.grantId, t.day),
  ],
);

// Scratch rows of the usage consumer: a record's row exists only inside the D1 batch that writes
// it for the first time, so every later statement of the batch can tell "new" from "redelivered".
export const usagePending = sqliteTable('usage_pending', {
  requestId: text('request_id').primaryKey(),
  accountId: text('account_id').notNull(),
  day: text('day').notNull(),
  ts: integer('ts').notNull(),
  cost: integer('cost').notNull(),
});

// Raw usage events, one per request, keyed by request id so a redelivered queue message is a no-op.
export const usageEvents = sqliteTable(
  'usage_events',
  {
    requestId: text('request_id').primaryKey(),
    accountId: text('account_id').notNull(),
    accountPath: text('account_path').notNull(),
    keyId: text('key_id'),
    day: text('day').notNull(),
    ts: integer('ts').notNull(),
    endpoint: text('endpoint').notNull(),
    clientProtocol: text('client_protocol').notNull(),
    provider: text('provider'),
    modelRequested: text('model_requested').notNull(),
    model: text('model').notNull(),
    level: integer('level'),
    upstreamKeyId: text('upstream_key_id'),
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    stream: integer('stream', { mode: 'boolean' }).notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedReadTokens: integer('cached_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    images: integer('images').notNull().default(0),
    audioSeconds: integer('audio_seconds').notNull().default(0),
    audioChars: integer('audio_chars').notNull().default(0),
    webSearchCalls: integer('web_search_calls').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    // True when the provider reported no usage and a tokenizer estimated it.
    estimated: integer('estimated', { mode: 'boolean' }).notNull().default(false),
    // True when no price was known for the model: cost is 0 but flagged, never silently free.
    unpriced: integer('unpriced', { mode: 'boolean' }).notNull().default(false),
    latencyMs: integer('latency_ms').notNull(),
    ttftMs: integer('ttft_ms'),
    retries: integer('retries').notNull().default(0),
    switchedOver: integer('switched_over', { mode: 'boolean' }).notNull().default(false),
  },
  // The request log's three access paths (src/analytics/request-plan.ts), each in its order, newest
  // first, so a page reads about `limit` rows: one account's events by time; a key's events by time;
  // and every event by time, carrying the path so a subtree is checked without reading the row.
  // The ts-leading index also serves the retention job's delete.
  (t) => [
    index('usage_events_ts_idx').on(t.ts, t.requestId, t.accountPath),
    index('usage_events_path_ts_idx').on(t.accountPath, t.ts, t.requestId),
    index('usage_events_key_ts_idx').on(t.keyId, t.ts, t.requestId),
  ],
);

// Daily rollups per account × day × model. `accountPath` is denormalized (paths never change), so
// the rollups of a subtree are one range scan on (account_path, day).
export const usageDaily = sqliteTable(
  'usage_daily',
  {
    accountId: text('account_id').notNull(),
    day: text('day').notNull(),
    model: text('model').notNull(),
    accountPath: text('account_path').notNull(),
    requests: integer('requests').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedReadTokens: integer('cached_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    images: integer('images').notNull().default(0),
    audioSeconds: integer('audio_seconds').notNull().default(0),
    audioChars: integer('audio_chars').notNull().default(0),
    webSearchCalls: integer('web_search_calls').notNull().default(0),
    costMicros: integer('cost_micros').notNull().default(0),
    estimatedRequests: integer('estimated_requests').notNull().default(0),
    unpricedRequests: integer('unpriced_requests').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.day, t.model] }),
    index('usage_daily_path_day_idx').on(t.accountPath, t.day),
  ],
);

// Budget alerts already sent, so each threshold fires once per period.
export const budgetAlerts = sqliteTable(
  'budget_alerts',
  {
    accountId: text('account_id').notNull(),
    period: text('period').notNull(),
    threshold: integer('threshold').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.period, t.threshold] })],
);

// Every admin write: who, what, before/after (secrets redacted), when, from where.
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    ts: integer('ts').notNull(),
    actorType: text('actor_type').$type<'user' | 'management_token' | 'bootstrap' | 'system'>().notNull(),
    actorId: text('actor_id'),
    // The account in whose subtree the write happened; audit reads are scoped by its path.
    accountPath: text('account_path').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    ip: text('ip'),
    requestId: text('request_id'),
  },
  (t) => [index('audit_log_path_ts_idx').on(t.accountPath, t.ts)],
);

// Stored Responses (`store: true`) of models served through another protocol: one row per response,
// holding the items that turn added (its input, references expanded, then its output) and the
// response object `GET /v1/responses/{id}` returns. A conversation is the chain of rows linked by
// `previous_id`. Rows belong to one account and expire (see src/proxy/responses-store.ts).
export const storedResponses = sqliteTable(
  'stored_responses',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    previousId: text('previous_id'),
    model: text('model').notNull(),
    // JSON array of Responses items.
    items: text('items').notNull(),
    // JSON response object.
    response: text('response').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('stored_responses_expires_idx').on(t.expiresAt)],
);

// Webhooks (usage pipeline): an account's endpoints receive the events of its subtree. The signing secret is
// kept encrypted under the KEK (it must be readable to sign); while a rotation is in its grace
// period the previous secret signs too, so receivers can switch without missing a delivery.
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** Event types delivered (JSON array); `["*"]` is every type. */
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    secretCiphertext: text('secret_ciphertext').notNull(),
    kekId: text('kek_id').notNull(),
    previousSecretCiphertext: text('previous_secret_ciphertext'),
    previousKekId: text('previous_kek_id'),
    previousExpiresAt: integer('previous_expires_at'),
    status: text('status').$type<'active' | 'disabled'>().notNull().default('active'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('webhook_endpoints_account_idx').on(t.accountId)],
);

/** One row per (event, endpoint): the unit of at-least-once delivery and its retries. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    /** The exact body sent (and signed), so every attempt sends the same bytes. */
    body: text('body').notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_endpoint_idx').on(t.eventId, t.endpointId),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
  ],
);

/** Anomalies acted on (usage pipeline): one row per account and day, so overlapping job runs act once. */
export const anomalyActions = sqliteTable(
  'anomaly_actions',
  {
    accountId: text('account_id').notNull(),
    day: text('day').notNull(),
    action: text('action').$type<'alert' | 'suspend' | 'cap'>().notNull(),
    metric: text('metric').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day] })],
);
