import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './codes';

// docs/errors.md holds the code table between these markers; this test renders it from ERROR_CODES
// and fails on any drift. `UPDATE_ERROR_DOCS=1 npx vitest run --project unit src/errors/codes.test.ts`
// rewrites it.
const DOC = new URL('../../docs/errors.md', import.meta.url);
const START = '<!-- error-codes:start (generated from src/errors/codes.ts) -->';
const END = '<!-- error-codes:end -->';

function table(): string {
  const rows = ERROR_CODES.map(
    (e) => `| \`${e.code}\` | ${e.status} | ${e.meaning.replaceAll('|', '\\|')} |`,
  );
  return ['| Code | Status | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

describe('error codes', () => {
  it('are unique', () => {
    const codes = ERROR_CODES.map((e) => e.code);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });

  it('are the table in docs/errors.md', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect(start, `docs/errors.md lacks ${START}`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const current = doc.slice(start + START.length, end).trim();
    if (process.env['UPDATE_ERROR_DOCS'] && current !== table()) {
      writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${table()}\n${doc.slice(end)}`);
      return;
    }
    expect(current).toBe(table());
  });
});
