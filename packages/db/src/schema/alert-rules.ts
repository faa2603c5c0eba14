import type { AlertConditionType, AlertRuleStatus, Visibility } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { agents } from './agents.ts';
import { auditColumns, id, timestamps, tstz } from './columns.ts';
import { tenantColumns } from './tenant.ts';

export const alertRules = pgTable(
  'alert_rules',
  {
    id: id(),
    ...tenantColumns(),
    name: text().notNull(),
    description: text(),
    /** Null = all agents. */
    agentId: uuid().references(() => agents.id),
    conditionType: text().$type<AlertConditionType>().notNull(),
    /** Thresholds, window sizes, ... specific to `condition_type`. */
    conditionConfig: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    cooldownSeconds: integer().notNull().default(300),
    lastTriggeredAt: tstz(),
    status: text().$type<AlertRuleStatus>().notNull().default('active'),
    scope: text().$type<Visibility>().notNull().default('org'),
    ...auditColumns(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('alert_rules_org_id_name_uq').on(t.orgId, t.name), index('alert_rules_status_idx').on(t.status)],
);

export const alertRulesRelations = relations(alertRules, ({ one }) => ({
  account: one(accounts, { fields: [alertRules.orgId], references: [accounts.id] }),
  agent: one(agents, { fields: [alertRules.agentId], references: [agents.id] }),
}));
