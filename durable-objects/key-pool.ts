// KeyPool: one object per level (routing and key pools). Chooses upstream keys by smooth weighted
// round-robin over
// the healthy ones and keeps each key's sleep-on-error state. Isolates take picks in small batches
// (the order already weighted), so choosing a key rarely costs a round trip; errors come back
// asynchronously. The caller passes the level's keys, so the object never reads D1. Health and
// alerts are persisted; the round-robin cursor is not (losing it is harmless).
import { DurableObject } from 'cloudflare:workers';
import { decryptSecret, encryptSecret } from '../src/crypto/secrets';
import { keyRing } from '../src/state/keyring';
import { publishUpstreamKey } from '../src/webhooks/events';
import {
  applyOutcome,
  type Candidate,
  type KeyHealth,
  type Outcome,
  type PickState,
  pickKey,
} from './round-robin';

export interface PickRequest {
  candidates: Candidate[];
  /** Keys already tried by this request. */
  exclude?: string[];
  now: number;
}

export type PickResponse = { id: string } | { id: null; retryAfterMs: number };

export interface BatchResponse {
  ids: string[];
  /** How long the isolate may use the batch before asking again. */
  validMs: number;
  /** When `ids` is empty: how long until a key comes back from its cool-down. */
  retryAfterMs: number;
}

export interface KeyAlert {
  keyId: string;
  at: number;
  reason: string;
}

export const BATCH_VALID_MS = 1_000;
/** Access tokens are refreshed this long before they expire. */
export const REFRESH_MARGIN_MS = 60_000;

export interface TokenRequest {
  keyId: string;
  tokenUrl: string;
  clientId: string;
  scope?: string;
  /** The credential as sealed at rest: JSON `{ refresh_token, client_secret? }`. */
  sealed: string;
  /** Fingerprint of `sealed`: a rotated refresh token is only used while the source is unchanged. */
  fingerprint: string;
  now: number;
}

export type TokenResponse =
  | { ok: true; accessToken: string; expiresAt: number }
  | { ok: false; reason: string; refused: boolean };

interface RotatedToken {
  ciphertext: string;
  kekId: string;
  source: string;
}
const MAX_ALERTS = 50;

