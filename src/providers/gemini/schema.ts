// Small Gemini REST helpers: field-name casing and OpenAPI-style schemas.
import { isRecord, type JsonRecord } from '../../bridge/read';

/** The REST API accepts proto field names in camelCase or snake_case; read them as camelCase. */
export function camelKeys(o: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = v;
  return out;
}

/**
 * Gemini's `Schema` (an OpenAPI 3.0 subset with upper-case types and `nullable`) → JSON schema:
 * types lower-cased, `nullable: true` folded into the type. Everything else is shared vocabulary.
 */
export function toJsonSchema(schema: JsonRecord | undefined): JsonRecord | undefined {
  if (!schema) return undefined;
  const convert = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(convert);
    if (!isRecord(v)) return v;
    const out: JsonRecord = {};
    for (const [k, val] of Object.entries(v)) {
      if (k === 'nullable') continue;
      out[k] = k === 'type' && typeof val === 'string' ? val.toLowerCase() : convert(val);
    }
    if (v['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
    return out;
  };
  return convert(schema) as JsonRecord;
}
