import { z } from 'zod';
import {
  dataEnvelope,
  IdParams,
  listEnvelope,
  MessageResult,
  NullableString,
  ResourceName,
  Timestamp,
  Uuid,
} from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

/** Scopes nest: admin > write > read. */
export const AdminTokenScope = z.enum(['read', 'write', 'admin']);
export type AdminTokenScope = z.infer<typeof AdminTokenScope>;

export const AdminTokenStatus = z.enum(['active', 'revoked']);
export type AdminTokenStatus = z.infer<typeof AdminTokenStatus>;

export const AdminToken = z
  .object({
    id: Uuid,
    name: z.string(),
    description: NullableString.optional(),
    scopes: z.array(AdminTokenScope),
    token_prefix: z.string().describe('First 11 characters, e.g. rg_adm_abcd'),
    account_id: Uuid.nullable().optional(),
    status: AdminTokenStatus,
    expires_at: Timestamp.nullable().optional().describe('Null never expires'),
    last_used_at: Timestamp.nullable().optional(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('A scoped admin API token (the secret is never returned after creation)');
export type AdminToken = z.infer<typeof AdminToken>;

const durationUnitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;

/** A positive count and a unit: m(inutes), h, d, w or y, e.g. `30d`. */
export const ExpiresIn = z
  .string()
  .regex(/^[1-9]\d*[mhdwy]$/, 'Use a duration such as 30d, 12h or 2w')
  .describe('Lifetime such as 30d or 90d; omit for no expiry');

/** Milliseconds in a duration accepted by `ExpiresIn`. */
export const expiresInToMs = (value: string): number => {
  const unit = value.slice(-1) as keyof typeof durationUnitMs;
  return Number(value.slice(0, -1)) * durationUnitMs[unit];
};

export const CreateAdminTokenInput = z
  .object({
    name: ResourceName,
    scopes: z.array(AdminTokenScope).min(1),
    description: z.string().optional(),
    expires_in: ExpiresIn.optional(),
  })
  .describe('New admin token');
export type CreateAdminTokenInput = z.infer<typeof CreateAdminTokenInput>;

export const CreatedAdminToken = z.object({
  data: AdminToken,
  token: z.string().describe('Plaintext rg_adm_ token; shown only here'),
});
export type CreatedAdminToken = z.infer<typeof CreatedAdminToken>;

export const ListAdminTokensQuery = z.object({ status: AdminTokenStatus.optional() });

const tag = 'AdminTokens';
const auth = 'dashboard';

export const adminTokenOperations = {
  create: defineOperation({
    operationId: 'createAdminToken',
    method: 'POST',
    path: '/api/admin-tokens',
    tag,
    summary: 'Create an admin token',
    auth,
    body: CreateAdminTokenInput,
    responses: {
      201: CreatedAdminToken,
      400: ErrorResponse,
      401: DashboardAuthError,
      403: ErrorResponse,
      409: ErrorResponse,
    },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listAdminTokens',
    method: 'GET',
    path: '/api/admin-tokens',
    tag,
    summary: 'List admin tokens',
    auth,
    query: ListAdminTokensQuery,
    responses: { 200: listEnvelope(AdminToken), 401: DashboardAuthError, 403: ErrorResponse },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getAdminToken',
    method: 'GET',
    path: '/api/admin-tokens/{id}',
    tag,
    summary: 'Get an admin token',
    auth,
    params: IdParams,
    responses: { 200: dataEnvelope(AdminToken), 401: DashboardAuthError, 403: ErrorResponse, 404: ErrorResponse },
    successStatus: 200,
  }),
  revoke: defineOperation({
    operationId: 'revokeAdminToken',
    method: 'POST',
    path: '/api/admin-tokens/{id}/revoke',
    tag,
    summary: 'Revoke an admin token',
    auth,
    params: IdParams,
    responses: { 200: MessageResult, 401: DashboardAuthError, 403: ErrorResponse, 404: ErrorResponse },
    successStatus: 200,
  }),
};
