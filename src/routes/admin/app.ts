// The admin API as an app of its own, so the Worker loads it (its OpenAPI routes and their schemas)
// on the first admin request instead of at start-up: proxy traffic never pays for it.
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { unhandledError, unknownEndpoint } from '../../app-errors';
import { adminAuth } from '../../middleware/admin-auth';
import { adminBodyLimits } from '../../middleware/body-limits';
import { requestContext } from '../../middleware/request-context';
import { policyRoute } from './policy';
import { adminApi, adminPublicApi } from './router';
import { usageDailyRoute } from './usage-daily';

export const adminApp = new Hono<AppEnv>();

adminApp.use('*', requestContext());
// Sign-in and the OpenAPI document need no credentials, so they are mounted before admin auth.
adminApp.use('/admin/*', adminBodyLimits());
adminApp.route('/admin/v1', adminPublicApi);
adminApp.use('/admin/*', adminAuth());
adminApp.route('/admin/v1/usage/daily', usageDailyRoute);
adminApp.route('/admin/v1/policy', policyRoute);
adminApp.route('/admin/v1', adminApi);
adminApp.notFound(unknownEndpoint);
adminApp.onError(unhandledError);
