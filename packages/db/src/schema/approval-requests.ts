import type { ApprovalStatus } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';
import { createdAt, id, tstz } from './columns.ts';
import { policies } from './policies.ts';
import { runs } from './runs.ts';
import { steps } from './steps.ts';
import { tenantColumns } from './tenant.ts';

/** One per tool needing approval in a run; an approved tool stays allowed for the rest of the run. */
export const approvalRequests = pgTable(
  'approval_requests',
  {
    id: id(),
    ...tenantColumns(),
    runId: uuid()
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepId: uuid().references(() => steps.id, { onDelete: 'set null' }),
    agentId: uuid()
      .notNull()
      .references(() => agents.id),
    policyId: uuid()
      .notNull()
      .references(() => policies.id),
    toolName: text().notNull(),
    /** Full request body at the time approval was requested. */
    requestSnapshot: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    status: text().$type<ApprovalStatus>().notNull().default('pending'),
    decidedBy: text(),
    reason: text(),
    decidedAt: tstz(),
    expiresAt: tstz().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('approval_requests_run_id_status_idx').on(t.runId, t.status),
    index('approval_requests_org_id_status_created_at_idx').on(t.orgId, t.status, t.createdAt),
    index('approval_requests_status_expires_at_idx').on(t.status, t.expiresAt),
  ],
);

export const approvalRequestsRelations = relations(approvalRequests, ({ one }) => ({
  run: one(runs, { fields: [approvalRequests.runId], references: [runs.id] }),
  step: one(steps, { fields: [approvalRequests.stepId], references: [steps.id] }),
  agent: one(agents, { fields: [approvalRequests.agentId], references: [agents.id] }),
  policy: one(policies, { fields: [approvalRequests.policyId], references: [policies.id] }),
}));
