// GET /version: what is deployed, for CI and operators (no credentials; nothing secret in it).
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { builtMigrations, recordedMigrations, schemaLevel } from '../ops/version';

export const versionRoute = new Hono<AppEnv>().get('/', async (c) => {
  const schema = schemaLevel(builtMigrations, await recordedMigrations(c.env.DB));
  return c.json({
    service: 'switchyard',
    revision: String(c.env.SWITCHYARD_REVISION ?? 'unknown'),
    environment: String(c.env.SWITCHYARD_ENVIRONMENT ?? 'unknown'),
    schema: { ...schema, ok: schema.pending.length === 0 },
  });
});
