// Every proxy endpoint (client protocols), mounted under the gateway-key middleware by app.ts. Wiring only.
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { messagesRoute } from './anthropic/messages';
import { geminiModelsRoute } from './gemini/models';
import { chatCompletionsRoute } from './openai/chat-completions';
import { embeddingsRoute } from './openai/embeddings';
import { mediaRoute } from './openai/media';
import { modelsRoute } from './openai/models';
import { responsesRoute } from './openai/responses';

export const proxyApi = new Hono<AppEnv>()
  .route('/v1/chat/completions', chatCompletionsRoute)
  .route('/v1/responses', responsesRoute)
  .route('/v1/embeddings', embeddingsRoute)
  .route('/v1/models', modelsRoute)
  .route('/v1/messages', messagesRoute)
  .route('/v1', mediaRoute)
  .route('/v1beta/models', geminiModelsRoute);
