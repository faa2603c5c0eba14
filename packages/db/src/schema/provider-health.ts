import type { CircuitState } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { tstz, updatedAt } from './columns.ts';
import { providerKeys } from './provider-keys.ts';
import { tenantColumns } from './tenant.ts';

/** Circuit-breaker state per provider key, shared by every instance. */
export const providerHealth = pgTable('provider_health', {
  providerKeyId: uuid()
    .primaryKey()
    .references(() => providerKeys.id, { onDelete: 'cascade' }),
  ...tenantColumns(),
  provider: text().notNull(),
  state: text().$type<CircuitState>().notNull().default('closed'),
  /** Consecutive failures. */
  failureCount: integer().notNull().default(0),
  /** Current cooldown; doubles on each failed half-open probe, capped by the policy. */
  recoveryTimeoutMs: integer(),
  lastFailureAt: tstz(),
  lastSuccessAt: tstz(),
  openedAt: tstz(),
  recoveryAt: tstz(),
  updatedAt: updatedAt(),
});

export const providerHealthRelations = relations(providerHealth, ({ one }) => ({
  providerKey: one(providerKeys, { fields: [providerHealth.providerKeyId], references: [providerKeys.id] }),
}));
