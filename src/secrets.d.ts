// Secrets are set with `wrangler secret put` (or .dev.vars locally) and so are not in wrangler.toml,
// where `wrangler types` reads bindings from.
declare namespace Cloudflare {
  interface Env {
    /** Bootstrap management token with root scope (C3); compare by hash, never log. */
    SWITCHYARD_ADMIN_TOKEN?: string;
    /** Key-encryption key for upstream secrets: 32 random bytes, base64. */
    SWITCHYARD_KEK?: string;
    /** Id of SWITCHYARD_KEK, stored with each ciphertext so the KEK can be rotated. */
    SWITCHYARD_KEK_ID?: string;
    /** Retired KEKs still able to decrypt: comma-separated `id:base64`. */
    SWITCHYARD_KEK_PREVIOUS?: string;
    /** HS256 key for dashboard session JWTs, at least 32 characters; without it sign-in is refused. */
    SWITCHYARD_SESSION_SECRET?: string;
    /** Where budget alerts are POSTed (C9); a secret because such URLs often carry a token. */
    SWITCHYARD_ALERT_WEBHOOK_URL?: string;
  }
}
