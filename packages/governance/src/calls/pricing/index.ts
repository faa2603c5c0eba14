export * from './money.ts';
export * from './model-price.ts';
export * from './usage.ts';
export * from './cost.ts';
export type { PriceOverride } from './overrides.ts';
export * from './price-book.ts';
