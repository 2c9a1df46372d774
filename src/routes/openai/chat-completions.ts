import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyChatCompletions } from '../../proxy/chat-completions';

export const chatCompletionsRoute = new Hono<AppEnv>().post('/', (c) => proxyChatCompletions(c));
