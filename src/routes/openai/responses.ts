import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyGenerate } from '../../proxy/generate';
import { proxyStoredResponse } from '../../proxy/responses-store';

export const responsesRoute = new Hono<AppEnv>()
  .post('/', (c) => proxyGenerate(c, 'openai-responses', { endpoint: '/v1/responses' }))
  .get('/:id', (c) => proxyStoredResponse(c, 'openai-responses', 'retrieve', c.req.param('id')))
  .post('/:id/cancel', (c) => proxyStoredResponse(c, 'openai-responses', 'cancel', c.req.param('id')));
