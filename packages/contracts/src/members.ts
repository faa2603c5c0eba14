import { z } from 'zod';
import { dataEnvelope, IdParams, listEnvelope, MessageResult, NullableString, Timestamp, Uuid } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const MemberRole = z.enum(['owner', 'admin', 'member', 'viewer']);
export type MemberRole = z.infer<typeof MemberRole>;

/** Roles that can be given by invitation or role change; ownership moves only by transfer. */
export const AssignableRole = z.enum(['admin', 'member', 'viewer']);
export type AssignableRole = z.infer<typeof AssignableRole>;

export const MemberStatus = z.enum(['active', 'suspended', 'removed']);
export type MemberStatus = z.infer<typeof MemberStatus>;

export const Member = z
  .object({
    id: Uuid,
    org_id: Uuid,
    email: z.email(),
    display_name: z.string(),
    role: MemberRole,
    status: MemberStatus,
    invited_by: NullableString.optional(),
    accepted_at: Timestamp.nullable().optional(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('A person in an org, with a role');
export type Member = z.infer<typeof Member>;

export const UpdateMemberInput = z.object({
  role: AssignableRole.optional(),
  display_name: z.string().min(1).max(100).optional(),
});
export type UpdateMemberInput = z.infer<typeof UpdateMemberInput>;

export const MemberRemoval = dataEnvelope(
  z.object({
    message: z.string(),
    agents_reassigned: z.number().int().optional().describe('Agents moved to the caller'),
    policies_reassigned: z.number().int().optional(),
    webhooks_deleted: z.number().int().optional(),
    alert_rules_deleted: z.number().int().optional(),
  }),
);

const tag = 'Members';
const auth = 'dashboard';

export const memberOperations = {
  list: defineOperation({
    operationId: 'listMembers',
    method: 'GET',
    path: '/api/members',
    tag,
    summary: 'List org members',
    auth,
    responses: { 200: listEnvelope(Member), 401: DashboardAuthError },
    successStatus: 200,
  }),
  update: defineOperation({
    operationId: 'updateMember',
    method: 'PATCH',
    path: '/api/members/{id}',
    tag,
    summary: 'Update member role or display name',
    auth,
    params: IdParams,
    body: UpdateMemberInput,
    responses: {
      200: dataEnvelope(Member),
      400: ErrorResponse,
      401: DashboardAuthError,
      403: ErrorResponse,
      404: ErrorResponse,
    },
    successStatus: 200,
  }),
  remove: defineOperation({
    operationId: 'removeMember',
    method: 'DELETE',
    path: '/api/members/{id}',
    tag,
    summary: 'Remove member from organization',
    auth,
    params: IdParams,
    responses: {
      200: MemberRemoval,
      401: DashboardAuthError,
      403: ErrorResponse,
      404: ErrorResponse,
      409: ErrorResponse,
    },
    successStatus: 200,
  }),
  transferOwnership: defineOperation({
    operationId: 'transferOwnership',
    method: 'PATCH',
    path: '/api/members/{id}/transfer-ownership',
    tag,
    summary: 'Transfer ownership to another member',
    auth,
    params: IdParams,
    responses: {
      200: MessageResult,
      400: ErrorResponse,
      401: DashboardAuthError,
      403: ErrorResponse,
      404: ErrorResponse,
    },
    successStatus: 200,
  }),
};
