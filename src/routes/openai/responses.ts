import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyGenerate } from '../../proxy/generate';
import { deleteOwnStoredResponse, proxyStoredResponse } from '../../proxy/responses-store';
import { responsesConversation } from '../../proxy/stored-responses';

export const responsesRoute = new Hono<AppEnv>()
  .post('/', (c) =>
    proxyGenerate(c, 'openai-responses', {
      endpoint: '/v1/responses',
      conversation: responsesConversation(c),
    }),
  )
  .get('/:id', (c) => proxyStoredResponse(c, 'openai-responses', 'retrieve', c.req.param('id')))
  .delete('/:id', (c) => deleteOwnStoredResponse(c, c.req.param('id')))
  .post('/:id/cancel', (c) => proxyStoredResponse(c, 'openai-responses', 'cancel', c.req.param('id')));
