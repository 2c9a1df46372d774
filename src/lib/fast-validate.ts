// A precompiled yes/no check for a zod schema, for the request path (performance): workerd forbids
// `new Function`, so zod runs its interpreted path there, and its parse copies every object it
// validates. For a schema built only of plain types and the checks listed below (no transforms,
// defaults, refinements or pipes), a value this check accepts is one zod accepts and returns
// unchanged (deep-equal), so the caller can use the value itself. A value it refuses is handed to
// zod, which then produces the error (and its message) as before. A schema with anything else gets
// no check (null): zod alone, always.
import type { z } from 'zod';

type Check = (v: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  // A schema that is itself a check (`z.int()`) carries the check's fields on its own def.
  check?: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  catchall?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
  entries?: Record<string, unknown>;
  values?: unknown[];
}

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
  prefix?: string;
}

/** One refinement as a predicate, or null when it is not one this module knows. */
function refinement(c: CheckDef): Check | null {
  switch (c.check) {
    case 'min_length': {
      const min = c.minimum as number;
      return (v) => (v as string | unknown[]).length >= min;
    }
    case 'max_length': {
      const max = c.maximum as number;
      return (v) => (v as string | unknown[]).length <= max;
    }
    case 'greater_than': {
      const at = c.value as number;
      return c.inclusive ? (v) => (v as number) >= at : (v) => (v as number) > at;
    }
    case 'less_than': {
      const at = c.value as number;
      return c.inclusive ? (v) => (v as number) <= at : (v) => (v as number) < at;
    }
    case 'number_format':
      return c.format === 'safeint' ? (v) => Number.isSafeInteger(v) : null;
    case 'string_format': {
      if (c.format === 'regex' && c.pattern) {
        const re = c.pattern;
        return (v) => {
          re.lastIndex = 0;
          return re.test(v as string);
        };
      }
      if (c.format === 'starts_with' && typeof c.prefix === 'string') {
        const prefix = c.prefix;
        return (v) => (v as string).startsWith(prefix);
      }
      return null;
    }
    default:
      return null;
  }
}

function withChecks(def: Def, base: Check): Check | null {
  const defs = (def.checks ?? []).map((c) => c._zod.def);
  if (def.check) defs.push(def as unknown as CheckDef);
  const preds: Check[] = [];
  for (const c of defs) {
    const p = refinement(c);
    if (!p) return null;
    preds.push(p);
  }
  if (preds.length === 0) return base;
  return (v) => {
    if (!base(v)) return false;
    for (const p of preds) if (!p(v)) return false;
    return true;
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function compile(def: Def): Check | null {
  switch (def.type) {
    case 'string':
      return withChecks(def, (v) => typeof v === 'string');
    case 'number':
      return withChecks(def, (v) => typeof v === 'number' && Number.isFinite(v));
    case 'boolean':
      return withChecks(def, (v) => typeof v === 'boolean');
    case 'unknown':
    case 'any':
      return def.checks?.length ? null : () => true;
    case 'literal': {
      const values = new Set(def.values ?? []);
      return withChecks(def, (v) => values.has(v));
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return withChecks(def, (v) => values.has(v));
    }
    case 'optional': {
      const inner = def.innerType ? compile(def.innerType._zod.def) : null;
      return inner && withChecks(def, (v) => v === undefined || inner(v));
    }
    case 'nullable': {
      const inner = def.innerType ? compile(def.innerType._zod.def) : null;
      return inner && withChecks(def, (v) => v === null || inner(v));
    }
    case 'array': {
      const element = def.element && compile(def.element._zod.def);
      if (!element) return null;
      return withChecks(def, (v) => {
        if (!Array.isArray(v)) return false;
        for (const item of v) if (!element(item)) return false;
        return true;
      });
    }
    case 'object':
      return compileObject(def);
    default:
      return null;
  }
}

function compileObject(def: Def): Check | null {
  const fields: [string, Check][] = [];
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const check = compile(field._zod.def);
    if (!check) return null;
    fields.push([key, check]);
  }
  const catchall = def.catchall?._zod.def.type;
  // Unknown keys: kept (`looseObject`), or — for `z.object`, which strips them and `strictObject`,
  // which refuses them — absent, so that zod's answer is the value as it is.
  if (catchall !== undefined && catchall !== 'unknown' && catchall !== 'never') return null;
  const known = new Set(fields.map(([k]) => k));
  const onlyKnown = catchall !== 'unknown';
  return withChecks(def, (v) => {
    if (!isRecord(v)) return false;
    for (const [key, check] of fields) if (!check(v[key])) return false;
    if (onlyKnown) for (const key in v) if (!known.has(key)) return false;
    return true;
  });
}

const compiled = new WeakMap<z.ZodType, Check | null>();

/** The schema's precompiled check, or null when it has parts this module does not cover. */
export function fastCheckFor(schema: z.ZodType): Check | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile((schema as unknown as { _zod: { def: Def } })._zod.def);
    compiled.set(schema, check);
  }
  return check;
}
