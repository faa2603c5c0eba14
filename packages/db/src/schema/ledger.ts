import { relations } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';
import { createdAt, id, money, tokenBuckets } from './columns.ts';
import { providerKeys } from './provider-keys.ts';
import { runs } from './runs.ts';
import { steps } from './steps.ts';
import { tenantColumns } from './tenant.ts';

/** Immutable cost record, at most one per step; only the retention cleanup deletes rows. */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: id(),
    ...tenantColumns(),
    runId: uuid()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepId: uuid()
      .notNull()
      .references(() => steps.id, { onDelete: 'cascade' }),
    agentId: uuid()
      .notNull()
      .references(() => agents.id),
    provider: text().notNull(),
    model: text().notNull(),
    providerKeyId: uuid().references(() => providerKeys.id),
    ...tokenBuckets(),
    costUsd: money().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_entries_run_id_idx').on(t.runId),
    uniqueIndex('ledger_entries_step_id_uq').on(t.stepId),
    index('ledger_entries_org_id_created_at_idx').on(t.orgId, t.createdAt),
    index('ledger_entries_agent_id_created_at_idx').on(t.agentId, t.createdAt),
  ],
);

export const ledgerEntriesRelations = relations(ledgerEntries, ({ one }) => ({
  run: one(runs, { fields: [ledgerEntries.runId], references: [runs.id] }),
  step: one(steps, { fields: [ledgerEntries.stepId], references: [steps.id] }),
  agent: one(agents, { fields: [ledgerEntries.agentId], references: [agents.id] }),
}));
