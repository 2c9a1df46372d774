// `GET /v1/models` in OpenAI's shape (the gateway knows no creation dates: 0).
import type { ModelListing } from '../types';

export const openAIModelListing: ModelListing = {
  entry: (id) => ({ id, object: 'model', created: 0, owned_by: 'switchyard' }),
  list: (ids) => ({ object: 'list', data: ids.map(openAIModelListing.entry) }),
};
