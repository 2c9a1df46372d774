// The request log's API (GET /admin/v1/requests and /requests/{request_id}), typed from the
// generated OpenAPI types like every other call. The filters are the URL's search parameters.
import { api, ok, type paths } from '../api/client';
import { addDays } from '../format';

type List = paths['/admin/v1/requests']['get'];
export type RequestQuery = NonNullable<List['parameters']['query']>;
export type RequestEvent = List['responses'][200]['content']['application/json']['data'][number];
export type RequestDetail =
  paths['/admin/v1/requests/{request_id}']['get']['responses'][200]['content']['application/json'];

/** The filters the explorer puts in its URL, in the API's own names. */
export const filterNames = [
  'from',
  'to',
  'account',
  'key',
  'model',
  'status',
  'protocol',
  'provider',
  'level',
  'estimated',
  'unpriced',
  'min_cost',
  'min_latency',
  'request_id',
] as const satisfies readonly (keyof RequestQuery)[];

/**
 * The URL's filters as the API's query. The explorer's `to` day is inclusive (what a person means
 * by "to 3 December"); the API's `to` is exclusive, so a bare day moves to the next midnight.
 */
export function queryFrom(params: URLSearchParams): RequestQuery {
  const q: Record<string, string> = {};
  for (const name of filterNames) {
    const v = params.get(name);
    if (v) q[name] = v;
  }
  if (q['to'] && /^\d{4}-\d{2}-\d{2}$/.test(q['to'])) q['to'] = addDays(q['to'], 1);
  return q as RequestQuery;
}

export function listRequests(query: RequestQuery, cursor?: string, limit = 50) {
  return ok(
    api.GET('/admin/v1/requests', { params: { query: { ...query, limit, ...(cursor ? { cursor } : {}) } } }),
  );
}

export function readRequest(requestId: string) {
  return ok(api.GET('/admin/v1/requests/{request_id}', { params: { path: { request_id: requestId } } }));
}
