// The admin API's wiring, and its OpenAPI document (generated from the same zod schemas that
// validate requests). No logic of its own.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../app-env';
import { applyRequestSchema } from '../../policy/schema';
import { accountsRoute } from './accounts';
import { analyticsRoute } from './analytics';
import { auditRoute } from './audit';
import { authPublicRoute, authRoute } from './auth';
import { governanceRoute } from './governance';
import { keysRoute } from './keys';
import { ledgerRoute } from './ledger';
import { levelsRoute } from './levels';
import { adminRouter, errorResponses, json, security } from './openapi';
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
    responses: {
      200: json(z.object({ changes: z.array(z.unknown()), applied: z.boolean() }), 'The plan'),
      ...errorResponses,
    },
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
