import { z } from 'zod';
import {
  auditFields,
  dataEnvelope,
  dateRangeQuery,
  IdParams,
  JsonObject,
  limitQuery,
  listEnvelope,
  MAX_INT4,
  MessageResult,
  NameParams,
  Outcome,
  ResourceName,
  Timestamp,
  tenantFields,
  tenantInputFields,
  Uuid,
  Visibility,
} from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

// ---- policy building blocks (shared by the resource and its inputs) --------

const usd = z.number().nonnegative();
const tokenCount = z.number().int().nonnegative();
const positiveMs = z.number().int().positive();

export const OnAlertThreshold = z.enum(['continue_and_alert', 'stop_and_alert', 'continue_and_block_new']);
export type OnAlertThreshold = z.infer<typeof OnAlertThreshold>;

export const PolicyBudget = z.object({
  alert_threshold_tokens: tokenCount.nullable().optional(),
  alert_threshold_usd: usd.nullable().optional(),
  hard_limit_tokens: tokenCount.nullable().optional(),
  hard_limit_usd: usd.nullable().optional(),
  max_cost_per_hour_usd: usd.nullable().optional(),
  on_alert_threshold: OnAlertThreshold.optional(),
});
export type PolicyBudget = z.infer<typeof PolicyBudget>;

export const RateLimits = z
  .object({
    max_requests_per_minute: z.number().int().positive().nullable().optional(),
    max_tokens_per_minute: z.number().int().positive().nullable().optional(),
  })
  .describe('Counted per agent per policy');

export const LoadBalancing = z.enum(['failover', 'round_robin', 'weighted']);
export type LoadBalancing = z.infer<typeof LoadBalancing>;
export const RoutingPreference = z.enum(['default', 'cost', 'latency']);
export type RoutingPreference = z.infer<typeof RoutingPreference>;

export const ModelRoute = z.object({
  pattern: z.string().min(1).describe('Model name or glob, e.g. gpt-* or claude-*'),
  chain: z.array(z.string()).describe('Provider identifiers to try in order'),
  timeout_ms: positiveMs.optional(),
});

export const CircuitBreakerSettings = z.object({
  failure_threshold: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Consecutive failures that open the circuit; 0 disables'),
  recovery_timeout_ms: z
    .number()
    .int()
    .min(1000)
    .optional()
    .describe('First cool-down before a probe; doubles per failed probe'),
  max_recovery_timeout_ms: z.number().int().min(1000).optional(),
});

export const PolicyRouting = z
  .object({
    default_chain: z.array(z.string()).optional().describe('Provider identifiers in failover order'),
    model_routes: z.array(ModelRoute).optional().describe('First matching pattern wins'),
    timeout_ms: positiveMs.optional().describe('Whole request after connect (default 120000)'),
    connect_timeout_ms: z
      .number()
      .int()
      .min(1000)
      .max(600_000)
      .optional()
      .describe('TCP+TLS handshake limit (default 10000); not above timeout_ms'),
    retry_on: z
      .array(z.number().int().min(100).max(599))
      .optional()
      .describe('Statuses that move on to the next attempt'),
    max_retries: z.number().int().min(0).optional().describe('Total attempts per provider'),
    on_rate_limit: z.enum(['failover_first', 'backoff_first']).optional(),
    load_balancing: LoadBalancing.optional(),
    circuit_breaker: CircuitBreakerSettings.optional(),
    routing_preference: RoutingPreference.optional(),
  })
  .refine(
    (routing) =>
      routing.connect_timeout_ms === undefined ||
      routing.timeout_ms === undefined ||
      routing.connect_timeout_ms <= routing.timeout_ms,
    { message: 'connect_timeout_ms must not exceed timeout_ms', path: ['connect_timeout_ms'] },
  );
export type PolicyRouting = z.infer<typeof PolicyRouting>;

export const RunawayPrevention = z.object({
  enabled: z.boolean().optional(),
  max_steps_per_run: z.number().int().positive().optional(),
});

export const ImplicitRunGrouping = z.object({
  time_window_seconds: z.number().int().positive().optional(),
  run_idle_timeout_seconds: z.number().int().positive().max(86_400).optional(),
  force_stop_cooldown_minutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .optional()
    .describe('Block on new implicit runs after a force-stop; 0 disables (default 60)'),
});

const outcomeDefault = Outcome.nullable().optional();

