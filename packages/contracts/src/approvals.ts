import { z } from 'zod';
import { dataEnvelope, IdParams, JsonObject, listEnvelope, NullableString, Timestamp, Uuid } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'expired']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const ApprovalRequest = z
  .object({
    id: Uuid,
    run_id: Uuid,
    step_id: Uuid.nullable().optional(),
    agent_id: Uuid,
    org_id: Uuid.nullable().optional(),
    policy_id: Uuid,
    tool_name: z.string(),
    request_snapshot: JsonObject.optional().describe('The request body that asked for the tool'),
    status: ApprovalStatus,
    decided_by: NullableString.optional(),
    reason: NullableString.optional().describe('Why it was rejected'),
    decided_at: Timestamp.nullable().optional(),
    expires_at: Timestamp,
    created_at: Timestamp,
  })
  .describe('A tool use waiting for a human decision');
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ListApprovalRequestsQuery = z.object({
  agent_id: z.string().optional(),
  run_id: z.string().optional(),
  status: ApprovalStatus.optional(),
});
export type ListApprovalRequestsQuery = z.infer<typeof ListApprovalRequestsQuery>;

export const RejectApprovalInput = z.object({ reason: z.string().max(1024).optional() });
export type RejectApprovalInput = z.infer<typeof RejectApprovalInput>;

const ApprovalResult = dataEnvelope(ApprovalRequest);
const tag = 'Approvals';
const auth = 'dashboard';

export const approvalOperations = {
  list: defineOperation({
    operationId: 'listApprovalRequests',
    method: 'GET',
    path: '/api/approval-requests',
    tag,
    summary: 'List approval requests',
    auth,
    query: ListApprovalRequestsQuery,
    responses: { 200: listEnvelope(ApprovalRequest), 401: DashboardAuthError },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getApprovalRequest',
    method: 'GET',
    path: '/api/approval-requests/{id}',
    tag,
    summary: 'Get an approval request by ID',
    auth,
    params: IdParams,
    responses: { 200: ApprovalResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  approve: defineOperation({
    operationId: 'approveApprovalRequest',
    method: 'POST',
    path: '/api/approval-requests/{id}/approve',
    tag,
    summary: 'Approve a pending request',
    auth,
    params: IdParams,
    responses: { 200: ApprovalResult, 401: DashboardAuthError, 404: ErrorResponse, 409: ErrorResponse },
    successStatus: 200,
  }),
  reject: defineOperation({
    operationId: 'rejectApprovalRequest',
    method: 'POST',
    path: '/api/approval-requests/{id}/reject',
    tag,
    summary: 'Reject a pending request',
    auth,
    params: IdParams,
    body: RejectApprovalInput.optional(),
    responses: { 200: ApprovalResult, 401: DashboardAuthError, 404: ErrorResponse, 409: ErrorResponse },
    successStatus: 200,
  }),
};
