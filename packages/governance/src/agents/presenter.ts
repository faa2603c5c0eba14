import type { Agent } from '@rungate/contracts';
import type { agents } from '@rungate/db';
import { isoRequired } from '../common/dates.ts';

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
    member_id: row.memberId,
    created_by: row.createdBy,
    updated_by: row.updatedBy,
    created_by_token_id: row.createdByTokenId,
    updated_by_token_id: row.updatedByTokenId,
    created_at: isoRequired(row.createdAt),
    updated_at: isoRequired(row.updatedAt),
  };
}
