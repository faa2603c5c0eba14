import type { ApprovalRequest } from '@rungate/contracts';
import type { approvalRequests } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';

type ApprovalRow = typeof approvalRequests.$inferSelect;

/** A pending request past its expiry is expired, whether or not a sweep has marked it yet. */
export const effectiveStatus = (row: Pick<ApprovalRow, 'status' | 'expiresAt'>, now: Date): ApprovalRow['status'] =>
  row.status === 'pending' && row.expiresAt <= now ? 'expired' : row.status;

export function toApprovalRequest(row: ApprovalRow, now: Date): ApprovalRequest {
  return {
    id: row.id,
    run_id: row.runId,
    step_id: row.stepId,
    agent_id: row.agentId,
    org_id: row.orgId,
    policy_id: row.policyId,
    tool_name: row.toolName,
    request_snapshot: row.requestSnapshot,
    status: effectiveStatus(row, now),
    decided_by: row.decidedBy,
    reason: row.reason,
    decided_at: iso(row.decidedAt),
    expires_at: isoRequired(row.expiresAt),
    created_at: isoRequired(row.createdAt),
  };
}
