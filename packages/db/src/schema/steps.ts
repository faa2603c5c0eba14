import type { AttemptFailureKind, FailoverContext, StepStatus, StepType } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';
import { createdAt, id, money, tokenBuckets } from './columns.ts';
import { providerKeys } from './provider-keys.ts';
import { runs } from './runs.ts';
import { tenantColumns } from './tenant.ts';

/** One call (or tool call) within a run. Written in the same transaction as its ledger entry and the run totals. */
export const steps = pgTable(
  'steps',
  {
    id: id(),
    ...tenantColumns(),
    runId: uuid()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    agentId: uuid()
      .notNull()
      .references(() => agents.id),
    /** 1-based position in the run. */
    stepNumber: integer().notNull(),
    type: text().$type<StepType>().notNull(),
    provider: text().notNull(),
    model: text().notNull(),
    providerKeyId: uuid().references(() => providerKeys.id),
    streaming: boolean().notNull().default(false),
    /** Request body, or `{ "redacted": true }` when content logging is off. */
    request: jsonb().$type<Record<string, unknown>>(),
    /** Provider response, redaction marker, or error envelope (`error` / `errors[]` with `kind`). */
    response: jsonb().$type<Record<string, unknown>>(),
    ...tokenBuckets(),
    costUsd: money().notNull().default('0'),
    /** True when the model had no known price and the cost was recorded as 0. */
    priceMissing: boolean().notNull().default(false),
    latencyMs: integer().notNull().default(0),
    /** The requested model when routing or `model_override` replaced it. */
    routedFrom: text(),
    failoverAttempts: integer().notNull().default(0),
    /** Only on `failover_transition` rows. */
    failoverContext: jsonb().$type<FailoverContext>(),
    status: text().$type<StepStatus>().notNull(),
    /** Failure category of a failed step, for analytics without reading `response` (on a `failover_transition`, its last attempt's). */
    errorKind: text().$type<AttemptFailureKind>(),
    errorMessage: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('steps_run_id_step_number_uq').on(t.runId, t.stepNumber),
    index('steps_org_id_created_at_idx').on(t.orgId, t.createdAt),
    index('steps_agent_id_created_at_idx').on(t.agentId, t.createdAt),
    index('steps_provider_key_id_created_at_idx').on(t.providerKeyId, t.createdAt),
  ],
);

export const stepsRelations = relations(steps, ({ one }) => ({
  run: one(runs, { fields: [steps.runId], references: [runs.id] }),
  agent: one(agents, { fields: [steps.agentId], references: [agents.id] }),
  providerKey: one(providerKeys, { fields: [steps.providerKeyId], references: [providerKeys.id] }),
}));
