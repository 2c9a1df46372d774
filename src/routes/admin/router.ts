// The admin API's wiring, and its OpenAPI document (generated from the same zod schemas that
// validate requests). No logic of its own.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../app-env';
import type { ApplyResult } from '../../policy/apply';
import { applyRequestSchema, policyFileSchema } from '../../policy/file-schema';
import { accountsRoute } from './accounts';
import { analyticsRoute } from './analytics';
import { auditRoute } from './audit';
import { authPublicRoute, authRoute } from './auth';
import { governanceRoute } from './governance';
import { keysRoute } from './keys';
import { ledgerRoute } from './ledger';
import { levelsRoute } from './levels';
import { adminRouter, ok, security } from './openapi';
import { plansRoute } from './plans';
import { policiesRoute } from './policies';
import { priceImportRoute } from './price-import';
import { pricesRoute } from './prices';
import { requestsRoute } from './requests';
import { routingMapRoute } from './routing-map';
import { tokensRoute } from './tokens';
import { treeRoute } from './tree';
import { usageDailyRoute } from './usage-daily';
import { usersRoute } from './users';
import { webhooksRoute } from './webhooks';

/** Behind the admin authentication middleware. */
export const adminApi = adminRouter()
  .route('/', authRoute)
  .route('/', accountsRoute)
  .route('/', treeRoute)
  .route('/', keysRoute)
  .route('/', tokensRoute)
  .route('/', usersRoute)
  .route('/', policiesRoute)
  .route('/', ledgerRoute)
  .route('/', levelsRoute)
  .route('/', pricesRoute)
  .route('/', priceImportRoute)
  .route('/', routingMapRoute)
  .route('/', plansRoute)
  .route('/', auditRoute)
  .route('/', governanceRoute)
  .route('/', analyticsRoute)
  .route('/', requestsRoute)
  .route('/', webhooksRoute);

const entity = z.enum(['account', 'level', 'upstream_key', 'gateway_key', 'price']);
/** What POST /policy/apply answers (src/policy/apply.ts ApplyResult). */
const applyResultSchema = z
  .object({
    changes: z.array(
      z.object({
        entity,
        id: z.string(),
        op: z.enum(['create', 'update', 'delete']),
        fields: z.array(z.string()).openapi({ description: 'Fields that differ; never secret values' }),
        diff: z
          .array(
            z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() }),
          )
          .optional(),
      }),
    ),
    effective: z.array(
      z.object({
        subject: z.enum(['account', 'gateway_key']),
        id: z.string(),
        field: z.string(),
        text: z.string(),
      }),
    ),
    unlisted: z.array(z.object({ entity, id: z.string() })),
    applied: z.boolean(),
  })
  .openapi('ApplyResult');

// The document must describe what applyPolicy returns: this fails the build when they drift apart.
const applyResultMatches: ApplyResult extends z.infer<typeof applyResultSchema> ? true : never = true;
void applyResultMatches;

let document: unknown;

function openApiDocument(): unknown {
  if (document) return document;
  const docs = new OpenAPIHono<AppEnv>();
  docs.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A management token (`sym_…`) or the bootstrap SWITCHYARD_ADMIN_TOKEN.',
  });
  docs.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sy_session',
    description:
      'Dashboard session from POST /admin/v1/auth/login; writes also need the x-csrf-token header.',
  });
  // Mounted by src/app.ts as plain Hono routes; listed here so the document is complete.
  docs
    .route('/admin/v1', authPublicRoute)
    .route('/admin/v1', adminApi)
    .route('/admin/v1/usage/daily', usageDailyRoute);
  docs.openAPIRegistry.registerPath({
    method: 'post',
    path: '/admin/v1/policy/apply',
    tags: ['Policy as code'],
    summary: 'Plan (dry_run) or apply a policy file; root-level token or owner only',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: applyRequestSchema } } } },
    responses: ok(applyResultSchema, 'The plan'),
  });
  docs.openAPIRegistry.registerPath({
    method: 'get',
    path: '/admin/v1/policy/export',
    tags: ['Policy as code'],
    summary: 'The running gateway as a policy file (no secrets); root-level token or owner only',
    security,
    responses: ok(policyFileSchema, 'The policy file'),
  });
  document = docs.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Switchyard admin API',
      version: '1',
      description: "Every route is scoped to the caller's subtree: anything outside it answers 404.",
    },
  });
  return document;
}

/** In front of the admin authentication middleware: sign-in and the API description. */
export const adminPublicApi = adminRouter()
  .route('/', authPublicRoute)
  .get('/openapi.json', (c) => c.json(openApiDocument()));
