import { z } from 'zod';
import {
  BooleanQuery,
  dataEnvelope,
  dateRangeQuery,
  IdParams,
  JsonObject,
  limitQuery,
  listEnvelope,
  MessageResult,
  NullableString,
  OffsetQuery,
  Outcome,
  SortOrder,
  Timestamp,
  TokenCounts,
  TokenTotals,
  Uuid,
} from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const RunStatus = z.enum(['running', 'completed', 'failed', 'budget_exceeded', 'force_stopped']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunCreationMethod = z.enum(['explicit', 'implicit', 'sdk']);
export type RunCreationMethod = z.infer<typeof RunCreationMethod>;
export const CompletionReason = z.enum(['explicit', 'idle_timeout', 'server_restart']);
export type CompletionReason = z.infer<typeof CompletionReason>;

export const RunBudget = z.object({
  alert_threshold_tokens: z.number().int().nullable().optional(),
  alert_threshold_usd: z.number().nullable().optional(),
  hard_limit_tokens: z.number().int().nullable().optional(),
  hard_limit_usd: z.number().nullable().optional(),
});

export const Run = z
  .object({
    id: Uuid,
    agent_id: Uuid,
    org_id: Uuid.nullable().optional(),
    agent_name: z.string().optional(),
    name: NullableString.optional().describe('Set by x-rungate-run-name or a rename'),
    primary_model: z.string().optional(),
    status: RunStatus,
    creation_method: RunCreationMethod,
    ended_reason: NullableString.optional(),
    completion_reason: CompletionReason.nullable().optional(),
    budget: RunBudget,
    alert_threshold_exceeded: z.boolean().optional(),
    alert_sent_at: Timestamp.nullable().optional(),
    tokens_used: TokenTotals,
    cost_usd: z.number(),
    policy_name: NullableString.optional(),
    policy_snapshot: JsonObject.optional(),
    step_count: z.number().int(),
    last_step_at: Timestamp.nullable().optional(),
    started_at: Timestamp,
    ended_at: Timestamp.nullable().optional(),
    force_stop_lifted_at: Timestamp.nullable().optional(),
    has_governance_block: z.boolean().optional(),
    outcome: Outcome.nullable().optional(),
    outcome_reason: NullableString.optional(),
    metadata: JsonObject.optional(),
  })
  .describe('A run: the LLM calls of one agent session');
export type Run = z.infer<typeof Run>;

export const StepType = z.enum([
  'llm_call',
  'tool_call',
  'retry',
  'dry_run',
  'post_completion_sweep',
  'failover_transition',
]);
export type StepType = z.infer<typeof StepType>;

export const StepStatus = z.enum(['success', 'error', 'timeout', 'budget_blocked', 'policy_blocked']);
export type StepStatus = z.infer<typeof StepStatus>;

/** Why an upstream attempt failed; a failed step's `response.error.kind`. */
export const FailureKind = z.enum([
  'tcp_connect_timeout',
  'request_timeout',
  'network_error',
  'http_error',
  'empty_stream',
  'first_events_timeout',
  'first_events_error',
  'mid_stream_error',
  'client_disconnect',
  'stream_processing_error',
  'unknown',
]);
export type FailureKind = z.infer<typeof FailureKind>;

/**
 * How one attempt of a call ended (`failover_context.attempted[].kind`, `response.errors[].kind`):
 * a `FailureKind`, or `circuit_open` for a key skipped without a call because its circuit breaker
 * was open. `circuit_open` is Rungate's addition to the spec, which lists only the FailureKind values.
 */
export const AttemptFailureKind = z
  .enum([...FailureKind.options, 'circuit_open'])
  .describe('A FailureKind, or circuit_open: the key was skipped without a call because its circuit breaker was open');
export type AttemptFailureKind = z.infer<typeof AttemptFailureKind>;

export const StepResponse = z
  .looseObject({
    error: z
      .looseObject({ type: z.string().optional(), status: z.number().int().optional(), kind: FailureKind.optional() })
      .optional(),
    errors: z
      .array(
        z.looseObject({
          provider: z.string().optional(),
          status: z.number().int().optional(),
          message: z.string().optional(),
          kind: AttemptFailureKind.optional(),
        }),
      )
      .optional(),
  })
  .describe('Provider response, a redaction marker, or the error(s) of a failed step');

export const FailoverAttempt = z.object({
  provider: z.string(),
  provider_key_id: Uuid,
  status: z
    .number()
    .int()
    .optional()
    .describe(
      'The HTTP status the attempt ended with; absent on a key skipped because its circuit was open (not called)',
    ),
  error: z.string().describe('Redacted, at most 1000 characters'),
  kind: AttemptFailureKind.optional(),
});
export type FailoverAttempt = z.infer<typeof FailoverAttempt>;

export const FailoverContext = z.object({
  attempted: z.array(FailoverAttempt),
  resolved_provider: NullableString.describe('Null when every provider failed'),
  resolved_model: NullableString,
  original_model: z.string(),
});
export type FailoverContext = z.infer<typeof FailoverContext>;

export const Step = z
  .object({
    id: z.string(),
    run_id: Uuid,
    type: StepType,
    provider: z.string(),
    model: z.string(),
    provider_key_id: Uuid.optional(),
    streaming: z.boolean().optional(),
    request: JsonObject.optional(),
    response: StepResponse.optional(),
    tokens: TokenCounts.optional(),
    cost_usd: z.number(),
    latency_ms: z.number().int(),
    routed_from: NullableString.optional(),
    failover_attempts: z.number().int().optional(),
    status: StepStatus,
    error_message: NullableString.optional(),
    created_at: Timestamp,
    failover_context: FailoverContext.nullable().optional().describe('Only on failover_transition steps'),
  })
  .describe('One step of a run, usually a provider call');
export type Step = z.infer<typeof Step>;

export const LedgerEntry = z
  .object({
    id: z.string(),
    run_id: Uuid,
    step_id: z.string(),
    agent_id: Uuid,
    provider: z.string(),
    model: z.string(),
    provider_key_id: Uuid.optional(),
    tokens: TokenCounts.optional(),
    cost_usd: z.number(),
    created_at: Timestamp,
  })
  .describe('Immutable cost record of one step');
export type LedgerEntry = z.infer<typeof LedgerEntry>;

// ---- completion (shared with the agent-facing /v1/runs endpoints) ----------

export const RunCompletionInput = z
  .object({
    ended_reason: z.string().min(1).max(255).default('agent_signaled'),
    metadata: JsonObject.optional().describe('Merged into the run metadata'),
    outcome: Outcome.optional().describe('Without it: the policy outcome default, else success'),
    outcome_reason: z.string().max(1024).optional(),
  })
  .describe('Completing a run');
export type RunCompletionInput = z.infer<typeof RunCompletionInput>;

export const GovernanceEventCount = z.object({ type: z.string(), count: z.number().int() });

export const RunCompletionResponse = z
  .object({
    data: z.object({
      id: Uuid,
      name: NullableString.optional(),
      status: z.string(),
      ended_at: Timestamp,
      ended_reason: z.string(),
      completion_reason: z.string(),
      outcome: Outcome.nullable().optional(),
      outcome_reason: NullableString.optional(),
      step_count: z.number().int(),
      cost_usd: z.number(),
      tokens_used: TokenTotals,
      duration_ms: z.number().int().nullable().optional(),
      policy_name: NullableString.optional(),
      primary_model: NullableString.optional(),
      governance_events: z.array(GovernanceEventCount).describe('Blocks during the run, most frequent first'),
      limits_hit: z.boolean(),
    }),
  })
  .describe('Summary of a completed run');
export type RunCompletionResponse = z.infer<typeof RunCompletionResponse>;

// ---- dashboard inputs -----------------------------------------------------

export const ListRunsQuery = z.object({
  agent_id: Uuid.optional(),
  status: RunStatus.optional(),
  ...dateRangeQuery,
  sort: z.string().optional(),
  order: SortOrder.default('desc'),
  limit: limitQuery(50, 200),
  offset: OffsetQuery,
  had_governance_block: BooleanQuery.optional(),
  had_failover: BooleanQuery.optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

export const ListRunStepsQuery = z.object({
  sort: z.string().optional(),
  order: SortOrder.optional(),
  limit: limitQuery(100, 200),
  offset: OffsetQuery,
});
export type ListRunStepsQuery = z.infer<typeof ListRunStepsQuery>;

export const RenameRunInput = z.object({ name: z.string().max(255) });
export type RenameRunInput = z.infer<typeof RenameRunInput>;

export const AdminCompleteRunInput = z.object({
  reason: z.string().min(1).max(255).optional().describe('Stored as ended_reason (default admin_completed)'),
});
export type AdminCompleteRunInput = z.infer<typeof AdminCompleteRunInput>;

export const UnblockRunResult = dataEnvelope(z.object({ message: z.string(), lifted_at: Timestamp }));

const RunResult = dataEnvelope(Run);
const tag = 'Runs';
const auth = 'dashboard';

export const runOperations = {
  list: defineOperation({
    operationId: 'listRuns',
    method: 'GET',
    path: '/api/runs',
    tag,
    summary: 'List runs',
    auth,
    query: ListRunsQuery,
    responses: { 200: listEnvelope(Run), 401: DashboardAuthError },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getRun',
    method: 'GET',
    path: '/api/runs/{id}',
    tag,
    summary: 'Get a run by ID',
    auth,
    params: IdParams,
    responses: { 200: RunResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  rename: defineOperation({
    operationId: 'renameRun',
    method: 'PATCH',
    path: '/api/runs/{id}',
    tag,
    summary: 'Rename a run',
    auth,
    params: IdParams,
    body: RenameRunInput,
    responses: { 200: RunResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  listSteps: defineOperation({
    operationId: 'listRunSteps',
    method: 'GET',
    path: '/api/runs/{id}/steps',
    tag,
    summary: 'List steps for a run',
    auth,
    params: IdParams,
    query: ListRunStepsQuery,
    responses: { 200: listEnvelope(Step), 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  listLedger: defineOperation({
    operationId: 'listRunLedger',
    method: 'GET',
    path: '/api/runs/{id}/ledger',
    tag,
    summary: 'List ledger entries for a run',
    auth,
    params: IdParams,
    responses: { 200: listEnvelope(LedgerEntry), 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  stop: defineOperation({
    operationId: 'stopRun',
    method: 'POST',
    path: '/api/runs/{id}/stop',
    tag,
    summary: 'Force-stop a run',
    auth,
    params: IdParams,
    responses: { 200: MessageResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  unblock: defineOperation({
    operationId: 'unblockRun',
    method: 'POST',
    path: '/api/runs/{id}/unblock',
    tag,
    summary: 'Lift force-stop block',
    auth,
    params: IdParams,
    responses: { 200: UnblockRunResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  complete: defineOperation({
    operationId: 'completeRun',
    method: 'POST',
    path: '/api/runs/{id}/complete',
    tag,
    summary: 'Complete a run',
    auth,
    params: IdParams,
    body: AdminCompleteRunInput.optional(),
    responses: { 200: RunResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
};
