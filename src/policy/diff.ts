// Leaf-level differences between two states of one object, for the plan's object diff. Pure.
// Secret material (fingerprints, key hashes and prefixes) never appears: a changed secret shows up
// in `Change.fields` only, and the CLI names the reference (`key_env`) it came from.
export interface FieldDiff {
  /** Dotted path inside the object, e.g. `policy.limits.rpm`. */
  path: string;
  /** Absent when the field is new. */
  before?: unknown;
  /** Absent when the field is removed. */
  after?: unknown;
}

/** JSON with sorted keys, so equal documents compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

const secretFields = new Set(['fingerprint', 'hash', 'prefix']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function fieldDiff(before: object, after: object): FieldDiff[] {
  const out: FieldDiff[] = [];
  const walk = (b: unknown, a: unknown, path: string) => {
    if (isRecord(b) && isRecord(a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
      for (const k of keys) walk(b[k], a[k], path ? `${path}.${k}` : k);
      return;
    }
    if (canonical(b) === canonical(a)) return;
    out.push({
      path,
      ...(b === undefined || b === null ? {} : { before: b }),
      ...(a === undefined || a === null ? {} : { after: a }),
    });
  };
  const strip = (o: object) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !secretFields.has(k))) as Record<string, unknown>;
  walk(strip(before), strip(after), '');
  return out;
}