/** Outcome to record per `ended_reason`; unknown reasons are rejected. */
export const OutcomeDefaults = z
  .strictObject({
    agent_signaled: outcomeDefault,
    agent_complete_all: outcomeDefault,
    cost_limit: outcomeDefault,
    token_limit: outcomeDefault,
    alert_threshold_stop: outcomeDefault,
    idle_auto_complete: outcomeDefault,
    idle_timeout: outcomeDefault,
    new_run_requested: outcomeDefault,
    admin_stopped: outcomeDefault,
    admin_completed: outcomeDefault,
  })
  .nullable();
export type OutcomeDefaults = z.infer<typeof OutcomeDefaults>;

export const ContentLogging = z.enum(['default', 'enabled', 'disabled']);
export type ContentLogging = z.infer<typeof ContentLogging>;

export const ModelMapping = z
  .record(z.string(), z.record(z.string(), z.string()))
  .describe('Source model to { provider: target model }');

export const ApprovalExpiryMs = z
  .number()
  .int()
  .min(60_000)
  .max(604_800_000)
  .describe('How long an approval request stays open (default 8 h)');

/** Every settable policy field, all optional. */
const policySettings = {
  dry_run: z.boolean().optional().describe('Run checks but answer with a zero-cost mock'),
  content_logging: ContentLogging.optional(),
  budget: PolicyBudget.optional(),
  allowed_models: z.array(z.string()).optional(),
  blocked_models: z.array(z.string()).optional(),
  allowed_tools: z.array(z.string()).optional(),
  blocked_tools: z.array(z.string()).optional(),
  require_approval: z.array(z.string()).optional().describe('Tools that need a human decision'),
  approval_expiry_ms: ApprovalExpiryMs.optional(),
  rate_limits: RateLimits.optional(),
  routing: PolicyRouting.optional(),
  model_mapping: ModelMapping.optional(),
  default_model: z.string().nullable().optional(),
  model_override: z.string().nullable().optional().describe('Replaces the requested model for every call'),
  runaway_prevention: RunawayPrevention.optional(),
  implicit_run_grouping: ImplicitRunGrouping.optional(),
  outcome_defaults: OutcomeDefaults.optional(),
};

// ---- resource -------------------------------------------------------------

