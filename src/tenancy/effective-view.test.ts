import { describe, expect, it } from 'vitest';
import { resolveEffectivePolicy } from '../policy/effective';
import { effectivePolicyView } from './effective-view';
import { decodeCursor, encodeCursor, formatMicros } from './paging';
import { redact } from './redact';

describe('effective policy view', () => {
  it('shows each value with the layer it comes from', () => {
    const view = effectivePolicyView(
      resolveEffectivePolicy([
        {
          source: 'account:root',
          policy: {
            allow_models: ['mock-*'],
            model_mapper: { fast: 'mock-small', smart: 'mock-large' },
            limits: { rpm: 100, daily_budget: '5' },
            model_limits: { 'mock-*': { rpm: 50 } },
            budget_alerts: [50, 90],
          },
        },
        {
          source: 'account:team',
          policy: {
            model_mapper: { fast: 'mock-tiny' },
            limits: { rpm: 20 },
            model_limits: { 'mock-*': { rpm: 60, tpm: 9 } },
          },
        },
        { source: 'key:k1', policy: { allow_models: ['mock-tiny'] } },
      ]),
      { value: 1, source: 'account:root' },
    );
    expect(view.limits).toEqual({
      rpm: { value: 20, source: 'account:team' },
      daily_budget: { value: '5', source: 'account:root' },
    });
    expect(view.model_mapper).toEqual({
      fast: { value: 'mock-tiny', source: 'account:team' },
      smart: { value: 'mock-large', source: 'account:root' },
    });
    expect(view.allow_models.map((l) => l.source)).toEqual(['account:root', 'key:k1']);
    expect(view.model_limits['mock-*']).toEqual({
      rpm: { value: 50, source: 'account:root' },
      tpm: { value: 9, source: 'account:team' },
    });
    expect(view.budget_alerts).toEqual({ value: [50, 90], source: 'account:root' });
    expect(view.level).toEqual({ value: 1, source: 'account:root' });
  });
});

describe('audit redaction and paging helpers', () => {
  it('redacts secrets and hashes at any depth', () => {
    expect(
      redact({
        id: 'k',
        hash: 'abc',
        nested: [{ passwordHash: 'x', ciphertext: 'y', last4: 'wxyz' }],
        fingerprint: null,
      }),
    ).toEqual({
      id: 'k',
      hash: '[redacted]',
      nested: [{ passwordHash: '[redacted]', ciphertext: '[redacted]', last4: 'wxyz' }],
      fingerprint: null,
    });
  });

  it('round-trips cursors and refuses junk', () => {
    expect(decodeCursor(encodeCursor(['/a/b/', 3]))).toEqual(['/a/b/', 3]);
    expect(decodeCursor('%%%')).toBeNull();
    expect(decodeCursor(encodeCursor(['x']).slice(1))).toBeNull();
  });

  it('formats signed micro-units exactly', () => {
    expect(formatMicros(-1_500_000)).toBe('-1.5');
    expect(formatMicros(1)).toBe('0.000001');
    expect(formatMicros(0)).toBe('0');
  });
});
