import type { AlertRule } from '@rungate/contracts';
import type { alertRules } from '@rungate/db';
import { iso } from '../../time/dates.ts';
import { auditFields } from '../audit-columns.ts';

export type AlertRuleRow = typeof alertRules.$inferSelect;

export function toAlertRule(row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    org_id: row.orgId,
    agent_id: row.agentId,
    condition_type: row.conditionType,
    condition_config: row.conditionConfig,
    cooldown_seconds: row.cooldownSeconds,
    last_triggered_at: iso(row.lastTriggeredAt),
    status: row.status,
    scope: row.scope,
    ...auditFields(row),
  };
}