export class KeyPool extends DurableObject<Env> {
  private state: PickState = { current: {} };
  private readonly healthById = new Map<string, KeyHealth>();
  private alerts: KeyAlert[];
  private readonly tokens = new Map<string, { accessToken: string; expiresAt: number }>();
  private readonly refreshing = new Map<string, Promise<TokenResponse>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const [key, value] of ctx.storage.kv.list<KeyHealth>({ prefix: 'health:' })) {
      this.healthById.set(key.slice('health:'.length), value);
    }
    this.alerts = ctx.storage.kv.get<KeyAlert[]>('alerts') ?? [];
  }

  pick(req: PickRequest): PickResponse {
    const result = pickKey(
      req.candidates,
      (id) => this.healthById.get(id),
      this.state,
      req.now,
      new Set(req.exclude),
    );
    this.state = result.state;
    return result.id === null ? { id: null, retryAfterMs: result.retryAfterMs } : { id: result.id };
  }

  /** The next `count` picks in weighted round-robin order over the keys healthy now. */
  pickBatch(req: PickRequest & { count: number }): BatchResponse {
    const ids: string[] = [];
    const exclude = new Set(req.exclude);
    const health = (id: string) => this.healthById.get(id);
    for (let i = 0; i < req.count; i++) {
      const result = pickKey(req.candidates, health, this.state, req.now, exclude);
      if (result.id === null) return { ids, validMs: BATCH_VALID_MS, retryAfterMs: result.retryAfterMs };
      this.state = result.state;
      ids.push(result.id);
    }
    return { ids, validMs: BATCH_VALID_MS, retryAfterMs: 0 };
  }

  report(id: string, outcome: Outcome, now: number): void {
    const before = this.healthById.get(id);
    // A success on a healthy key, or another refusal of a disabled one, changes nothing.
    if (outcome.kind === 'ok' && (before === undefined || (before.failures === 0 && !before.suspectAt)))
      return;
    if (outcome.kind === 'auth_failed' && before?.disabled) return;
    const after = applyOutcome(before, outcome, now);
    this.healthById.set(id, after);
    this.ctx.storage.kv.put(`health:${id}`, after);
    if (after.disabled && !before?.disabled) {
      // A key the provider refuses needs an operator: record the alert and log it (never the key).
      const alert = { keyId: id, at: now, reason: after.lastError ?? 'disabled' };
      this.alerts = [alert, ...this.alerts].slice(0, MAX_ALERTS);
      this.ctx.storage.kv.put('alerts', this.alerts);
      console.error(JSON.stringify({ msg: 'upstream key disabled', ...alert }));
      this.ctx.waitUntil(
        publishUpstreamKey(
          this.env,
          'upstream_key.disabled',
          { id, levelId: null, reason: alert.reason },
          now,
        ),
      );
    }
  }

  /** An operator re-enables a disabled key (or clears a cool-down). */
  enable(id: string): boolean {
    const had = this.healthById.delete(id);
    this.ctx.storage.kv.delete(`health:${id}`);
    return had;
  }

  /**
   * An access token for an OAuth credential (protocol bridge): cached until shortly before it expires, and
   * refreshed one at a time per credential however many isolates ask at once.
   */
  accessToken(req: TokenRequest): Promise<TokenResponse> {
    const cached = this.tokens.get(req.keyId);
    if (cached && cached.expiresAt - REFRESH_MARGIN_MS > req.now)
      return Promise.resolve({ ok: true, ...cached });
    let pending = this.refreshing.get(req.keyId);
    if (!pending) {
      pending = this.refresh(req).finally(() => this.refreshing.delete(req.keyId));
      this.refreshing.set(req.keyId, pending);
    }
    return pending;
  }

  private async refresh(req: TokenRequest): Promise<TokenResponse> {
    const sealed = JSON.parse(req.sealed) as { refresh_token: string; client_secret?: string };
    const ring = await keyRing(this.env);
    const rotated = this.ctx.storage.kv.get<RotatedToken>(`refresh:${req.keyId}`);
    const refreshToken =
      rotated && rotated.source === req.fingerprint
        ? await decryptSecret(ring, rotated.ciphertext, rotated.kekId)
        : sealed.refresh_token;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: req.clientId,
    });
    if (sealed.client_secret) form.set('client_secret', sealed.client_secret);
    if (req.scope) form.set('scope', req.scope);
    let res: Response;
    try {
      res = await fetch(req.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
      });
    } catch {
      // Unreachable token endpoint: like a timeout, the key only cools down.
      this.report(req.keyId, { kind: 'timeout' }, req.now);
      return { ok: false, reason: 'the token endpoint could not be reached', refused: false };
    }
    const status = res.status;
    // The body is read as text: a refusal may come as an HTML or plain-text page, and that is
    // still a refusal (RFC 6749 §5.2 says JSON, proxies and identity providers do not always).
    const text = await res.text().catch(() => '');
    let body: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed as typeof body;
    } catch {
      body = {};
    }
    if (status === 429 || status >= 500) {
      // The endpoint is overloaded or failing on its side: the refresh token may well be good.
      this.report(req.keyId, status === 429 ? { kind: 'rate_limited' } : { kind: 'server_error' }, req.now);
      return { ok: false, reason: `the token endpoint failed (HTTP ${status})`, refused: false };
    }
    if (status !== 200 || typeof body.access_token !== 'string') {
      // A refused refresh disables the key like a 401 and raises an alert (never silently).
      this.report(req.keyId, { kind: 'auth_failed', status: status === 200 ? 401 : status }, req.now);
      return { ok: false, reason: `the token endpoint refused the refresh (HTTP ${status})`, refused: true };
    }
    if (typeof body.refresh_token === 'string' && body.refresh_token !== refreshToken) {
      const next = await encryptSecret(ring, body.refresh_token);
      this.ctx.storage.kv.put<RotatedToken>(`refresh:${req.keyId}`, { ...next, source: req.fingerprint });
    }
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3_600;
    const token = { accessToken: body.access_token, expiresAt: req.now + expiresIn * 1_000 };
    this.tokens.set(req.keyId, token);
    return { ok: true, ...token };
  }

  health(): { keys: Record<string, KeyHealth>; alerts: KeyAlert[] } {
    return { keys: Object.fromEntries(this.healthById), alerts: this.alerts };
  }
}
