// Request bodies: size-limited, shape-checked (depth, one field's size), parsed, and validated into
// the caller's protocol errors.
import type { z } from 'zod';
import { InvalidRequestError, PayloadTooLargeError } from '../errors/gateway-error';
import { MAX_BODY_BYTES } from '../lib/input-limits';
import { checkJsonShape } from '../lib/json-shape';
import { parseWith } from '../lib/validate';

export { MAX_BODY_BYTES };

export async function readJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  maxBytes = MAX_BODY_BYTES,
): Promise<z.infer<S>> {
  return (await readJsonBody(req, schema, maxBytes)).data;
}

/** Also returns the body's size, which is what input-token estimates are based on. */
export async function readJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  maxBytes = MAX_BODY_BYTES,
): Promise<{ data: z.infer<S>; bytes: number }> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes)
    throw new PayloadTooLargeError('request_too_large', `Request body exceeds ${maxBytes} bytes.`);
  const text = await req.text();
  if (text.length > maxBytes)
    throw new PayloadTooLargeError('request_too_large', `Request body exceeds ${maxBytes} bytes.`);
  checkJsonShape(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('invalid_json', 'The request body is not valid JSON.');
  }
  return { data: parseWith(schema, json), bytes: text.length };
}
