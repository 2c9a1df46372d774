// Display formatting. Money arrives as integer micro-units and is turned into an exact decimal
// string before Intl sees it (Intl formats decimal strings without going through a float); days and
// times are shown in the root's time zone, whatever the browser's is.

/** 1234567 → "1.234567", -5 → "-0.000005": exact, no float arithmetic on the fraction. */
export function microsToDecimal(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs % 1_000_000).padStart(6, '0');
  return `${sign}${whole}.${frac}`;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** "$0.000018": at least two decimals, at most six (micro-units), never rounded. */
export function money(micros: number, currency: string, locale: string): string {
  return moneyFormat(currency, locale).format(microsToDecimal(micros) as Intl.StringNumericLiteral);
}

function moneyFormat(currency: string, locale: string): Intl.NumberFormat {
  return cached(`m:${locale}:${currency}`, () => {
    try {
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: 2,
        maximumFractionDigits: 6,
      });
    } catch {
      return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 6 });
    }
  });
}

export function num(n: number, locale: string): string {
  return cached(`n:${locale}`, () => new Intl.NumberFormat(locale)).format(n);
}

export function percent(fraction: number, locale: string): string {
  return cached(
    `p:${locale}`,
    () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }),
  ).format(fraction);
}

export function ms(n: number | null | undefined, locale: string): string {
  return n === null || n === undefined ? '—' : `${num(n, locale)} ms`;
}

/** An instant (ms epoch or ISO string) as date and time in the root's time zone. */
export function dateTime(at: number | string | null | undefined, timeZone: string, locale: string): string {
  if (at === null || at === undefined) return '—';
  const f = cached(
    `t:${locale}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(locale, {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }),
  );
  return f.format(typeof at === 'number' ? at : Date.parse(at));
}

/** YYYY-MM-DD of an instant in a time zone. */
export function dayIn(timeZone: string, at: number): string {
  return cached(
    `d:${timeZone}`,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(at);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** RFC 4180 CSV of uniform rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** A decimal amount as the API writes money in policies ("12.5") → currency text, exactly. */
export function moneyDecimal(amount: string, currency: string, locale: string): string {
  return /^-?\d+(\.\d+)?$/.test(amount)
    ? moneyFormat(currency, locale).format(amount as Intl.StringNumericLiteral)
    : amount;
}
