import type {
  ContentLogging,
  LoadBalancing,
  OnAlertThreshold,
  Outcome,
  RoutingPreference,
  Visibility,
} from '@rungate/contracts';
import { relations, sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { auditColumns, createdAt, id, timestamps, tstz } from './columns.ts';
import { tenantColumns } from './tenant.ts';

// jsonb sections keep the spec's snake_case keys, so a row maps 1:1 onto the API object.

export type PolicyBudget = {
  alert_threshold_tokens?: number | null;
  alert_threshold_usd?: number | null;
  hard_limit_tokens?: number | null;
  hard_limit_usd?: number | null;
  max_cost_per_hour_usd?: number | null;
  on_alert_threshold?: OnAlertThreshold;
};

export type PolicyRateLimits = {
  max_requests_per_minute?: number | null;
  max_tokens_per_minute?: number | null;
};

export type ModelRoute = { pattern: string; chain: string[]; timeout_ms?: number };

export type CircuitBreakerConfig = {
  failure_threshold?: number;
  recovery_timeout_ms?: number;
  max_recovery_timeout_ms?: number;
};

export type PolicyRouting = {
  default_chain?: string[];
  model_routes?: ModelRoute[];
  timeout_ms?: number;
  connect_timeout_ms?: number;
  retry_on?: number[];
  max_retries?: number;
  on_rate_limit?: 'failover_first' | 'backoff_first';
  load_balancing?: LoadBalancing;
  circuit_breaker?: CircuitBreakerConfig;
  routing_preference?: RoutingPreference;
};

/** Source model → { target provider: target model }. */
export type ModelMapping = Record<string, Record<string, string>>;

export type RunawayPrevention = { enabled?: boolean; max_steps_per_run?: number };

export type ImplicitRunGrouping = {
  time_window_seconds?: number;
  run_idle_timeout_seconds?: number;
  force_stop_cooldown_minutes?: number;
};

export type EndedReason =
  | 'agent_signaled'
  | 'agent_complete_all'
  | 'cost_limit'
  | 'token_limit'
  | 'alert_threshold_stop'
  | 'idle_auto_complete'
  | 'idle_timeout'
  | 'new_run_requested'
  | 'admin_stopped'
  | 'admin_completed';

export type OutcomeDefaults = Partial<Record<EndedReason, Outcome | null>>;

export const policies = pgTable(
  'policies',
  {
    id: id(),
    ...tenantColumns(),
    name: text().notNull(),
    dryRun: boolean().notNull().default(false),
    contentLogging: text().$type<ContentLogging>().notNull().default('default'),
    budget: jsonb().$type<PolicyBudget>().notNull().default({}),
    allowedModels: text().array().notNull().default([]),
    blockedModels: text().array().notNull().default([]),
    allowedTools: text().array().notNull().default([]),
    blockedTools: text().array().notNull().default([]),
    requireApproval: text().array().notNull().default([]),
    approvalExpiryMs: integer().notNull().default(28_800_000),
    rateLimits: jsonb().$type<PolicyRateLimits>().notNull().default({}),
    routing: jsonb().$type<PolicyRouting>().notNull().default({}),
    modelMapping: jsonb().$type<ModelMapping>().notNull().default({}),
    defaultModel: text(),
    modelOverride: text(),
    runawayPrevention: jsonb().$type<RunawayPrevention>().notNull().default({}),
    implicitRunGrouping: jsonb().$type<ImplicitRunGrouping>().notNull().default({}),
    outcomeDefaults: jsonb().$type<OutcomeDefaults>(),
    visibility: text().$type<Visibility>().notNull().default('org'),
    ...auditColumns(),
    ...timestamps(),
    /** Soft delete: agents, runs and versions keep pointing at the row. */
    deletedAt: tstz(),
  },
  (t) => [uniqueIndex('policies_org_id_name_uq').on(t.orgId, t.name).where(sql`${t.deletedAt} is null`)],
);

export const policiesRelations = relations(policies, ({ one, many }) => ({
  account: one(accounts, { fields: [policies.orgId], references: [accounts.id] }),
  versions: many(policyVersions),
}));

/** Append-only history; the policy id is not a foreign key so history outlives any deletion. */
export const policyVersions = pgTable(
  'policy_versions',
  {
    id: id(),
    ...tenantColumns(),
    policyId: uuid().notNull(),
    versionNumber: integer().notNull(),
    /** The policy as the API returned it after this change. */
    snapshot: jsonb().$type<Record<string, unknown>>().notNull(),
    /** Top-level fields changed; `["_deleted"]` for deletion snapshots. */
    changedFields: text().array().notNull(),
    /** Admin token id, `session`, or `system`. */
    changedBy: text().notNull(),
    changeType: text({ enum: ['create', 'update', 'delete'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('policy_versions_policy_id_version_number_uq').on(t.policyId, t.versionNumber),
    index('policy_versions_org_id_idx').on(t.orgId),
  ],
);

export const policyVersionsRelations = relations(policyVersions, ({ one }) => ({
  policy: one(policies, { fields: [policyVersions.policyId], references: [policies.id] }),
}));
