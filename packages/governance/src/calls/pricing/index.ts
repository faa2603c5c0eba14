export * from './cost.ts';
export * from './model-price.ts';
export * from './money.ts';
export type { PriceOverride } from './overrides.ts';
export * from './price-book.ts';
export * from './usage.ts';
