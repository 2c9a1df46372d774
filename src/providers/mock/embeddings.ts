// The mock provider's embeddings: deterministic vectors from a hash of each text (FNV-1a), usage as
// whitespace-separated words, in OpenAI's wire format — enough for demos and tests without a key.
import { list, num, rec } from '../../bridge/read';
import { float32Base64, openAIEmbeddingsWire } from '../openai/embeddings';
import type { EmbeddingsWire } from '../types';
import { countWords } from './reply';

function vector(text: string, dims: number): number[] {
  let h = 0x811c9dc5;
  const out: number[] = [];
  for (let i = 0; i < dims; i++) {
    for (const ch of `${i}:${text}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out.push(((h % 2048) - 1024) / 1024);
  }
  return out;
}

export const mockEmbeddings: EmbeddingsWire = {
  ...openAIEmbeddingsWire(() => ({ url: 'mock:embeddings', headers: {} })),
  send: async (req) => {
    const input = req.body['input'];
    const inputs = (typeof input === 'string' ? [input] : list(input)).map((v) =>
      Array.isArray(v) ? v.join(' ') : String(v),
    );
    const dims = num(rec(req.body)['dimensions']) ?? 8;
    const base64 = req.body['encoding_format'] === 'base64';
    const tokens = inputs.reduce((n, t) => n + countWords(t), 0);
    return Response.json({
      object: 'list',
      data: inputs.map((t, index) => {
        const v = vector(t, dims);
        return { object: 'embedding', index, embedding: base64 ? float32Base64(v) : v };
      }),
      model: req.body['model'],
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  },
};
