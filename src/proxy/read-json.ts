// Request bodies: size-limited, parsed, and validated into the caller's protocol errors.
import type { z } from 'zod';
import { InvalidRequestError, PayloadTooLargeError } from '../errors/gateway-error';
import { parseWith } from '../lib/validate';

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('invalid_json', 'The request body is not valid JSON.');
  }
  return { data: parseWith(schema, json), bytes: text.length };
}
