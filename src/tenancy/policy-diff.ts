// The difference between two effective policies, field by field (inherited policy): what the console's "what
// changes" preview lists. Pure, and free of I/O imports so the console bundles it too.
import type { EffectivePolicyView, Origin } from './effective-view';

export interface FieldValue {
  value: string;
  source: string;
}

export interface FieldChange {
  field: string;
  before: FieldValue | null;
  after: FieldValue | null;
}

/** Every effective field of a view as `field → value (source)`, one entry per leaf (pure). */
export function flattenView(view: EffectivePolicyView): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  const lists = (field: string, layers: { source: string; items: string[] }[]) => {
    if (layers.length === 0) return;
    out.set(field, {
      value: layers.map((l) => l.items.join(', ')).join(' ∧ '),
      source: layers.map((l) => l.source).join(' ∧ '),
    });
  };
  lists(
    'allow_models',
    view.allow_models.map((l) => ({ source: l.source, items: l.patterns })),
  );
  lists(
    'resources',
    view.resources.map((l) => ({ source: l.source, items: l.patterns })),
  );
  lists(
    'ip_allow',
    view.ip_allow.map((l) => ({ source: l.source, items: l.cidrs })),
  );
  const one = (field: string, o: Origin<unknown> | undefined | null) => {
    if (o)
      out.set(field, {
        value: Array.isArray(o.value) ? o.value.join(', ') : String(o.value),
        source: o.source,
      });
  };
  for (const [name, o] of Object.entries(view.limits)) one(`limits.${name}`, o);
  for (const [k, o] of Object.entries(view.model_mapper)) one(`model_mapper.${k}`, o);
  for (const [k, o] of Object.entries(view.level_mapper)) one(`level_mapper.${k}`, o);
  for (const [k, o] of Object.entries(view.switch_over)) one(`switch_over.${k}`, o);
  for (const [k, l] of Object.entries(view.model_limits)) {
    one(`model_limits.${k}.rpm`, l.rpm);
    one(`model_limits.${k}.tpm`, l.tpm);
  }
  one('budget_alerts', view.budget_alerts);
  one('level', view.level);
  return out;
}

/** The fields whose value or origin differs between two views (pure). */
export function diffViews(before: EffectivePolicyView, after: EffectivePolicyView): FieldChange[] {
  const a = flattenView(before);
  const b = flattenView(after);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const x = a.get(field) ?? null;
    const y = b.get(field) ?? null;
    if (x?.value !== y?.value || x?.source !== y?.source) changes.push({ field, before: x, after: y });
  }
  return changes;
}
