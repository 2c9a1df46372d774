// Opaque cursors for keyset pagination, and signed money formatting. Pure.
import { fromMicros } from '../policy/schema';

export function encodeCursor(parts: readonly (string | number)[]): string {
  const text = JSON.stringify(parts);
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Null for anything that is not a cursor this API produced. */
export function decodeCursor(cursor: string): (string | number)[] | null {
  try {
    const bin = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))),
    );
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string' || typeof p === 'number'))
      return null;
    return parsed;
  } catch {
    return null;
  }
}

/** Signed micro-units as a decimal amount: -1_500_000 → "-1.5". */
export function formatMicros(micros: number): string {
  return micros < 0 ? `-${fromMicros(-micros)}` : fromMicros(micros);
}
