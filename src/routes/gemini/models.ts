// Gemini's model-addressed methods: `/v1beta/models/{model}:{method}`. The model is part of the
// path segment, so one route splits it off and wires each method to its domain function.
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { asJsonArrayStream } from '../../bridge/json-array';
import { InvalidRequestError, NotFoundError } from '../../errors/gateway-error';
import { proxyCountTokens } from '../../proxy/count-tokens';
import { proxyEmbeddings } from '../../proxy/embed';
import { proxyGenerate } from '../../proxy/generate';
import { describeModel, listModels } from '../../proxy/models';

export const geminiModelsRoute = new Hono<AppEnv>()
  .get('/', (c) => listModels(c, 'gemini'))
  .get('/:model', (c) => describeModel(c, 'gemini', c.req.param('model')))
  .post('/:call', (c) => {
    const call = c.req.param('call');
    const at = call.lastIndexOf(':');
    const model = call.slice(0, at);
    const method = call.slice(at + 1);
    if (at <= 0) throw new NotFoundError('unknown_endpoint', `No endpoint POST ${c.req.path}.`);
    switch (method) {
      case 'generateContent':
        return proxyGenerate(c, 'gemini-generate', {
          endpoint: '/v1beta/models:generateContent',
          route: { model, stream: false },
        });
      case 'streamGenerateContent': {
        const alt = c.req.query('alt');
        if (alt !== undefined && alt !== 'sse' && alt !== 'json')
          throw new InvalidRequestError('invalid_parameter', 'alt must be "sse" or "json".', 'alt');
        // Without alt=sse Gemini streams one JSON array (bridge/json-array.ts).
        return proxyGenerate(c, 'gemini-generate', {
          endpoint: '/v1beta/models:streamGenerateContent',
          route: { model, stream: true },
          ...(alt === 'sse' ? {} : { reframe: asJsonArrayStream }),
        });
      }
      case 'countTokens':
        return proxyCountTokens(c, 'gemini-generate', model);
      case 'embedContent':
      case 'batchEmbedContents':
        return proxyEmbeddings(c, method === 'embedContent' ? 'gemini-embed' : 'gemini-batch-embed', model);
      default:
        throw new NotFoundError('unknown_endpoint', `No endpoint POST ${c.req.path}.`);
    }
  });
