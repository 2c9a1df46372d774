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
  return parseWith(schema, json);
}
