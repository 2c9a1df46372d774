import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS, retentionDays } from './retention';

describe('retentionDays', () => {
  it('reads USAGE_EVENT_RETENTION_DAYS, falling back to the default for anything but whole days', () => {
    expect(retentionDays({ USAGE_EVENT_RETENTION_DAYS: '30' })).toBe(30);
    for (const bad of ['', '0', '-5', '1.5', 'ninety'])
      expect(retentionDays({ USAGE_EVENT_RETENTION_DAYS: bad })).toBe(DEFAULT_RETENTION_DAYS);
    expect(DEFAULT_RETENTION_DAYS).toBe(90);
  });
});
