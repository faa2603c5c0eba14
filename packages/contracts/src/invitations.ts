import { z } from 'zod';
import { dataEnvelope, listEnvelope, Timestamp, Uuid } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { AssignableRole } from './members.ts';
import { defineOperation } from './operation.ts';

export const InvitationStatus = z.enum(['pending', 'accepted', 'expired', 'revoked']);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

export const Invitation = z
  .object({
    id: Uuid,
    org_id: Uuid,
    email: z.email(),
    role: AssignableRole,
    invited_by: z.string().describe('Member id, or token:<name> for an admin token'),
    status: InvitationStatus,
    expires_at: Timestamp,
    accepted_at: Timestamp.nullable().optional(),
    created_at: Timestamp,
  })
  .describe('An invitation to join an org');
export type Invitation = z.infer<typeof Invitation>;

export const CreateInvitationInput = z.object({ email: z.email(), role: AssignableRole });
export type CreateInvitationInput = z.infer<typeof CreateInvitationInput>;

export const ListInvitationsQuery = z.object({ status: InvitationStatus.optional() });

/** The spec leaves invitation ids untyped; an unknown id is a 404. */
export const InvitationParams = z.object({ id: z.string().min(1) });

const InvitationResult = dataEnvelope(Invitation);
const tag = 'Invitations';
const auth = 'dashboard';

export const invitationOperations = {
  create: defineOperation({
    operationId: 'createInvitation',
    method: 'POST',
    path: '/api/invitations',
    tag,
    summary: 'Create an invitation',
    auth,
    body: CreateInvitationInput,
    responses: {
      201: InvitationResult,
      400: ErrorResponse,
      401: DashboardAuthError,
      409: ErrorResponse,
      429: ErrorResponse,
    },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listInvitations',
    method: 'GET',
    path: '/api/invitations',
    tag,
    summary: 'List invitations',
    auth,
    query: ListInvitationsQuery,
    responses: { 200: listEnvelope(Invitation), 401: DashboardAuthError },
    successStatus: 200,
  }),
  revoke: defineOperation({
    operationId: 'revokeInvitation',
    method: 'DELETE',
    path: '/api/invitations/{id}',
    tag,
    summary: 'Revoke an invitation',
    auth,
    params: InvitationParams,
    responses: { 200: InvitationResult, 401: DashboardAuthError, 404: ErrorResponse, 409: ErrorResponse },
    successStatus: 200,
  }),
  resend: defineOperation({
    operationId: 'resendInvitation',
    method: 'POST',
    path: '/api/invitations/{id}/resend',
    tag,
    summary: 'Resend an invitation',
    auth,
    params: InvitationParams,
    responses: {
      200: InvitationResult,
      401: DashboardAuthError,
      404: ErrorResponse,
      409: ErrorResponse,
      429: ErrorResponse,
    },
    successStatus: 200,
  }),
};
