import { Hono } from 'hono';
import type { AppEnv } from '../app-env';

export const healthRoute = new Hono<AppEnv>().get('/', (c) => c.json({ ok: true, service: 'switchyard' }));
