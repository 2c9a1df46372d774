// zod validation of request input (bodies, query strings) into InvalidRequestError naming the field.
import type { z } from 'zod';
import { InvalidRequestError } from '../errors/gateway-error';
import { fastCheckFor } from './fast-validate';

/** Valid input is returned as it is when the schema's precompiled check passes it (fast-validate.ts). */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (fastCheckFor(schema)?.(input)) return input as z.infer<S>;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidRequestFrom(parsed.error);
}

/** The first issue of a zod error as a 400 naming its field. */
export function invalidRequestFrom(error: z.ZodError): InvalidRequestError {
  const issue = error.issues[0];
  const path = issue?.path.join('.') || undefined;
  return new InvalidRequestError(
    'invalid_request',
    `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid request'}`,
    path,
  );
}
