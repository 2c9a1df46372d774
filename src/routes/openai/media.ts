// Images, audio and moderations: relayed to OpenAI-style upstreams (proxy/media.ts).
import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyMedia } from '../../proxy/media';

export const mediaRoute = new Hono<AppEnv>()
  .post('/images/generations', (c) => proxyMedia(c, 'images'))
  .post('/audio/speech', (c) => proxyMedia(c, 'speech'))
  .post('/audio/transcriptions', (c) => proxyMedia(c, 'transcriptions'))
  .post('/audio/translations', (c) => proxyMedia(c, 'translations'))
  .post('/moderations', (c) => proxyMedia(c, 'moderations'));
