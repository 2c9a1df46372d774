// Optional secrets that no environment requires, so `wrangler types` (which reads `secrets.required`
// in wrangler.toml, never .dev.vars) does not declare them. The required ones — SWITCHYARD_ADMIN_TOKEN,
// SWITCHYARD_KEK, SWITCHYARD_KEK_ID, SWITCHYARD_SESSION_SECRET — come from the generated
// ./worker-configuration.d.ts; declare nothing here that it declares.
declare namespace Cloudflare {
  interface Env {
    /** Retired KEKs still able to decrypt: comma-separated `id:base64`. */
    SWITCHYARD_KEK_PREVIOUS?: string;
    /** Where budget alerts are POSTed (webhooks); a secret because such URLs often carry a token. */
    SWITCHYARD_ALERT_WEBHOOK_URL?: string;
  }
}
