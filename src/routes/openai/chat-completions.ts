import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyGenerate } from '../../proxy/generate';

export const chatCompletionsRoute = new Hono<AppEnv>().post('/', (c) =>
  proxyGenerate(c, 'openai-chat', { endpoint: '/v1/chat/completions' }),
);
