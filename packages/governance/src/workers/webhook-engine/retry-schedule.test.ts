import { expect, it } from 'vitest';
import { retryDelayMs } from './retry-schedule.ts';

it('backs off 30 s, 2 min, 8 min, 32 min, 2 h 8 min, capped at 4 h', () => {
  const middle = () => 0.5;
  expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelayMs(attempt, middle))).toEqual([
    30_000, 120_000, 480_000, 1_920_000, 7_680_000, 14_400_000, 14_400_000,
  ]);
});

it('spreads retries by up to 20 % either way', () => {
  expect(retryDelayMs(1, () => 0)).toBe(24_000);
  expect(retryDelayMs(1, () => 0.999_999)).toBe(36_000);
});
