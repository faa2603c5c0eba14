/**
 * Exact USD amounts. The ledger stores money as numeric(20,10), so an amount is a decimal
 * string with exactly 10 places ("0.0000025000"); arithmetic runs on bigint counts of 1e-10 USD
 * so sums of many small costs never drift the way float sums do. Convert to a number only at
 * the edge, for JSON fields the spec types as numbers.
 */
export const USD_DECIMALS = 10;

/** A decimal USD string with exactly `USD_DECIMALS` places. */
export type Usd = string;

export const ZERO_USD: Usd = '0.0000000000';

const DECIMAL = /^([+-])?(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal string or a finite number (via its shortest round-trip form, so 0.075 is
 * exactly 0.075) into a count of 10^-decimals units. Digits past `decimals` are rounded half
 * away from zero. Throws RangeError on anything that is not a finite decimal: a fault, not data.
 */
export function parseDecimal(amount: string | number, decimals: number): bigint {
  if (typeof amount === 'number' && !Number.isFinite(amount)) throw new RangeError(`Not a finite amount: ${amount}`);
  const text = String(amount).trim();
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === undefined && !m[3])) throw new RangeError(`Not a decimal amount: '${text}'`);
  const [, sign, whole = '', fraction = '', exponent = '0'] = m;
  const digits = whole + fraction;
  // Position of the decimal point, counted in `digits`, after applying the exponent.
  const point = whole.length + Number(exponent);
  const shift = decimals - (digits.length - point);
  let units: bigint;
  if (shift >= 0) {
    units = BigInt(digits || '0') * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const value = BigInt(digits || '0');
    units = value / divisor + ((value % divisor) * 2n >= divisor ? 1n : 0n);
  }
  return sign === '-' ? -units : units;
}

/** Formats a count of 10^-decimals units as a decimal string with exactly `decimals` places. */
export function formatDecimal(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const cut = digits.length - decimals;
  const text = decimals === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

/** An amount in units of 1e-10 USD. */
export const usdUnits = (amount: Usd | number): bigint => parseDecimal(amount, USD_DECIMALS);

export const formatUsd = (units: bigint): Usd => formatDecimal(units, USD_DECIMALS);

/** Normalises any decimal string or number to the ledger's 10-place form. */
export const toUsd = (amount: string | number): Usd => formatUsd(usdUnits(amount));

export function addUsd(...amounts: readonly (Usd | number)[]): Usd {
  let total = 0n;
  for (const amount of amounts) total += usdUnits(amount);
  return formatUsd(total);
}

export const subtractUsd = (a: Usd | number, b: Usd | number): Usd => formatUsd(usdUnits(a) - usdUnits(b));

export function compareUsd(a: Usd | number, b: Usd | number): -1 | 0 | 1 {
  const d = usdUnits(a) - usdUnits(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export const minUsd = (a: Usd, b: Usd): Usd => (compareUsd(a, b) <= 0 ? toUsd(a) : toUsd(b));

/** The nearest double, for JSON fields the spec types as numbers (`cost_usd`). */
export const usdToNumber = (amount: Usd): number => Number(amount);
