// Levels (key pools) and upstream keys (routing and key pools; security and failure behaviour), root only:
// /admin/v1/levels and
// /admin/v1/upstream-keys. Secrets are write-only; reads show the last 4 characters at most.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import { NotConfiguredError } from '../../errors/gateway-error';
import { levelTimeouts } from '../../policy/export';
import { providerKind } from '../../policy/file-schema';
import { keyRing } from '../../state/keyring';
import { notifyConfigChange } from '../../state/propagation';
import {
  createLevel,
  createUpstreamKey,
  deleteLevel,
  deleteUpstreamKey,
  type LevelRow,
  listLevels,
  listUpstreamKeys,
  type UpstreamKeyRow,
  updateLevel,
  updateUpstreamKey,
} from '../../tenancy/catalog';
import {
  adminContext,
  adminRouter,
  body,
  conflictResponse,
  deleted,
  errorResponses,
  idParam,
  iso,
  json,
  OK,
  ok,
  okSchema,
  security,
} from './openapi';

const upstreamKeySchema = z
  .object({
    id: z.string(),
    level_id: z.number().int(),
    provider: providerKind,
    base_url: z.string().nullable(),
    weight: z.number().int(),
    status: z.enum(['active', 'disabled']),
    has_secret: z.boolean(),
    last4: z
      .string()
      .nullable()
      .openapi({ description: 'Last 4 characters of the secret; the rest is never returned.' }),
    kek_id: z.string().nullable(),
    options: z.record(z.string(), z.string()),
    updated_at: z.string(),
  })
  .openapi('UpstreamKey');

const levelSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    retries: z.number().int(),
    timeouts: z.object({
      connect_ms: z.number().int(),
      first_byte_ms: z.number().int(),
      idle_ms: z.number().int(),
    }),
    upstream_keys: z.array(upstreamKeySchema).optional().openapi({ description: 'In listings only.' }),
    updated_at: z.string(),
  })
  .openapi('Level');

function upstreamOut(k: UpstreamKeyRow): z.infer<typeof upstreamKeySchema> {
  return {
    id: k.id,
    level_id: k.levelId,
    provider: k.provider,
    base_url: k.baseUrl,
    weight: k.weight,
    status: k.status,
    has_secret: k.ciphertext !== null,
    last4: k.last4 || null,
    kek_id: k.kekId,
    options: (k.options ?? {}) as Record<string, string>,
    updated_at: iso(k.updatedAt) as string,
  };
}

function levelOut(l: LevelRow, keys?: UpstreamKeyRow[]): z.infer<typeof levelSchema> {
  return {
    id: l.id,
    name: l.name,
    retries: l.retries,
    timeouts: levelTimeouts(l),
    ...(keys && { upstream_keys: keys.map(upstreamOut) }),
    updated_at: iso(l.updatedAt) as string,
  };
}

const timeouts = z
  .object({
    connect_ms: z.number().int().positive(),
    first_byte_ms: z.number().int().positive(),
    idle_ms: z.number().int().positive(),
  })
  .partial()
  .strict();
const levelUpdate = z
  .object({ name: z.string().min(1).max(100), retries: z.number().int().min(0).max(10), timeouts })
  .partial()
  .strict()
  .openapi('LevelUpdate');
const levelCreate = levelUpdate
  .extend({ id: z.number().int().positive(), name: z.string().min(1).max(100) })
  .strict()
  .openapi('LevelCreate');
const levelParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const upstreamUpdate = z
  .object({
    level_id: z.number().int().positive(),
    provider: providerKind,
    base_url: z.url().nullable(),
    weight: z.number().int().min(1).max(1000),
    status: z.enum(['active', 'disabled']),
    secret: z
      .string()
      .min(1)
      .max(8192)
      .openapi({ description: 'Write-only; stored encrypted under the KEK.' }),
    deployment: z.string().max(200),
    api_version: z.string().max(50),
  })
  .partial()
  .strict()
  .openapi('UpstreamKeyUpdate');
const upstreamCreate = upstreamUpdate
  .extend({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
    level_id: z.number().int().positive(),
    provider: providerKind,
  })
  .strict()
  .openapi('UpstreamKeyCreate');

const tags = ['Levels and upstream keys'];
const route = <M extends 'get' | 'post' | 'patch' | 'delete', P extends string>(method: M, path: P) => ({
  method,
  path,
  tags,
  security,
});

const ring = (c: Context<AppEnv>) => () =>
  keyRing(c.env).catch(() => {
    throw new NotConfiguredError(
      'kek_not_configured',
      'SWITCHYARD_KEK is not set (or invalid): upstream secrets cannot be stored.',
    );
  });

export const levelsRoute = adminRouter()
  .openapi(
    createRoute({
      ...route('get', '/levels'),
      responses: ok(z.object({ data: z.array(levelSchema) }), 'Levels with their keys'),
    }),
    async (c) => {
      const rows = await listLevels(adminContext(c));
      return c.json({ data: rows.map((r) => levelOut(r.level, r.keys)) }, 200);
    },
  )
  .openapi(
    createRoute({
      ...route('post', '/levels'),
      request: { body: body(levelCreate) },
      responses: { 201: json(levelSchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const row = await createLevel(adminContext(c), c.req.valid('json'));
      await notifyConfigChange(c.env);
      return c.json(levelOut(row), 201);
    },
  )
  .openapi(
    createRoute({
      ...route('patch', '/levels/{id}'),
      request: { params: levelParam, body: body(levelUpdate) },
      responses: ok(levelSchema, 'Updated'),
    }),
    async (c) => {
      const row = await updateLevel(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
      await notifyConfigChange(c.env);
      return c.json(levelOut(row), 200);
    },
  )
  .openapi(
    createRoute({
      ...route('delete', '/levels/{id}'),
      request: { params: levelParam },
      responses: { 200: json(okSchema, 'Deleted'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      await deleteLevel(adminContext(c), c.req.valid('param').id);
      await notifyConfigChange(c.env);
      return c.json(OK, 200);
    },
  )
  .openapi(
    createRoute({
      ...route('get', '/upstream-keys'),
      responses: ok(z.object({ data: z.array(upstreamKeySchema) }), 'Upstream keys, secrets withheld'),
    }),
    async (c) => c.json({ data: (await listUpstreamKeys(adminContext(c))).map(upstreamOut) }, 200),
  )
  .openapi(
    createRoute({
      ...route('post', '/upstream-keys'),
      request: { body: body(upstreamCreate) },
      responses: { 201: json(upstreamKeySchema, 'Created'), ...errorResponses, ...conflictResponse },
    }),
    async (c) => {
      const row = await createUpstreamKey(adminContext(c), ring(c), c.req.valid('json'));
      await notifyConfigChange(c.env);
      return c.json(upstreamOut(row), 201);
    },
  )
  .openapi(
    createRoute({
      ...route('patch', '/upstream-keys/{id}'),
      request: { params: idParam, body: body(upstreamUpdate) },
      responses: ok(upstreamKeySchema, 'Updated'),
    }),
    async (c) => {
      const row = await updateUpstreamKey(
        adminContext(c),
        ring(c),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      await notifyConfigChange(c.env);
      return c.json(upstreamOut(row), 200);
    },
  )
  .openapi(
    createRoute({
      ...route('delete', '/upstream-keys/{id}'),
      request: { params: idParam },
      responses: deleted,
    }),
    async (c) => {
      await deleteUpstreamKey(adminContext(c), c.req.valid('param').id);
      await notifyConfigChange(c.env);
      return c.json(OK, 200);
    },
  );
