// `GET /v1/models` in Anthropic's shape: one page holding every model (no cursor needed).
import type { ModelListing } from '../types';

export const anthropicModelListing: ModelListing = {
  entry: (id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' }),
  list: (ids) => ({
    data: ids.map(anthropicModelListing.entry),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids.at(-1) ?? null,
  }),
};
