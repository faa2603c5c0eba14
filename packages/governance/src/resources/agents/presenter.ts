import type { Agent } from '@rungate/contracts';
import type { agents } from '@rungate/db';
import { auditFields } from '../audit-columns.ts';

export type AgentRow = typeof agents.$inferSelect;

/** Row to API object; the key hash never leaves the service. */
export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    org_id: row.orgId,
    workspace_id: row.workspaceId,
    name: row.name,
    description: row.description,
    api_key_prefix: row.apiKeyPrefix,
    policy_id: row.policyId,
    allowed_policies: row.allowedPolicies,
    provider_keys: row.providerKeys,
    routing_override: row.routingOverride,
    metadata: row.metadata,
    status: row.status,
    ...auditFields(row),
  };
}
