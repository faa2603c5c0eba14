import { z } from 'zod';
import {
  auditFields,
  dataEnvelope,
  IdParams,
  JsonObject,
  listEnvelope,
  NameParams,
  NullableString,
  ResourceName,
  Timestamp,
  tenantFields,
  tenantInputFields,
  Uuid,
} from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';
import { LoadBalancing, ModelRoute, RoutingPreference } from './policies.ts';

export const AgentStatus = z.enum(['active', 'disabled']);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const WeightedProviderKey = z.object({
  key_id: z.string().min(1),
  weight: z.number().int().min(1).max(100),
});

/** One key id, or weighted keys to balance between. */
export const ProviderKeyBinding = z.union([
  z.string().min(1).describe('A single provider key id'),
  z.array(WeightedProviderKey),
]);

/** Provider identifier to the key(s) the agent uses for it. */
export const AgentProviderKeys = z.record(z.string(), ProviderKeyBinding);
export type AgentProviderKeys = z.infer<typeof AgentProviderKeys>;

export const RoutingOverride = z
  .object({
    default_chain: z.array(z.string()).optional(),
    model_routes: z.array(ModelRoute).optional(),
    load_balancing: LoadBalancing.optional(),
    routing_preference: RoutingPreference.optional(),
    timeout_ms: z.number().int().positive().optional().describe("Overrides the policy's routing.timeout_ms"),
  })
  .nullable();
export type RoutingOverride = z.infer<typeof RoutingOverride>;

const allowedPolicies = z.array(z.string()).nullable().describe('Policies the agent may pick per run; null allows any');

export const Agent = z
  .object({
    id: Uuid,
    ...tenantFields,
    name: z.string(),
    description: NullableString.optional(),
    api_key_prefix: z.string().optional().describe('Leading characters of the key, for recognition'),
    policy_id: Uuid,
    allowed_policies: allowedPolicies.optional(),
    provider_keys: AgentProviderKeys.optional(),
    routing_override: RoutingOverride.optional(),
    metadata: JsonObject.optional(),
    status: AgentStatus,
    ...auditFields,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('An agent with its own API key, governed by a policy');
export type Agent = z.infer<typeof Agent>;

/** An agent as returned once at creation, with its plaintext key. */
export const CreatedAgent = Agent.extend({
  api_key: z.string().describe('Plaintext rg_sk_ key; shown only here'),
  _note: z.string().optional().describe('Set when the name was suffixed to be unique'),
});
export type CreatedAgent = z.infer<typeof CreatedAgent>;

const agentSettings = {
  description: z.string().nullable().optional(),
  provider_keys: AgentProviderKeys.optional(),
  routing_override: RoutingOverride.optional(),
  allowed_policies: allowedPolicies.optional(),
  metadata: JsonObject.optional(),
};

export const CreateAgentInput = z
  .object({
    name: ResourceName.describe('Suffixed (my-agent-2) when already taken'),
    policy_id: Uuid,
    ...agentSettings,
    ...tenantInputFields,
  })
  .describe('New agent; the response carries its API key once');
export type CreateAgentInput = z.infer<typeof CreateAgentInput>;

export const UpdateAgentInput = z.object({
  name: ResourceName.optional(),
  policy_id: Uuid.optional(),
  ...agentSettings,
  status: AgentStatus.optional(),
});
export type UpdateAgentInput = z.infer<typeof UpdateAgentInput>;

export const PatchAgentInput = z.object({
  name: ResourceName.optional(),
  description: z.string().nullable().optional(),
  policy_id: Uuid.optional(),
  status: AgentStatus.optional(),
  metadata: JsonObject.optional(),
  member_id: z.string().nullable().optional().describe('New owner; needs the agents.reassign permission'),
});
export type PatchAgentInput = z.infer<typeof PatchAgentInput>;

export const UpsertAgentInput = z
  .object({
    policy_id: Uuid.optional().describe('Required when the agent is created'),
    ...agentSettings,
    status: AgentStatus.optional().describe('Honoured on update only'),
    ...tenantInputFields,
  })
  .describe('Upsert by name (the name is in the path)');
export type UpsertAgentInput = z.infer<typeof UpsertAgentInput>;

export const ListAgentsQuery = z.object({
  status: AgentStatus.optional(),
  policy_id: Uuid.optional(),
});
export type ListAgentsQuery = z.infer<typeof ListAgentsQuery>;

export const AgentSpend = z.object({ total_spend: z.number(), total_runs: z.number().int() });

export const AllAgentStats = z.record(z.string(), AgentSpend).describe('Spend per agent id');
export type AllAgentStats = z.infer<typeof AllAgentStats>;

export const RotatedAgentKey = dataEnvelope(
  z.object({ message: z.string(), api_key: z.string(), api_key_prefix: z.string() }),
);

const AgentResult = dataEnvelope(Agent);
const CreatedAgentResult = dataEnvelope(CreatedAgent);
const tag = 'Agents';
const auth = 'dashboard';

export const agentOperations = {
  create: defineOperation({
    operationId: 'createAgent',
    method: 'POST',
    path: '/api/agents',
    tag,
    summary: 'Create an agent',
    auth,
    body: CreateAgentInput,
    responses: { 201: CreatedAgentResult, 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listAgents',
    method: 'GET',
    path: '/api/agents',
    tag,
    summary: 'List agents',
    auth,
    query: ListAgentsQuery,
    responses: { 200: listEnvelope(Agent), 401: DashboardAuthError },
    successStatus: 200,
  }),
  stats: defineOperation({
    operationId: 'getAllAgentStats',
    method: 'GET',
    path: '/api/agents/stats/all',
    tag,
    summary: 'Get all agent statistics',
    auth,
    responses: { 200: dataEnvelope(AllAgentStats), 401: DashboardAuthError },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getAgent',
    method: 'GET',
    path: '/api/agents/{id}',
    tag,
    summary: 'Get an agent by ID',
    auth,
    params: IdParams,
    responses: { 200: AgentResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  update: defineOperation({
    operationId: 'updateAgent',
    method: 'PUT',
    path: '/api/agents/{id}',
    tag,
    summary: 'Update an agent (full)',
    auth,
    params: IdParams,
    body: UpdateAgentInput,
    responses: { 200: AgentResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  patch: defineOperation({
    operationId: 'patchAgent',
    method: 'PATCH',
    path: '/api/agents/{id}',
    tag,
    summary: 'Update an agent (partial)',
    auth,
    params: IdParams,
    body: PatchAgentInput,
    responses: { 200: AgentResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  rotateKey: defineOperation({
    operationId: 'rotateAgentKey',
    method: 'POST',
    path: '/api/agents/{id}/rotate-key',
    tag,
    summary: 'Rotate an agent API key',
    auth,
    params: IdParams,
    responses: { 200: RotatedAgentKey, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  upsertByName: defineOperation({
    operationId: 'upsertAgentByName',
    method: 'PUT',
    path: '/api/agents/by-name/{name}',
    tag,
    summary: 'Upsert an agent by name',
    auth,
    params: NameParams,
    body: UpsertAgentInput,
    responses: { 200: AgentResult, 201: CreatedAgentResult, 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
};
