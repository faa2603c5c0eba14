import { z } from 'zod';
import { AgentStatus } from './agents.ts';
import {
  dataEnvelope,
  dateRangeQuery,
  IdParams,
  limitQuery,
  listEnvelope,
  NullableString,
  OffsetQuery,
  Outcome,
  SortOrder,
  Uuid,
} from './common.ts';
import { ErrorResponse, ProxyAuthError } from './errors.ts';
import { defineOperation } from './operation.ts';
import { Run, RunStatus, Step } from './runs.ts';

/** Endpoints an agent calls about itself with its own API key (tag "Agent"). */

export const AgentApiDiscovery = z.object({
  name: z.string(),
  version: z.string(),
  auth: z.string(),
  endpoints: z.array(z.object({ method: z.string(), path: z.string(), description: z.string() })),
  admin_api: z.string(),
});
export type AgentApiDiscovery = z.infer<typeof AgentApiDiscovery>;

export const AgentSelf = z.object({
  id: Uuid,
  name: z.string(),
  description: NullableString,
  status: AgentStatus,
  policy_name: z.string(),
  hourly_cost_limit_usd: z.number().nullable(),
  budget_hard_limit_usd: z.number().nullable(),
  max_steps_per_run: z.number().int(),
  allowed_models: z.array(z.string()).nullable(),
  model_override: NullableString,
});
export type AgentSelf = z.infer<typeof AgentSelf>;

export const AgentRunSort = z.enum(['started_at', 'ended_at', 'cost_usd', 'status', 'step_count', 'name']);

export const ListAgentRunsQuery = z.object({
  status: RunStatus.optional(),
  ...dateRangeQuery,
  sort: AgentRunSort.default('started_at'),
  order: SortOrder.default('desc'),
  limit: limitQuery(50),
  offset: OffsetQuery,
});
export type ListAgentRunsQuery = z.infer<typeof ListAgentRunsQuery>;

export const ListAgentRunStepsQuery = z.object({
  limit: limitQuery(50),
  offset: OffsetQuery,
  sort: z.string().optional(),
  order: SortOrder.optional(),
});
export type ListAgentRunStepsQuery = z.infer<typeof ListAgentRunStepsQuery>;

/** Partial run update from the agent; null clears a field. */
export const UpdateAgentRunInput = z.object({
  name: z.string().max(255).nullable().optional(),
  outcome: Outcome.nullable().optional(),
  outcome_reason: z.string().max(1024).nullable().optional(),
});
export type UpdateAgentRunInput = z.infer<typeof UpdateAgentRunInput>;

export const AgentRunUpdate = dataEnvelope(
  z.object({
    run_id: Uuid,
    name: NullableString,
    outcome: Outcome.nullable(),
    outcome_reason: NullableString,
  }),
);

const RunResult = dataEnvelope(Run);
const tag = 'Agent';
const auth = 'agent';

export const agentApiOperations = {
  discover: defineOperation({
    operationId: 'discoverAgentApi',
    method: 'GET',
    path: '/v1',
    tag,
    summary: 'API discovery',
    auth: 'none',
    responses: { 200: AgentApiDiscovery },
    successStatus: 200,
  }),
  me: defineOperation({
    operationId: 'getAgentInfo',
    method: 'GET',
    path: '/v1/me',
    tag,
    summary: 'Get agent info',
    auth,
    responses: { 200: dataEnvelope(AgentSelf), 401: ProxyAuthError },
    successStatus: 200,
  }),
  listRuns: defineOperation({
    operationId: 'listAgentRuns',
    method: 'GET',
    path: '/v1/runs/mine',
    tag,
    summary: 'List your runs',
    auth,
    query: ListAgentRunsQuery,
    responses: { 200: listEnvelope(Run), 401: ProxyAuthError },
    successStatus: 200,
  }),
  getCurrentRun: defineOperation({
    operationId: 'getAgentCurrentRun',
    method: 'GET',
    path: '/v1/runs/current',
    tag,
    summary: 'Get current run',
    auth,
    responses: { 200: RunResult, 401: ProxyAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  updateCurrentRun: defineOperation({
    operationId: 'updateAgentCurrentRun',
    method: 'PATCH',
    path: '/v1/runs/current',
    tag,
    summary: 'Update current run',
    auth,
    body: UpdateAgentRunInput,
    responses: { 200: AgentRunUpdate, 400: ErrorResponse, 401: ProxyAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  getRun: defineOperation({
    operationId: 'getAgentRun',
    method: 'GET',
    path: '/v1/runs/{id}',
    tag,
    summary: 'Get a specific run',
    auth,
    params: IdParams,
    responses: { 200: RunResult, 401: ProxyAuthError, 403: ErrorResponse, 404: ErrorResponse },
    successStatus: 200,
  }),
  updateRun: defineOperation({
    operationId: 'updateAgentRun',
    method: 'PATCH',
    path: '/v1/runs/{id}',
    tag,
    summary: 'Update a specific run (any status)',
    auth,
    params: IdParams,
    body: UpdateAgentRunInput,
    responses: {
      200: AgentRunUpdate,
      400: ErrorResponse,
      401: ProxyAuthError,
      403: ErrorResponse,
      404: ErrorResponse,
    },
    successStatus: 200,
  }),
  listRunSteps: defineOperation({
    operationId: 'getAgentRunSteps',
    method: 'GET',
    path: '/v1/runs/{id}/steps',
    tag,
    summary: 'Get steps for a run',
    auth,
    params: IdParams,
    query: ListAgentRunStepsQuery,
    responses: { 200: listEnvelope(Step), 401: ProxyAuthError, 403: ErrorResponse, 404: ErrorResponse },
    successStatus: 200,
  }),
};
