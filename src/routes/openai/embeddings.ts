import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { proxyEmbeddings } from '../../proxy/embed';

export const embeddingsRoute = new Hono<AppEnv>().post('/', (c) => proxyEmbeddings(c, 'openai-embeddings'));