export const Policy = z
  .object({
    id: Uuid,
    ...tenantFields,
    name: z.string(),
    ...policySettings,
    budget: PolicyBudget,
    routing: PolicyRouting,
    visibility: Visibility.optional(),
    ...auditFields,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('Governance policy: budget, limits, model and tool rules, routing');
export type Policy = z.infer<typeof Policy>;

export const PolicyVersion = z
  .object({
    id: Uuid,
    policy_id: Uuid,
    version_number: z.number().int().min(1),
    snapshot: JsonObject.describe('The whole policy at this version'),
    changed_by: z.string().describe('Admin token id, "session" or "system"'),
    changed_fields: z.array(z.string()).describe('Top-level fields changed; ["_deleted"] on deletion'),
    created_at: Timestamp,
  })
  .describe('Snapshot of a policy written on each change');
export type PolicyVersion = z.infer<typeof PolicyVersion>;

// ---- inputs ---------------------------------------------------------------

export const CreatePolicyInput = z
  .object({
    name: ResourceName,
    ...policySettings,
    visibility: Visibility.optional().describe('Members may only create personal policies (default org)'),
    ...tenantInputFields,
  })
  .describe('New policy; only name is required');
export type CreatePolicyInput = z.infer<typeof CreatePolicyInput>;

/** PUT /api/policies/{id} deep-merges, so every field, name included, is optional. */
export const UpdatePolicyInput = CreatePolicyInput.partial();
export type UpdatePolicyInput = z.infer<typeof UpdatePolicyInput>;

export const UpsertPolicyInput = z
  .object({ ...policySettings, visibility: Visibility.optional(), ...tenantInputFields })
  .describe('Upsert by name (the name is in the path); defaults on create, deep merge on update');
export type UpsertPolicyInput = z.infer<typeof UpsertPolicyInput>;

// ---- queries and results --------------------------------------------------

export const ListPoliciesQuery = z.object({
  name: z.string().optional().describe('Substring match on the name'),
});

/** Stats and cost-trend take the id as given; an unknown id is a 404. */
export const PolicyRefParams = z.object({ id: z.string().min(1) });

export const PolicyStatsQuery = z.object({ ...dateRangeQuery });

export const PolicyCostTrendQuery = z.object({ ...dateRangeQuery, limit: limitQuery(100, 500) });

export const PolicyVersionParams = z.object({ id: Uuid, version: z.coerce.number().int().min(1).max(MAX_INT4) });

export const PolicyStats = z.object({
  total_runs: z.number().int(),
  total_spend_usd: z.number(),
  avg_cost_per_run_usd: z.number().nullable(),
  avg_steps_per_run: z.number().nullable(),
  avg_duration_ms: z.number().nullable(),
  success_rate: z.number().nullable(),
  budget_utilization: z.number().nullable(),
});
export type PolicyStats = z.infer<typeof PolicyStats>;

export const PolicyCostTrendPoint = z.object({
  run_id: z.string(),
  name: z.string().nullable(),
  cost_usd: z.number(),
  step_count: z.number().int(),
  started_at: Timestamp,
});

const PolicyResult = dataEnvelope(Policy);
const tag = 'Policies';
const auth = 'dashboard';

export const policyOperations = {
  create: defineOperation({
    operationId: 'createPolicy',
    method: 'POST',
    path: '/api/policies',
    tag,
    summary: 'Create a policy',
    auth,
    body: CreatePolicyInput,
    responses: { 201: PolicyResult, 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listPolicies',
    method: 'GET',
    path: '/api/policies',
    tag,
    summary: 'List policies',
    auth,
    query: ListPoliciesQuery,
    responses: { 200: listEnvelope(Policy), 401: DashboardAuthError },
    successStatus: 200,
  }),
  stats: defineOperation({
    operationId: 'getPolicyStats',
    method: 'GET',
    path: '/api/policies/{id}/stats',
    tag,
    summary: 'Get aggregate KPI stats for a policy',
    auth,
    params: PolicyRefParams,
    query: PolicyStatsQuery,
    responses: { 200: dataEnvelope(PolicyStats), 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  costTrend: defineOperation({
    operationId: 'getPolicyCostTrend',
    method: 'GET',
    path: '/api/policies/{id}/cost-trend',
    tag,
    summary: 'Get per-run cost data for charting',
    auth,
    params: PolicyRefParams,
    query: PolicyCostTrendQuery,
    responses: { 200: listEnvelope(PolicyCostTrendPoint), 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getPolicy',
    method: 'GET',
    path: '/api/policies/{id}',
    tag,
    summary: 'Get a policy by ID',
    auth,
    params: IdParams,
    responses: { 200: PolicyResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  update: defineOperation({
    operationId: 'updatePolicy',
    method: 'PUT',
    path: '/api/policies/{id}',
    tag,
    summary: 'Update a policy',
    auth,
    params: IdParams,
    body: UpdatePolicyInput,
    responses: { 200: PolicyResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  delete: defineOperation({
    operationId: 'deletePolicy',
    method: 'DELETE',
    path: '/api/policies/{id}',
    tag,
    summary: 'Delete a policy',
    auth,
    params: IdParams,
    responses: { 200: MessageResult, 401: DashboardAuthError, 404: ErrorResponse, 409: ErrorResponse },
    successStatus: 200,
  }),
  upsertByName: defineOperation({
    operationId: 'upsertPolicyByName',
    method: 'PUT',
    path: '/api/policies/by-name/{name}',
    tag,
    summary: 'Upsert a policy by name',
    auth,
    params: NameParams,
    body: UpsertPolicyInput,
    responses: {
      200: PolicyResult,
      201: PolicyResult,
      400: ErrorResponse,
      401: DashboardAuthError,
      409: ErrorResponse,
    },
    successStatus: 200,
  }),
  listVersions: defineOperation({
    operationId: 'listPolicyVersions',
    method: 'GET',
    path: '/api/policies/{id}/versions',
    tag,
    summary: 'List policy version history',
    auth,
    params: IdParams,
    responses: { 200: listEnvelope(PolicyVersion), 401: DashboardAuthError },
    successStatus: 200,
  }),
  getVersion: defineOperation({
    operationId: 'getPolicyVersion',
    method: 'GET',
    path: '/api/policies/{id}/versions/{version}',
    tag,
    summary: 'Get a specific policy version',
    auth,
    params: PolicyVersionParams,
    responses: { 200: dataEnvelope(PolicyVersion), 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
};
