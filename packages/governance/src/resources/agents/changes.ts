import type { AgentProviderKeys, AgentStatus, RoutingOverride } from '@rungate/contracts';
import type { agents } from '@rungate/db';

/** Settable agent fields as any update-style body (PUT, PATCH, upsert) carries them. */
export interface AgentChanges {
  name?: string | undefined;
  description?: string | null | undefined;
  policy_id?: string | undefined;
  allowed_policies?: string[] | null | undefined;
  provider_keys?: AgentProviderKeys | undefined;
  routing_override?: RoutingOverride | undefined;
  metadata?: Record<string, unknown> | undefined;
  status?: AgentStatus | undefined;
  member_id?: string | null | undefined;
}

type AgentColumns = Partial<typeof agents.$inferInsert>;

/**
 * The columns to write: only the fields present in the body. Object fields (provider_keys,
 * routing_override, metadata) are replaced whole, so a binding or a key can be removed.
 */
export function changedColumns(input: AgentChanges): AgentColumns {
  const columns: AgentColumns = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.description !== undefined) columns.description = input.description;
  if (input.policy_id !== undefined) columns.policyId = input.policy_id;
  if (input.allowed_policies !== undefined) columns.allowedPolicies = input.allowed_policies;
  if (input.provider_keys !== undefined) columns.providerKeys = input.provider_keys;
  if (input.routing_override !== undefined) columns.routingOverride = input.routing_override;
  if (input.metadata !== undefined) columns.metadata = input.metadata;
  if (input.status !== undefined) columns.status = input.status;
  if (input.member_id !== undefined) columns.memberId = input.member_id;
  return columns;
}
