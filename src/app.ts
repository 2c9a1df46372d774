// Wires routes and middleware; no logic of its own.
import { Hono } from 'hono';
import type { AppEnv } from './app-env';
import { unhandledError, unknownEndpoint } from './app-errors';
import { gatewayAuth } from './middleware/gateway-auth';
import { proxyAcl } from './middleware/proxy-acl';
import { requestContext } from './middleware/request-context';
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

// The admin API is loaded on its first request (a cold isolate serving the proxy skips building
// its routes and schemas); it answers with its own request context and error handlers.
let adminApp: Promise<Hono<AppEnv>> | undefined;
app.all('/admin/*', async (c) => {
  adminApp ??= import('./routes/admin/app').then((m) => m.adminApp);
  return (await adminApp).fetch(c.req.raw, c.env, c.executionCtx);
});

app.notFound(async (c) => {
  return dashboardPage(c) ?? unknownEndpoint(c);
});

app.onError(unhandledError);

export type AppType = typeof app;
export { app };
