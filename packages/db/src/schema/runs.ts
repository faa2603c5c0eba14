import type { CompletionReason, Outcome, RunCreationMethod, RunStatus } from '@rungate/contracts';
import { relations, sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { agents } from './agents.ts';
import { approvalRequests } from './approval-requests.ts';
import { id, money, tokenBuckets, tokenCount, tstz, updatedAt } from './columns.ts';
import { ledgerEntries } from './ledger.ts';
import { policies } from './policies.ts';
import { steps } from './steps.ts';
import { tenantColumns } from './tenant.ts';

/** The run's own limits, copied from the governing policy when the run starts. */
export type RunBudget = {
  alert_threshold_tokens?: number | null;
  alert_threshold_usd?: number | null;
  hard_limit_tokens?: number | null;
  hard_limit_usd?: number | null;
};

export const runs = pgTable(
  'runs',
  {
    id: id(),
    ...tenantColumns(),
    agentId: uuid()
      .notNull()
      .references(() => agents.id),
    policyId: uuid().references(() => policies.id),
    /** Set from `x-rungate-run-name` on the first request, or renamed later. */
    name: text(),
    status: text().$type<RunStatus>().notNull().default('running'),
    creationMethod: text().$type<RunCreationMethod>().notNull(),
    /** A key of `outcome_defaults`, or a custom reason given at completion. */
    endedReason: text(),
    completionReason: text().$type<CompletionReason>(),
    outcome: text().$type<Outcome>(),
    outcomeReason: text(),
    primaryModel: text(),
    budget: jsonb().$type<RunBudget>().notNull().default({}),
    /** The governing policy as it was when the run started (`policy_name` is read from it). */
    policySnapshot: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    ...tokenBuckets(),
    totalTokens: tokenCount().notNull().default(0),
    totalCostUsd: money().notNull().default('0'),
    /**
     * Sum of the run's live budget holds (`budget_reservations`), kept on the row so a hold can
     * be taken with one conditional UPDATE: its WHERE is re-checked on the latest row version.
     */
    reservedUsd: money().notNull().default('0'),
    reservedTokens: tokenCount().notNull().default(0),
    stepCount: integer().notNull().default(0),
    alertThresholdExceeded: boolean().notNull().default(false),
    alertSentAt: tstz(),
    hasGovernanceBlock: boolean().notNull().default(false),
    hadFailover: boolean().notNull().default(false),
    /** Set on force-stop; implicit runs for the same agent+policy stay blocked until lifted or cooled down. */
    forceStoppedAt: tstz(),
    forceStopLiftedAt: tstz(),
    lastStepAt: tstz(),
    /** Last call or API touch, for idle sweeps and implicit grouping. */
    lastActivityAt: tstz().notNull().defaultNow(),
    startedAt: tstz().notNull().defaultNow(),
    endedAt: tstz(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('runs_agent_id_status_idx').on(t.agentId, t.status),
    index('runs_agent_id_policy_id_started_at_idx').on(t.agentId, t.policyId, t.startedAt),
    index('runs_org_id_started_at_idx').on(t.orgId, t.startedAt),
    // Running runs for the idle sweep. Deliberately not on last_activity_at: every step moves it,
    // and an indexed column would make each step's run update a non-HOT one that rewrites
    // every index of the table.
    index('runs_running_started_at_idx').on(t.startedAt).where(sql`${t.status} = 'running'`),
    index('runs_policy_id_started_at_idx').on(t.policyId, t.startedAt),
  ],
);

export const runsRelations = relations(runs, ({ one, many }) => ({
  account: one(accounts, { fields: [runs.orgId], references: [accounts.id] }),
  agent: one(agents, { fields: [runs.agentId], references: [agents.id] }),
  policy: one(policies, { fields: [runs.policyId], references: [policies.id] }),
  steps: many(steps),
  ledgerEntries: many(ledgerEntries),
  approvalRequests: many(approvalRequests),
}));
