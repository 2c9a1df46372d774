// The kinds of ledger entries and the sources a usage charge draws on: one list, read by the storage
// schema, the admin API's filters and the console's filter menus (so it stays free of imports).

export const LEDGER_KINDS = [
  'topup',
  'debit',
  'allocate_out',
  'allocate_in',
  'usage',
  'refund',
  'card',
  'expire',
  /** A plan bought from the balance (credits and plans); ref = the grant id, shared with a card's credit. */
  'purchase',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** What a usage charge drew on, in order: plan allowance, add-on, card, then the plain balance. */
export const CHARGE_SOURCES = ['allowance', 'addon', 'card', 'balance'] as const;
export type ChargeSource = (typeof CHARGE_SOURCES)[number];
