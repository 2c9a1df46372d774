// `GET /v1/models` serves both OpenAI and Anthropic SDKs (same path): Anthropic's send
// `anthropic-version`, and get Anthropic's shape.
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { describeModel, listModels } from '../../proxy/models';

export const modelsRoute = new Hono<AppEnv>()
  .get('/', (c) => listModels(c, c.req.header('anthropic-version') ? 'anthropic' : 'openai'))
  .get('/:model{.+}', (c) =>
    describeModel(c, c.req.header('anthropic-version') ? 'anthropic' : 'openai', c.req.param('model')),
  );
