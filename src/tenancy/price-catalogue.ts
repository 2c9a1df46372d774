// Price catalogue import (metering and pricing): LiteLLM's `model_prices_and_context_window.json` (a flat object
// keyed by model name; USD per token as JSON numbers, e.g. `"input_cost_per_token": 2.5e-06`)
// turned into the price table's integer micro-units, and the diff against the prices in force.
// Pure: no I/O, no clock.
//
// Exactness: a JSON number reaches us as a double, whose shortest round-trip text (`String(n)`)
// is the literal the file was written with (for up to 15 significant digits). That text is read
// as a decimal, digit by digit in BigInt, and shifted by the unit's scale: 0.000003 USD per token
// is 3 USD per million tokens = 3_000_000 micro-USD, with no float multiplication in between.
// Anything finer than one micro-unit per unit (rare: under 0.000001 USD per million tokens) is
// rounded half up and reported as inexact.

/** The stored amounts of one price, micro-units (per million tokens for token classes). */
export interface PriceAmounts {
  inputPerMtok: number;
  outputPerMtok: number;
  cachedReadPerMtok: number | null;
  cacheWritePerMtok: number | null;
  reasoningPerMtok: number | null;
  perImage: number | null;
  perAudioSecond: number | null;
  perMillionChars: number | null;
  perWebSearch: number | null;
}

export interface CataloguePrice extends PriceAmounts {
  model: string;
  provider: string | null;
  mode: string | null;
  /** Fields whose value was finer than a micro-unit and was rounded. */
  inexact: (keyof PriceAmounts)[];
}

export interface Skipped {
  model: string;
  reason: 'not_an_object' | 'no_token_prices' | 'invalid_number' | 'sample_spec';
}

/** Per-token → per million tokens in micro-units: 10^6 × 10^6. */
const PER_MTOK = 12;
/** Per unit (image, second, search) → micro-units. */
const PER_UNIT = 6;

type Field = {
  field: keyof PriceAmounts;
  source: string;
  scale: number;
  /** A nested key (LiteLLM's `search_context_cost_per_query` is per context size). */
  nested?: string;
};

// LiteLLM's fields for the token classes and units the gateway meters.
const FIELDS: Field[] = [
  { field: 'inputPerMtok', source: 'input_cost_per_token', scale: PER_MTOK },
  { field: 'outputPerMtok', source: 'output_cost_per_token', scale: PER_MTOK },
  { field: 'cachedReadPerMtok', source: 'cache_read_input_token_cost', scale: PER_MTOK },
  { field: 'cacheWritePerMtok', source: 'cache_creation_input_token_cost', scale: PER_MTOK },
  { field: 'reasoningPerMtok', source: 'output_cost_per_reasoning_token', scale: PER_MTOK },
  { field: 'perImage', source: 'output_cost_per_image', scale: PER_UNIT },
  { field: 'perAudioSecond', source: 'input_cost_per_second', scale: PER_UNIT },
  // Per character → per million characters in micro-units.
  { field: 'perMillionChars', source: 'input_cost_per_character', scale: PER_MTOK },
  {
    field: 'perWebSearch',
    source: 'search_context_cost_per_query',
    nested: 'search_context_size_medium',
    scale: PER_UNIT,
  },
];

export const AMOUNT_FIELDS: readonly (keyof PriceAmounts)[] = FIELDS.map((f) => f.field);

export class DecimalError extends Error {
  override name = 'DecimalError';
}

const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A non-negative decimal (a JSON number or its text, `1.25e-7` included) × 10^scale as an integer,
 * rounded half up when finer than that; `exact` says whether it was.
 */
export function scaleDecimal(value: number | string, scale: number): { value: number; exact: boolean } {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new DecimalError('not a finite number');
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new DecimalError(`not a non-negative decimal: ${JSON.stringify(text).slice(0, 40)}`);
  const [, whole = '0', frac = '', exp = '0'] = m;
  if (Math.abs(Number(exp)) > 400) throw new DecimalError('exponent out of range');
  const digits = BigInt(whole + frac);
  // value = digits × 10^(exp − frac.length); scaled: × 10^scale.
  const shift = Number(exp) - frac.length + scale;
  let out: bigint;
  let exact = true;
  if (shift >= 0) {
    out = digits * 10n ** BigInt(shift);
  } else {
    const div = 10n ** BigInt(-shift);
    out = digits / div;
    const rest = digits % div;
    if (rest !== 0n) {
      exact = false;
      if (rest * 2n >= div) out += 1n;
    }
  }
  if (out > MAX) throw new DecimalError('amount too large');
  return { value: Number(out), exact };
}

function readField(entry: Record<string, unknown>, f: Field): number | string | undefined {
  let v = entry[f.source];
  if (f.nested !== undefined) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[f.nested];
  }
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

