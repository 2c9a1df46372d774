// A rate added in one place only fails here: the table's rate columns, the policy file's price
// entry and the admin API's Price schema must all name the same rates (RATE_NAMES).
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { modelPrices } from '../db/schema';
import { priceFileSchema } from '../policy/file-schema';
import { priceSchema } from '../routes/admin/prices';
import { RATE_COLUMNS, RATE_NAMES, type Rates, ratesFromFile, ratesToApi, ratesToFile } from './price-fields';

// The admin routes import the Durable Object classes, which need the Workers runtime's module.
vi.mock('cloudflare:workers', () => ({ DurableObject: class {} }));

const KEY_COLUMNS = ['id', 'model', 'accountId', 'effectiveFrom', 'markupBps', 'updatedAt'];
const names = Object.values(RATE_NAMES).sort();
const without = (keys: string[], drop: string[]) => keys.filter((k) => !drop.includes(k)).sort();

describe('price rates have one source', () => {
  it('every rate column of model_prices is in RATE_NAMES, and nothing else', () => {
    expect(without(Object.keys(getTableColumns(modelPrices)), KEY_COLUMNS)).toEqual([...RATE_COLUMNS].sort());
  });

  it("the policy file's price entry names every rate", () => {
    expect(
      without(Object.keys(priceFileSchema.shape), ['model', 'account', 'effective_from', 'markup_bps']),
    ).toEqual(names);
  });

  it("the admin API's Price schema names every rate", () => {
    const keys = Object.keys(priceSchema.shape);
    expect(
      without(keys, ['id', 'model', 'account_id', 'effective_from', 'markup_bps', 'updated_at']),
    ).toEqual(names);
  });

  it('file → row → file and row → API carry every rate', () => {
    const rates = Object.fromEntries(RATE_COLUMNS.map((c, i) => [c, (i + 1) * 250_000])) as Rates;
    const file = ratesToFile(rates);
    expect(Object.keys(file).sort()).toEqual(names);
    expect(ratesFromFile(file)).toEqual(rates);
    const api = ratesToApi(rates, (m) => `${m}`);
    expect(Object.values(api).every((v) => v !== null)).toBe(true);
  });

  it('an optional rate left out of the file is stored as null and exported as absent', () => {
    const rates = ratesFromFile({ input: '1', output: '2' });
    expect(rates.perWebSearch).toBeNull();
    expect(ratesToFile(rates)).toEqual({ input: '1', output: '2' });
    expect(ratesToApi(rates, String).cached_read).toBeNull();
  });
});
