// Wires routes and middleware; no logic of its own.
import { Hono } from 'hono';
import type { AppEnv } from './app-env';
import { GatewayError, InternalError, NotFoundError } from './errors/gateway-error';
import { errorResponse } from './errors/render';
import { adminAuth } from './middleware/admin-auth';
import { adminBodyLimits } from './middleware/body-limits';
import { gatewayAuth } from './middleware/gateway-auth';
import { proxyAcl } from './middleware/proxy-acl';
import { requestContext } from './middleware/request-context';
import { policyRoute } from './routes/admin/policy';
import { adminApi, adminPublicApi } from './routes/admin/router';
import { usageDailyRoute } from './routes/admin/usage-daily';
import { dashboardPage } from './routes/dashboard';
import { healthRoute } from './routes/health';
import { proxyApi } from './routes/proxy';
import { versionRoute } from './routes/version';

const app = new Hono<AppEnv>();

app.use('*', requestContext());
app.route('/healthz', healthRoute);
app.route('/version', versionRoute);

app.use('/v1/*', gatewayAuth());
app.use('/v1beta/*', gatewayAuth());
app.use('/v1/*', proxyAcl());
app.use('/v1beta/*', proxyAcl());
app.route('/', proxyApi);

// Sign-in and the OpenAPI document need no credentials, so they are mounted before admin auth.
app.use('/admin/*', adminBodyLimits());
app.route('/admin/v1', adminPublicApi);
app.use('/admin/*', adminAuth());
app.route('/admin/v1/usage/daily', usageDailyRoute);
app.route('/admin/v1/policy', policyRoute);
app.route('/admin/v1', adminApi);

app.notFound(async (c) => {
  const page = dashboardPage(c);
  if (page) return page;
  const err = new NotFoundError('unknown_endpoint', `No endpoint ${c.req.method} ${c.req.path}.`);
  return errorResponse(err, c.get('protocol'), c.get('requestId'));
});

app.onError((err, c) => {
  const requestId = c.get('requestId') ?? 'unknown';
  if (err instanceof GatewayError) return errorResponse(err, c.get('protocol') ?? 'openai', requestId);
  // Unknown errors are logged with the request id; the caller never sees their text (it may hold
  // SQL, parameters or upstream details).
  console.error(JSON.stringify({ msg: 'unhandled error', requestId, name: err.name, stack: err.stack }));
  return errorResponse(new InternalError(), c.get('protocol') ?? 'openai', requestId);
});

export type AppType = typeof app;
export { app };
