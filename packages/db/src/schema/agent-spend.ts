import { pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';
import { money, tstz } from './columns.ts';

/**
 * An agent's settled spend per minute, what `max_cost_per_hour_usd` counts. The statement that
 * writes a ledger entry adds its cost here too, so the hourly check sums at most 61 rows
 * instead of an hour of the agent's ledger. Rows older than two hours are swept.
 */
export const agentSpendMinutes = pgTable(
  'agent_spend_minutes',
  {
    agentId: uuid()
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    minute: tstz().notNull(),
    costUsd: money().notNull(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.minute] })],
);
