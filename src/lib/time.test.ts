import { describe, expect, it } from 'vitest';
import { dayIn, startOfDayIn } from './time';

describe('startOfDayIn', () => {
  it("is the instant the zone's day begins", () => {
    expect(startOfDayIn('UTC', '2026-10-01')).toBe(Date.parse('2026-10-01T00:00:00Z'));
    expect(startOfDayIn('Asia/Shanghai', '2026-10-01')).toBe(Date.parse('2026-09-30T16:00:00Z'));
    expect(startOfDayIn('America/New_York', '2026-07-01')).toBe(Date.parse('2026-07-01T04:00:00Z'));
    expect(startOfDayIn('America/New_York', '2026-12-01')).toBe(Date.parse('2026-12-01T05:00:00Z'));
  });

  it('follows daylight saving changes on the day itself', () => {
    // New York springs forward at 02:00 on 2026-03-08: midnight is still EST.
    expect(startOfDayIn('America/New_York', '2026-03-08')).toBe(Date.parse('2026-03-08T05:00:00Z'));
    expect(startOfDayIn('America/New_York', '2026-03-09')).toBe(Date.parse('2026-03-09T04:00:00Z'));
  });

  it('round-trips with dayIn', () => {
    for (const tz of ['UTC', 'Asia/Kolkata', 'Pacific/Auckland', 'America/Los_Angeles']) {
      const start = startOfDayIn(tz, '2026-10-15');
      expect(dayIn(tz, start)).toBe('2026-10-15');
      expect(dayIn(tz, start - 1)).toBe('2026-10-14');
    }
  });
});
