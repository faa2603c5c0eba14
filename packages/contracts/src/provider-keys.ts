import { z } from 'zod';
import {
  dataEnvelope,
  IdParams,
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

export const ProviderKeyStatus = z.enum(['active', 'disabled', 'deleted']);
export type ProviderKeyStatus = z.infer<typeof ProviderKeyStatus>;

export const ProviderKey = z
  .object({
    id: Uuid,
    ...tenantFields,
    provider: z.string().describe('Provider identifier, e.g. openai or anthropic'),
    name: z.string(),
    api_key: NullableString.describe('Always masked; null once deleted'),
    base_url: NullableString.optional().describe('SDK base URL; null for the provider default'),
    status: ProviderKeyStatus,
    last_used_at: Timestamp.nullable().optional(),
    created_at: Timestamp,
    updated_at: Timestamp,
    rotated_at: Timestamp.nullable().optional(),
  })
  .describe('An upstream provider API key');
export type ProviderKey = z.infer<typeof ProviderKey>;

const providerId = z.string().min(1);
const secret = z.string().min(1);
const baseUrl = z.url({ protocol: /^https?$/ }).nullable();

export const CreateProviderKeyInput = z.object({
  provider: providerId.describe('Provider identifier, e.g. openai or anthropic'),
  name: ResourceName,
  api_key: secret.describe('Plaintext key, encrypted at rest'),
  base_url: baseUrl.optional(),
  ...tenantInputFields,
});
export type CreateProviderKeyInput = z.infer<typeof CreateProviderKeyInput>;

export const UpdateProviderKeyInput = z.object({
  name: ResourceName.optional(),
  base_url: baseUrl.optional(),
  api_key: secret.optional().describe('New plaintext key; sets rotated_at'),
});
export type UpdateProviderKeyInput = z.infer<typeof UpdateProviderKeyInput>;

export const UpsertProviderKeyInput = z
  .object({
    provider: providerId.optional().describe('Required on create; must match on update'),
    api_key: secret.optional().describe('Required on create; rotates the key on update'),
    base_url: baseUrl.optional(),
    ...tenantInputFields,
  })
  .describe('Upsert by name: provider and api_key are needed only when the key is created');
export type UpsertProviderKeyInput = z.infer<typeof UpsertProviderKeyInput>;

export const ListProviderKeysQuery = z.object({
  provider: z.string().optional(),
  status: ProviderKeyStatus.optional().describe('Without it, active and disabled keys are listed'),
});
export type ListProviderKeysQuery = z.infer<typeof ListProviderKeysQuery>;

export const DeleteProviderKeyQuery = z.object({
  remap_to: Uuid.optional().describe('Active key of the same provider to move dependent agents to'),
});

export const DeleteProviderKeyResult = dataEnvelope(
  z.object({ message: z.string(), remapped_agents: z.number().int() }),
);

export const ProviderKeyDependents = dataEnvelope(
  z.object({
    agents: z.array(z.object({ id: z.string(), name: z.string(), is_only_key_for_provider: z.boolean() })),
    active_run_count: z.number().int(),
    runs_last_30_days: z.number().int(),
    last_used_at: Timestamp.nullable(),
  }),
);
export type ProviderKeyDependents = z.infer<typeof ProviderKeyDependents>;

const ProviderKeyResult = dataEnvelope(ProviderKey);
const tag = 'ProviderKeys';
const auth = 'dashboard';

export const providerKeyOperations = {
  create: defineOperation({
    operationId: 'createProviderKey',
    method: 'POST',
    path: '/api/provider-keys',
    tag,
    summary: 'Create a provider key',
    auth,
    body: CreateProviderKeyInput,
    responses: { 201: ProviderKeyResult, 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listProviderKeys',
    method: 'GET',
    path: '/api/provider-keys',
    tag,
    summary: 'List provider keys',
    auth,
    query: ListProviderKeysQuery,
    responses: { 200: listEnvelope(ProviderKey), 401: DashboardAuthError },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getProviderKey',
    method: 'GET',
    path: '/api/provider-keys/{id}',
    tag,
    summary: 'Get a provider key by ID',
    auth,
    params: IdParams,
    responses: { 200: ProviderKeyResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  update: defineOperation({
    operationId: 'updateProviderKey',
    method: 'PUT',
    path: '/api/provider-keys/{id}',
    tag,
    summary: 'Update a provider key',
    auth,
    params: IdParams,
    body: UpdateProviderKeyInput,
    responses: { 200: ProviderKeyResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  delete: defineOperation({
    operationId: 'deleteProviderKey',
    method: 'DELETE',
    path: '/api/provider-keys/{id}',
    tag,
    summary: 'Delete a provider key',
    auth,
    params: IdParams,
    query: DeleteProviderKeyQuery,
    responses: { 200: DeleteProviderKeyResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  disable: defineOperation({
    operationId: 'disableProviderKey',
    method: 'POST',
    path: '/api/provider-keys/{id}/disable',
    tag,
    summary: 'Disable a provider key',
    auth,
    params: IdParams,
    responses: { 200: ProviderKeyResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  enable: defineOperation({
    operationId: 'enableProviderKey',
    method: 'POST',
    path: '/api/provider-keys/{id}/enable',
    tag,
    summary: 'Enable a provider key',
    auth,
    params: IdParams,
    responses: { 200: ProviderKeyResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  dependents: defineOperation({
    operationId: 'getProviderKeyDependents',
    method: 'GET',
    path: '/api/provider-keys/{id}/dependents',
    tag,
    summary: 'Get provider key dependents',
    auth,
    params: IdParams,
    responses: { 200: ProviderKeyDependents, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  upsertByName: defineOperation({
    operationId: 'upsertProviderKeyByName',
    method: 'PUT',
    path: '/api/provider-keys/by-name/{name}',
    tag,
    summary: 'Upsert a provider key by name',
    auth,
    params: NameParams,
    body: UpsertProviderKeyInput,
    responses: {
      200: ProviderKeyResult,
      201: ProviderKeyResult,
      400: ErrorResponse,
      401: DashboardAuthError,
      409: ErrorResponse,
    },
    successStatus: 200,
  }),
};
