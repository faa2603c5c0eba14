import type { ApprovalRequest, ApprovalStatus, ListApprovalRequestsQuery } from '@rungate/contracts';
import { approvalRequests } from '@rungate/db';
import { and, desc, eq, gt, lte, or, type SQL } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, invalid, notFound } from '../../errors.ts';
import { recordEvent } from '../../events/outbox.ts';
import { effectiveStatus, toApprovalRequest } from './presenter.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Status as the API reports it: a pending request past `expires_at` counts as expired. */
function statusCondition(status: ApprovalStatus, now: Date): SQL | undefined {
  const t = approvalRequests;
  switch (status) {
    case 'pending':
      return and(eq(t.status, 'pending'), gt(t.expiresAt, now));
    case 'expired':
      return or(eq(t.status, 'expired'), and(eq(t.status, 'pending'), lte(t.expiresAt, now)));
    default:
      return eq(t.status, status);
  }
}

export function createApprovalService({ db, clock }: ServiceDeps) {
  async function load(ctx: AuthContext, id: string) {
    const [row] = await db
      .select()
      .from(approvalRequests)
      .where(and(eq(approvalRequests.id, id), eq(approvalRequests.orgId, ctx.orgId)));
    if (!row) throw notFound('Approval request');
    return row;
  }

  /** Decides a pending, unexpired request in one conditional update; explains the refusal otherwise. */
  async function decide(
    ctx: AuthContext,
    id: string,
    decision: 'approved' | 'rejected',
    reason: string | null,
  ): Promise<ApprovalRequest> {
    const now = clock.now();
    const row = await db.transaction(async (tx) => {
      const [decided] = await tx
        .update(approvalRequests)
        .set({ status: decision, decidedBy: auditIdentity(ctx.actor).by, decidedAt: now, reason })
        .where(
          and(
            eq(approvalRequests.id, id),
            eq(approvalRequests.orgId, ctx.orgId),
            eq(approvalRequests.status, 'pending'),
            gt(approvalRequests.expiresAt, now),
          ),
        )
        .returning();
      if (decided) {
        await recordEvent(
          tx,
          {
            orgId: ctx.orgId,
            agentId: decided.agentId,
            type: decision === 'approved' ? 'approval.approved' : 'approval.rejected',
            data: { approval_request: toApprovalRequest(decided, now) },
          },
          now,
        );
      }
      return decided;
    });
    if (row) return toApprovalRequest(row, now);
    const current = await load(ctx, id);
    const status = effectiveStatus(current, now);
    throw conflict(status === 'expired' ? 'Approval request has expired' : `Approval request is already ${status}`);
  }

  return {
    async list(
      ctx: AuthContext,
      query: ListApprovalRequestsQuery,
    ): Promise<{ data: ApprovalRequest[]; total: number }> {
      const fields: Record<string, string> = {};
      if (query.agent_id !== undefined && !UUID.test(query.agent_id)) fields.agent_id = 'must be a UUID';
      if (query.run_id !== undefined && !UUID.test(query.run_id)) fields.run_id = 'must be a UUID';
      if (Object.keys(fields).length > 0) throw invalid('Invalid filter', fields);
      const now = clock.now();
      const rows = await db
        .select()
        .from(approvalRequests)
        .where(
          and(
            eq(approvalRequests.orgId, ctx.orgId),
            query.agent_id ? eq(approvalRequests.agentId, query.agent_id) : undefined,
            query.run_id ? eq(approvalRequests.runId, query.run_id) : undefined,
            query.status ? statusCondition(query.status, now) : undefined,
          ),
        )
        .orderBy(desc(approvalRequests.createdAt), desc(approvalRequests.id));
      return { data: rows.map((row) => toApprovalRequest(row, now)), total: rows.length };
    },

    async get(ctx: AuthContext, id: string): Promise<ApprovalRequest> {
      return toApprovalRequest(await load(ctx, id), clock.now());
    },

    approve: (ctx: AuthContext, id: string): Promise<ApprovalRequest> => decide(ctx, id, 'approved', null),

    reject: (ctx: AuthContext, id: string, reason: string | undefined): Promise<ApprovalRequest> =>
      decide(ctx, id, 'rejected', reason ?? null),
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
