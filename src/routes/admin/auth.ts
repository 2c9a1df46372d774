// Dashboard sign-in (account tree and identity): POST /admin/v1/auth/login (public) sets the session cookie
// (HttpOnly,
// Secure, SameSite=Strict) and a readable CSRF cookie; /logout clears them; /me says who is calling.
import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { sessionSecret } from '../../auth/admin-actor';
import { login } from '../../auth/login';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, SESSION_TTL_SECONDS } from '../../auth/session';
import { gatewayConfig } from '../../state/config';
import { capabilitiesOf, userRoles } from '../../tenancy/permissions';
import { retentionDays } from '../../usage/retention';
import {
  adminContext,
  adminRouter,
  body,
  errorResponses,
  errorSchema,
  json,
  OK,
  ok,
  okSchema,
  security,
} from './openapi';
import { userOut, userSchema } from './users';

const loginBody = z
  .object({ email: z.string().min(3).max(254), password: z.string().min(1).max(256) })
  .strict()
  .openapi('Login');

const sessionSchema = z
  .object({
    user: userSchema,
    csrf_token: z.string().openapi({ description: `Send it as the ${CSRF_HEADER} header on every write.` }),
    expires_at: z.string(),
  })
  .openapi('Session');

const meSchema = z
  .object({
    type: z.enum(['bootstrap', 'management_token', 'user']),
    id: z.string().nullable(),
    account_id: z.string().nullable(),
    account_path: z.string(),
    role: z.enum(userRoles).nullable(),
    capabilities: z.array(z.string()).openapi({ example: ['read', 'usage:read', 'keys:write:own'] }),
    via: z.enum(['bearer', 'cookie']),
    timezone: z
      .string()
      .openapi({ description: "The root's IANA time zone: days and times are shown in it" }),
    currency: z
      .string()
      .openapi({ description: 'ISO 4217 code of the root currency (all `*_micros` amounts)' }),
    usage_retention_days: z.number().int().openapi({ description: 'How long raw request events are kept' }),
  })
  .openapi('Me');

const tags = ['Auth'];

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  tags,
  summary: 'Sign in with email and password; sets the session and CSRF cookies',
  request: { body: body(loginBody) },
  responses: {
    200: json(sessionSchema, 'Signed in'),
    ...errorResponses,
    503: json(errorSchema, 'SWITCHYARD_SESSION_SECRET is not configured'),
  },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags,
  security,
  summary: 'Clear the session cookies (with a cookie session, send the CSRF header)',
  responses: ok(okSchema, 'Signed out'),
});

const meRoute = createRoute({
  method: 'get',
  path: '/auth/me',
  tags,
  security,
  responses: ok(meSchema, 'The caller'),
});

const cookieBase = { secure: true, sameSite: 'Strict', maxAge: SESSION_TTL_SECONDS } as const;

/** Mounted in front of the admin authentication middleware. */
export const authPublicRoute = adminRouter().openapi(loginRoute, async (c) => {
  const secret = sessionSecret(c.env);
  const ctx = adminContext(c);
  const result = await login(ctx.db, secret, c.req.valid('json'), ctx);
  // The session is for the admin API only; the CSRF cookie must be readable by the dashboard.
  setCookie(c, SESSION_COOKIE, result.session, { ...cookieBase, httpOnly: true, path: '/admin' });
  setCookie(c, CSRF_COOKIE, result.csrf, { ...cookieBase, httpOnly: false, path: '/' });
  const expiresAt = new Date(result.expiresAt * 1000).toISOString();
  return c.json({ user: userOut(result.user), csrf_token: result.csrf, expires_at: expiresAt }, 200);
});

export const authRoute = adminRouter()
  .openapi(logoutRoute, (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/admin', secure: true, sameSite: 'Strict', httpOnly: true });
    deleteCookie(c, CSRF_COOKIE, { path: '/', secure: true, sameSite: 'Strict' });
    return c.json(OK, 200);
  })
  .openapi(meRoute, async (c) => {
    const actor = c.get('actor');
    const caps = capabilitiesOf(actor);
    const { timezone } = await gatewayConfig(c.env, Date.now());
    return c.json(
      {
        type: actor.type,
        id: actor.id,
        account_id: actor.accountId,
        account_path: actor.accountPath,
        role: actor.role,
        capabilities: caps === 'all' ? ['all'] : [...caps],
        via: actor.via,
        timezone,
        currency: c.env.DEFAULT_CURRENCY,
        usage_retention_days: retentionDays(c.env),
      },
      200,
    );
  });
