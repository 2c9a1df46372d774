// `GET /v1beta/models` in Gemini's shape. Every method is listed: the gateway translates whichever
// the model's provider lacks (token counts are then estimates).
import type { ModelListing } from '../types';

const METHODS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
  'batchEmbedContents',
];

export const geminiModelListing: ModelListing = {
  entry: (id) => ({
    name: `models/${id}`,
    baseModelId: id,
    version: 'switchyard',
    displayName: id,
    supportedGenerationMethods: METHODS,
  }),
  list: (ids) => ({ models: ids.map(geminiModelListing.entry) }),
};
