import { pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { id, money, timestamps } from './columns.ts';

/**
 * Operator prices for custom or self-hosted models, taking precedence over the price library.
 * Prices are USD per million tokens. A null `org_id` applies to every org; a null `provider`
 * matches any provider.
 */
export const priceOverrides = pgTable(
  'price_overrides',
  {
    id: id(),
    orgId: uuid().references(() => accounts.id),
    provider: text(),
    /** Exact model name or glob (`my-llama-*`). */
    modelPattern: text().notNull(),
    inputPerMillion: money().notNull().default('0'),
    outputPerMillion: money().notNull().default('0'),
    cacheReadPerMillion: money(),
    cacheCreationPerMillion: money(),
    ...timestamps(),
  },
  (t) => [
    unique('price_overrides_org_id_provider_model_pattern_uq')
      .on(t.orgId, t.provider, t.modelPattern)
      .nullsNotDistinct(),
  ],
);
