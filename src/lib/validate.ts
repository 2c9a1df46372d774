// zod validation of request input (bodies, query strings) into InvalidRequestError naming the field.
import type { z } from 'zod';
import { InvalidRequestError } from '../errors/gateway-error';

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || undefined;
  throw new InvalidRequestError(
    'invalid_request',
    `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid request'}`,
    path,
  );
}
