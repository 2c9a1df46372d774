import { applyD1Migrations, env } from 'cloudflare:test';

// The same migrations wrangler applies, against the pool's real local D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
