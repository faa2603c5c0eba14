import type { AgentStatus, LoadBalancing, RoutingPreference } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { auditColumns, id, timestamps, tstz } from './columns.ts';
import { type ModelRoute, policies } from './policies.ts';
import { runs } from './runs.ts';
import { tenantColumns } from './tenant.ts';

/** Provider identifier → one key id, or weighted key ids for load balancing (spec shape). */
export type AgentProviderKeys = Record<string, string | { key_id: string; weight: number }[]>;

export type AgentRoutingOverride = {
  default_chain?: string[];
  model_routes?: ModelRoute[];
  load_balancing?: LoadBalancing;
  routing_preference?: RoutingPreference;
  timeout_ms?: number;
};

export const agents = pgTable(
  'agents',
  {
    id: id(),
    ...tenantColumns(),
    name: text().notNull(),
    description: text(),
    /** SHA-256 hex of the `rg_sk_...` key; the proxy authenticates by this. */
    apiKeyHash: text().notNull(),
    apiKeyPrefix: text().notNull(),
    apiKeyRotatedAt: tstz(),
    policyId: uuid()
      .notNull()
      .references(() => policies.id),
    /** Policy ids selectable per run; null = any policy. */
    allowedPolicies: jsonb().$type<string[] | null>(),
    providerKeys: jsonb().$type<AgentProviderKeys>().notNull().default({}),
    routingOverride: jsonb().$type<AgentRoutingOverride | null>(),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    status: text().$type<AgentStatus>().notNull().default('active'),
    ...auditColumns(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('agents_api_key_hash_uq').on(t.apiKeyHash),
    uniqueIndex('agents_org_id_name_uq').on(t.orgId, t.name),
    index('agents_policy_id_idx').on(t.policyId),
  ],
);

export const agentsRelations = relations(agents, ({ one, many }) => ({
  account: one(accounts, { fields: [agents.orgId], references: [accounts.id] }),
  policy: one(policies, { fields: [agents.policyId], references: [policies.id] }),
  runs: many(runs),
}));
