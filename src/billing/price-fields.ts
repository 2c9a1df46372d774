// A price's rates, named once. The columns come from the drizzle table (`modelPrices` in
// src/db/schema.ts); RATE_NAMES says which of them are rates and what the policy file and the admin
// API call each one. Every copy of a price from one shape to another (file → row, row → file, row →
// API, row → config) goes through these functions, so a new rate is one column and one entry here:
// `satisfies` fails the build when the table has a rate this map lacks, and price-fields.test.ts
// fails when the policy file's or the API's schema lacks it.
import type { modelPrices } from '../db/schema';
import { fromMicros, toMicros } from '../policy/schema';

type PriceColumns = typeof modelPrices.$inferSelect;

/** The columns of a price that are not rates: identity, markup and bookkeeping. */
export type PriceKeyColumn = 'id' | 'model' | 'accountId' | 'effectiveFrom' | 'markupBps' | 'updatedAt';
export type RateColumn = Exclude<keyof PriceColumns, PriceKeyColumn>;
export type Rates = Pick<PriceColumns, RateColumn>;

export const RATE_NAMES = {
  inputPerMtok: 'input',
  outputPerMtok: 'output',
  cachedReadPerMtok: 'cached_read',
  cacheWritePerMtok: 'cache_write',
  reasoningPerMtok: 'reasoning',
  perImage: 'per_image',
  perAudioSecond: 'per_audio_second',
  perMillionChars: 'per_million_chars',
  perWebSearch: 'per_web_search',
} as const satisfies Record<RateColumn, string>;

export type RateName = (typeof RATE_NAMES)[RateColumn];
export const RATE_COLUMNS = Object.keys(RATE_NAMES) as RateColumn[];

/** Rates as the policy file writes them: decimal amounts, the optional ones left out when unset. */
export type FileRates = { input: string; output: string } & Partial<Record<RateName, string>>;
/** Rates as the admin API returns them: decimal amounts, null when unset. */
export type ApiRates = { input: string; output: string } & Record<
  Exclude<RateName, 'input' | 'output'>,
  string | null
>;

/** Policy file amounts → stored micro-units (an optional rate left out is null: no rate). */
export function ratesFromFile(file: FileRates): Rates {
  const out: Record<string, number | null> = {};
  for (const col of RATE_COLUMNS) {
    const amount = file[RATE_NAMES[col]];
    out[col] = amount === undefined ? null : toMicros(amount);
  }
  return out as Rates;
}

/** Stored rates → policy file amounts, unset ones left out. */
export function ratesToFile(rates: Rates): FileRates {
  const out: Record<string, string> = {};
  for (const col of RATE_COLUMNS) {
    const micros = rates[col];
    if (micros !== null) out[RATE_NAMES[col]] = fromMicros(micros);
  }
  return out as FileRates;
}

/** Stored rates → the admin API's amounts, unset ones null. */
export function ratesToApi(rates: Rates, format: (micros: number) => string): ApiRates {
  const out: Record<string, string | null> = {};
  for (const col of RATE_COLUMNS) {
    const micros = rates[col];
    out[RATE_NAMES[col]] = micros === null ? null : format(micros);
  }
  return out as ApiRates;
}

/** The rates of any price-shaped row, and nothing else. */
export function pickRates(row: Rates): Rates {
  const out: Record<string, number | null> = {};
  for (const col of RATE_COLUMNS) out[col] = row[col];
  return out as Rates;
}
