import { describe, expect, it } from 'vitest';
import {
  addUsd,
  compareUsd,
  formatUsd,
  minUsd,
  parseDecimal,
  subtractUsd,
  toUsd,
  usdToNumber,
  usdUnits,
  ZERO_USD,
} from './money.ts';

describe('USD amounts', () => {
  it('normalises strings and numbers to 10 places', () => {
    expect(toUsd('1')).toBe('1.0000000000');
    expect(toUsd('0.075')).toBe('0.0750000000');
    expect(toUsd(0.075)).toBe('0.0750000000');
    expect(toUsd(2.5)).toBe('2.5000000000');
    expect(toUsd('.5')).toBe('0.5000000000');
    expect(toUsd('5.')).toBe('5.0000000000');
    expect(toUsd('-0.25')).toBe('-0.2500000000');
    expect(toUsd(0)).toBe(ZERO_USD);
    expect(toUsd('1234567890.0123456789')).toBe('1234567890.0123456789');
  });

  it('reads exponent forms, which is how JavaScript prints small and large numbers', () => {
    expect(String(1e-7)).toBe('1e-7');
    expect(toUsd(1e-7)).toBe('0.0000001000');
    expect(toUsd(1.5e21)).toBe('1500000000000000000000.0000000000');
    expect(toUsd('2.5E-3')).toBe('0.0025000000');
  });

  it('rounds digits past the 10th place half away from zero', () => {
    expect(toUsd('0.00000000004')).toBe('0.0000000000');
    expect(toUsd('0.00000000005')).toBe('0.0000000001');
    expect(toUsd('-0.00000000005')).toBe('-0.0000000001');
    expect(parseDecimal('1.2345', 2)).toBe(123n);
    expect(parseDecimal('1.235', 2)).toBe(124n);
  });

  it('refuses what is not a finite decimal', () => {
    for (const bad of ['', '.', 'abc', '1.2.3', '1,5', 'e5', '0x10']) expect(() => usdUnits(bad)).toThrow(RangeError);
    expect(() => usdUnits(Number.NaN)).toThrow(RangeError);
    expect(() => usdUnits(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('adds without the drift of float sums', () => {
    const tenths = Array.from({ length: 10 }, () => '0.1');
    expect(addUsd(...tenths)).toBe('1.0000000000');
    expect(tenths.map(Number).reduce((a, b) => a + b)).not.toBe(1);

    const steps = Array.from({ length: 100_000 }, () => '0.0000000123');
    expect(addUsd(...steps)).toBe('0.0012300000');
    expect(addUsd()).toBe(ZERO_USD);
  });

  it('subtracts, compares and picks the smaller amount exactly', () => {
    expect(subtractUsd('1', '0.0000000001')).toBe('0.9999999999');
    expect(subtractUsd('0.1', '0.3')).toBe('-0.2000000000');
    expect(compareUsd('0.1000000001', '0.1')).toBe(1);
    expect(compareUsd('0.1', 0.1)).toBe(0);
    expect(compareUsd('0.0999999999', '0.1')).toBe(-1);
    expect(minUsd('2', '1.5')).toBe('1.5000000000');
  });

  it('formats unit counts and converts to the nearest number for JSON', () => {
    expect(formatUsd(1n)).toBe('0.0000000001');
    expect(formatUsd(-12_345_000_000n)).toBe('-1.2345000000');
    expect(usdToNumber('0.0077500000')).toBe(0.00775);
  });
});
