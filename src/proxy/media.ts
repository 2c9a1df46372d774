// Images, audio and moderations: relayed unchanged to a provider that serves
// them, with only the model replaced, under the same governance as generation (limits, failover,
// metering). Nothing is translated: a model routed to a provider without these APIs is refused.
import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env';
import { str } from '../bridge/read';
import { InvalidRequestError, PayloadTooLargeError } from '../errors/gateway-error';
import { mediaSpec, providerEntry } from '../providers/registry';
import type { MediaEndpoint, MediaSpec } from '../providers/types';
import { zeroUsage } from '../usage/types';
import { relayWhole } from './deliver-passthrough';
import type { Exchange } from './exchange';
import { runGoverned } from './governed';
import { MAX_BODY_BYTES, readJsonBody } from './read-json';
import { attemptOf, fetchUpstream, upstreamConfig } from './upstream-call';

const jsonSchema = z.looseObject({ model: z.string().min(1).optional() });

type MediaBody = { kind: 'json'; fields: Record<string, unknown> } | { kind: 'form'; form: FormData };

function mediaExchange(spec: MediaSpec, body: MediaBody, model: string): Exchange {
  const fields = body.kind === 'json' ? body.fields : {};
  return {
    async attempt(key, signal) {
      const wire = providerEntry(key.provider).media;
      if (!wire) {
        throw new InvalidRequestError(
          'unsupported_endpoint',
          `The model "${model}" is served by a provider without this API.`,
          'model',
        );
      }
      const target = wire.target(await upstreamConfig(key), spec.path);
      const { 'content-type': json, ...headers } = target.headers;
      let payload: BodyInit;
      if (body.kind === 'json') {
        payload = JSON.stringify({ ...body.fields, model });
        headers['content-type'] = json ?? 'application/json';
      } else {
        // A new form with the model replaced; fetch writes the multipart boundary itself.
        const form = new FormData();
        for (const [name, value] of body.form) form.append(name, name === 'model' ? model : value);
        payload = form;
      }
      const res = await fetchUpstream(target.url, { method: 'POST', headers, body: payload, signal });
      return attemptOf(res, wire, (ctx) => {
        const relayed = relayWhole(res, ctx, spec.read ?? null);
        const fromRequest = spec.requestUnits?.(fields) ?? {};
        return {
          ...relayed,
          // These answers report tokens only sometimes; their meter is the units.
          usage: () => relayed.usage() ?? zeroUsage(),
          units: () => ({ ...fromRequest, ...relayed.units?.() }),
        };
      });
    },
  };
}

async function readForm(req: Request): Promise<{ form: FormData; bytes: number }> {
  const bytes = Number(req.headers.get('content-length') ?? '0');
  if (bytes > MAX_BODY_BYTES)
    throw new PayloadTooLargeError('request_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  try {
    return { form: await req.formData(), bytes };
  } catch {
    throw new InvalidRequestError('invalid_request', 'The request body must be multipart/form-data.');
  }
}

export async function proxyMedia(c: Context<AppEnv>, endpoint: MediaEndpoint): Promise<Response> {
  const spec = mediaSpec(endpoint);
  let body: MediaBody;
  let bytes: number;
  let named: string | undefined;
  if (spec.multipart) {
    const read = await readForm(c.req.raw);
    body = { kind: 'form', form: read.form };
    bytes = read.bytes;
    const model = read.form.get('model');
    named = typeof model === 'string' ? model : undefined;
  } else {
    const read = await readJsonBody(c.req.raw, jsonSchema);
    body = { kind: 'json', fields: read.data };
    bytes = read.bytes;
    named = str(read.data.model);
  }
  const model = named || spec.defaultModel;
  if (!model) throw new InvalidRequestError('invalid_request', 'model: is required', 'model');
  return runGoverned(
    c,
    // Nothing here is priced by output tokens: reserve one, not the default output estimate.
    {
      endpoint: spec.endpoint,
      family: spec.family,
      model,
      stream: false,
      bodyBytes: bytes,
      maxOutputTokens: 1,
    },
    (route) => mediaExchange(spec, body, route.model),
  );
}
