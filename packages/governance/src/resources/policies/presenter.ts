import type { Policy, PolicyVersion, Visibility } from '@rungate/contracts';
import type { policies, policyVersions } from '@rungate/db';
import { isoRequired } from '../../time/dates.ts';
import { auditFields } from '../audit-columns.ts';
import { type PolicySettings, withDefaults } from './defaults.ts';

export type PolicyRow = typeof policies.$inferSelect;
type PolicyVersionRow = typeof policyVersions.$inferSelect;

/** The API's policy with every setting resolved; what the proxy reads too. */
export type PolicyView = Policy &
  PolicySettings & {
    org_id: string;
    workspace_id: string | null;
    visibility: Visibility;
    member_id: string | null;
    created_by: string | null;
    updated_by: string | null;
    created_by_token_id: string | null;
    updated_by_token_id: string | null;
  };

/** Stored settings (columns) with defaults filled in under them. */
export function settingsFromRow(row: PolicyRow): PolicySettings {
  return withDefaults({
    dry_run: row.dryRun,
    content_logging: row.contentLogging,
    budget: row.budget,
    allowed_models: row.allowedModels,
    blocked_models: row.blockedModels,
    allowed_tools: row.allowedTools,
    blocked_tools: row.blockedTools,
    require_approval: row.requireApproval,
    approval_expiry_ms: row.approvalExpiryMs,
    rate_limits: row.rateLimits,
    routing: row.routing,
    model_mapping: row.modelMapping,
    default_model: row.defaultModel,
    model_override: row.modelOverride,
    runaway_prevention: row.runawayPrevention,
    implicit_run_grouping: row.implicitRunGrouping,
    outcome_defaults: row.outcomeDefaults,
  });
}

/** Column values for a complete set of settings. */
export function settingsColumns(settings: PolicySettings) {
  return {
    dryRun: settings.dry_run,
    contentLogging: settings.content_logging,
    budget: settings.budget,
    allowedModels: settings.allowed_models,
    blockedModels: settings.blocked_models,
    allowedTools: settings.allowed_tools,
    blockedTools: settings.blocked_tools,
    requireApproval: settings.require_approval,
    approvalExpiryMs: settings.approval_expiry_ms,
    rateLimits: settings.rate_limits,
    routing: settings.routing,
    modelMapping: settings.model_mapping,
    defaultModel: settings.default_model,
    modelOverride: settings.model_override,
    runawayPrevention: settings.runaway_prevention,
    implicitRunGrouping: settings.implicit_run_grouping,
    outcomeDefaults: settings.outcome_defaults,
  } satisfies Partial<PolicyRow>;
}

export function toPolicy(row: PolicyRow): PolicyView {
  return {
    id: row.id,
    org_id: row.orgId,
    workspace_id: row.workspaceId,
    name: row.name,
    ...settingsFromRow(row),
    visibility: row.visibility,
    ...auditFields(row),
  };
}

export function toPolicyVersion(row: PolicyVersionRow): PolicyVersion {
  return {
    id: row.id,
    policy_id: row.policyId,
    version_number: row.versionNumber,
    snapshot: row.snapshot,
    changed_by: row.changedBy,
    changed_fields: row.changedFields,
    created_at: isoRequired(row.createdAt),
  };
}
