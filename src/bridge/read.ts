// Reading untyped JSON (client bodies, upstream answers) without `any`, and refusing what cannot be
// translated. Client-facing failures are InvalidRequestError naming the parameter, so the caller
// learns exactly which field to change.
import { InvalidRequestError } from '../errors/gateway-error';

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value or {} for anything that is not a plain object (for lenient reading of upstream JSON). */
export function rec(v: unknown): JsonRecord {
  return isRecord(v) ? v : {};
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A non-negative integer count, else 0 (usage fields). */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

/** Thrown for a parameter that exists in the caller's protocol but cannot be carried to the upstream's. */
export function unsupported(param: string, why: string): InvalidRequestError {
  return new InvalidRequestError('unsupported_parameter', `${param}: ${why}`, param);
}

export function invalid(param: string, why: string): InvalidRequestError {
  return new InvalidRequestError('invalid_parameter', `${param}: ${why}`, param);
}

/** Strict readers for client requests: absent or null → undefined, wrong type → 400 naming the field. */
export function optString(o: JsonRecord, key: string, param = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(param, 'must be a string');
  return v;
}

export function optNumber(o: JsonRecord, key: string, param = key): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(param, 'must be a number');
  return v;
}

export function optInteger(o: JsonRecord, key: string, param = key): number | undefined {
  const v = optNumber(o, key, param);
  if (v !== undefined && (!Number.isInteger(v) || v < 0))
    throw invalid(param, 'must be a non-negative integer');
  return v;
}

export function optBoolean(o: JsonRecord, key: string, param = key): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(param, 'must be a boolean');
  return v;
}

export function optRecord(o: JsonRecord, key: string, param = key): JsonRecord | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw invalid(param, 'must be an object');
  return v;
}

export function optArray(o: JsonRecord, key: string, param = key): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalid(param, 'must be an array');
  return v;
}

export function requireRecord(v: unknown, param: string): JsonRecord {
  if (!isRecord(v)) throw invalid(param, 'must be an object');
  return v;
}

export function requireString(o: JsonRecord, key: string, param = key): string {
  const v = optString(o, key, param);
  if (v === undefined) throw invalid(param, 'is required');
  return v;
}

/** String-valued metadata maps; other value types are a client error. */
export function optStringMap(o: JsonRecord, key: string): Record<string, string> | undefined {
  const m = optRecord(o, key);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw invalid(`${key}.${k}`, 'must be a string');
    out[k] = v;
  }
  return out;
}

/**
 * Top-level field policy of a client request. `known` fields are read by the decoder; `ignored`
 * fields are dropped with the reason given (each one is a documented harmless default); any other
 * field present and not null is refused, so nothing the caller asked for is silently lost.
 */
export function checkFields(body: JsonRecord, known: readonly string[], ignored: readonly string[]): void {
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    if (known.includes(key) || ignored.includes(key)) continue;
    throw unsupported(key, 'is not supported when this model is served through a different API');
  }
}

/** JSON text of a tool call's arguments → the object some protocols need; '' means no arguments. */
export function parseArguments(args: string, param: string): JsonRecord {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalid(param, 'tool call arguments are not valid JSON');
  }
  if (!isRecord(parsed)) throw invalid(param, 'tool call arguments must be a JSON object');
  return parsed;
}

/** Lenient variant for model output: a truncated or malformed argument text becomes {}. */
export function parseArgumentsLenient(args: string): JsonRecord {
  try {
    const parsed: unknown = JSON.parse(args);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
