import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyCountTokens } from '../../proxy/count-tokens';
import { proxyGenerate } from '../../proxy/generate';

export const messagesRoute = new Hono<AppEnv>()
  .post('/', (c) => proxyGenerate(c, 'anthropic-messages', { endpoint: '/v1/messages' }))
  .post('/count_tokens', (c) => proxyCountTokens(c, 'anthropic-messages'));