/** Reads every model of a LiteLLM catalogue; entries without token prices are skipped, with why. */
export function parseLiteLLMCatalogue(catalogue: Record<string, unknown>): {
  prices: CataloguePrice[];
  skipped: Skipped[];
} {
  const prices: CataloguePrice[] = [];
  const skipped: Skipped[] = [];
  for (const [model, raw] of Object.entries(catalogue)) {
    // The file's first entry documents the schema; it is not a model.
    if (model === 'sample_spec') {
      skipped.push({ model, reason: 'sample_spec' });
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      skipped.push({ model, reason: 'not_an_object' });
      continue;
    }
    const entry = raw as Record<string, unknown>;
    if (
      readField(entry, FIELDS[0] as Field) === undefined &&
      readField(entry, FIELDS[1] as Field) === undefined
    ) {
      skipped.push({ model, reason: 'no_token_prices' });
      continue;
    }
    const amounts: Partial<Record<keyof PriceAmounts, number | null>> = {};
    const inexact: (keyof PriceAmounts)[] = [];
    let bad = false;
    for (const f of FIELDS) {
      const v = readField(entry, f);
      if (v === undefined) {
        amounts[f.field] = null;
        continue;
      }
      try {
        const scaled = scaleDecimal(v, f.scale);
        amounts[f.field] = scaled.value;
        if (!scaled.exact) inexact.push(f.field);
      } catch {
        bad = true;
        break;
      }
    }
    if (bad) {
      skipped.push({ model, reason: 'invalid_number' });
      continue;
    }
    prices.push({
      model,
      provider: typeof entry['litellm_provider'] === 'string' ? entry['litellm_provider'] : null,
      mode: typeof entry['mode'] === 'string' ? entry['mode'] : null,
      inputPerMtok: amounts.inputPerMtok ?? 0,
      outputPerMtok: amounts.outputPerMtok ?? 0,
      cachedReadPerMtok: amounts.cachedReadPerMtok ?? null,
      cacheWritePerMtok: amounts.cacheWritePerMtok ?? null,
      reasoningPerMtok: amounts.reasoningPerMtok ?? null,
      perImage: amounts.perImage ?? null,
      perAudioSecond: amounts.perAudioSecond ?? null,
      perMillionChars: amounts.perMillionChars ?? null,
      perWebSearch: amounts.perWebSearch ?? null,
      inexact,
    });
  }
  return { prices, skipped };
}

/** A stored global price (the one in force for the import's date). */
export interface CurrentPrice extends PriceAmounts {
  id: string;
  model: string;
  effectiveFrom: string;
  markupBps: number;
}

export interface PriceChange {
  model: string;
  provider: string | null;
  mode: string | null;
  before: CurrentPrice | null;
  after: CataloguePrice;
  /** The amounts that differ (every set one for an added model). */
  fields: (keyof PriceAmounts)[];
}

export interface CatalogueDiff {
  added: PriceChange[];
  changed: PriceChange[];
  unchanged: PriceChange[];
}

export function sameAmounts(a: PriceAmounts, b: PriceAmounts): (keyof PriceAmounts)[] {
  return AMOUNT_FIELDS.filter((f) => a[f] !== b[f]);
}

/**
 * Each catalogue price against the global price in force on the import's date: `inForce(model)`
 * is that row, or undefined for a model the table has no global price for.
 */
export function diffCatalogue(
  incoming: readonly CataloguePrice[],
  inForce: (model: string) => CurrentPrice | undefined,
): CatalogueDiff {
  const diff: CatalogueDiff = { added: [], changed: [], unchanged: [] };
  for (const after of [...incoming].sort((x, y) => (x.model < y.model ? -1 : x.model > y.model ? 1 : 0))) {
    const before = inForce(after.model) ?? null;
    const base = { model: after.model, provider: after.provider, mode: after.mode, after };
    if (!before) {
      diff.added.push({
        ...base,
        before,
        fields: AMOUNT_FIELDS.filter((f) => after[f] !== null && after[f] !== 0),
      });
      continue;
    }
    const fields = sameAmounts(before, after);
    (fields.length === 0 ? diff.unchanged : diff.changed).push({ ...base, before, fields });
  }
  return diff;
}

/** The global row in force on `day` for each model (latest effective_from not after it). */
export function inForceOn<P extends { model: string; effectiveFrom: string }>(
  rows: readonly P[],
  day: string,
): Map<string, P> {
  const out = new Map<string, P>();
  for (const r of rows) {
    if (r.effectiveFrom > day) continue;
    const best = out.get(r.model);
    if (!best || r.effectiveFrom > best.effectiveFrom) out.set(r.model, r);
  }
  return out;
}
