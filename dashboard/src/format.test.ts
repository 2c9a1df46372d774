import { describe, expect, it } from 'vitest';
import { addDays, dateTime, microsToDecimal, money, moneyDecimal, toCsv } from './format';

describe('console formatting', () => {
  it('turns micro-units into exact decimals, without float rounding', () => {
    expect(microsToDecimal(0)).toBe('0.000000');
    expect(microsToDecimal(6)).toBe('0.000006');
    expect(microsToDecimal(1_234_567)).toBe('1.234567');
    expect(microsToDecimal(-5)).toBe('-0.000005');
    // The largest safe integer of micro-units still comes out digit for digit.
    expect(microsToDecimal(Number.MAX_SAFE_INTEGER)).toBe('9007199254.740991');
  });

  it("formats money in the root's currency with two to six decimals, in each language", () => {
    expect(money(18, 'USD', 'en')).toBe('$0.000018');
    expect(money(5_000_000, 'USD', 'en')).toBe('$5.00');
    expect(money(Number.MAX_SAFE_INTEGER, 'USD', 'en')).toBe('$9,007,199,254.740991');
    expect(money(-196, 'USD', 'en')).toBe('-$0.000196');
    expect(money(1_500_000, 'EUR', 'en')).toBe('€1.50');
    expect(money(18, 'USD', 'zh-CN')).toBe('US$0.000018');
    expect(money(1_230_000, 'CNY', 'zh-CN')).toBe('¥1.23');
    expect(moneyDecimal('12.5', 'USD', 'en')).toBe('$12.50');
    expect(moneyDecimal('not money', 'USD', 'en')).toBe('not money');
  });

  it("shows instants in the root's time zone, not the browser's", () => {
    const at = Date.parse('2026-12-03T23:30:00Z');
    expect(dateTime(at, 'UTC', 'en-CA')).toContain('23:30:00');
    expect(dateTime(at, 'Asia/Shanghai', 'en-CA')).toContain('2026-12-04');
    expect(dateTime(null, 'UTC', 'en')).toBe('—');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('writes RFC 4180 CSV', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });
});
