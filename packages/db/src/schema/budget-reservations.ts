import { relations } from 'drizzle-orm';
import { index, pgTable, uuid } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';
import { createdAt, id, money, tokenCount, tstz } from './columns.ts';
import { runs } from './runs.ts';
import { tenantColumns } from './tenant.ts';

/**
 * Worst-case cost and tokens held for an in-flight call, so concurrent calls cannot overspend a
 * run (or an agent's hourly cap). Deleted when the step is recorded; expired rows are ignored
 * and swept, covering crashed instances.
 */
export const budgetReservations = pgTable(
  'budget_reservations',
  {
    id: id(),
    ...tenantColumns(),
    runId: uuid()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    agentId: uuid()
      .notNull()
      .references(() => agents.id),
    amountUsd: money().notNull(),
    tokens: tokenCount().notNull(),
    expiresAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('budget_reservations_run_id_idx').on(t.runId),
    index('budget_reservations_agent_id_idx').on(t.agentId),
    index('budget_reservations_expires_at_idx').on(t.expiresAt),
  ],
);

export const budgetReservationsRelations = relations(budgetReservations, ({ one }) => ({
  run: one(runs, { fields: [budgetReservations.runId], references: [runs.id] }),
  agent: one(agents, { fields: [budgetReservations.agentId], references: [agents.id] }),
}));
