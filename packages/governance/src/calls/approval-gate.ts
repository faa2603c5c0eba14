import { approvalRequests, type Database, returnedRow } from '@rungate/db';
import { and, eq, inArray } from 'drizzle-orm';
import { recordEvent } from '../events/outbox.ts';
import { toApprovalRequest } from '../resources/approvals/presenter.ts';
import { type Blocked, block } from './rules/decision.ts';

export type ApprovalGate =
  | { state: 'approved' }
  | { state: 'rejected'; blocked: Blocked }
  | { state: 'awaiting'; requests: { id: string; tool: string }[] };

/**
 * docs/decisions.md: one request per tool needing approval per run; an approved tool stays allowed
 * for the rest of the run, a rejected one is blocked, and an expired one lets the next call
 * open a new request. Pending requests are reused, so retries do not pile up requests.
 */
export async function approvalGate(
  db: Database,
  args: {
    orgId: string;
    runId: string;
    agentId: string;
    policyId: string;
    tools: string[];
    expiryMs: number;
    requestSnapshot: Record<string, unknown>;
    now: Date;
  },
): Promise<ApprovalGate> {
  const { now } = args;
  const rows = await db
    .select()
    .from(approvalRequests)
    .where(and(eq(approvalRequests.runId, args.runId), inArray(approvalRequests.toolName, args.tools)));
  const rejected = rows.filter((r) => r.status === 'rejected');
  if (rejected.length > 0) {
    const names = [...new Set(rejected.map((r) => r.toolName))];
    return {
      state: 'rejected',
      blocked: block('tool_blocked', `Tool use was rejected for this run: ${names.join(', ')}`, {
        rejected_tools: names,
        approval_request_ids: rejected.map((r) => r.id),
        reasons: rejected.map((r) => r.reason).filter((r) => r !== null),
      }),
    };
  }
  const approved = new Set(rows.filter((r) => r.status === 'approved').map((r) => r.toolName));
  const waiting = args.tools.filter((tool) => !approved.has(tool));
  if (waiting.length === 0) return { state: 'approved' };

  const live = new Map(rows.filter((r) => r.status === 'pending' && r.expiresAt > now).map((r) => [r.toolName, r]));
  const requests = await db.transaction(async (tx) => {
    const result: { id: string; tool: string }[] = [];
    for (const tool of waiting) {
      const pending = live.get(tool);
      if (pending) {
        result.push({ id: pending.id, tool });
        continue;
      }
      const created = returnedRow(
        await tx
          .insert(approvalRequests)
          .values({
            orgId: args.orgId,
            runId: args.runId,
            agentId: args.agentId,
            policyId: args.policyId,
            toolName: tool,
            requestSnapshot: args.requestSnapshot,
            expiresAt: new Date(now.getTime() + args.expiryMs),
            createdAt: now,
          })
          .returning(),
      );
      await recordEvent(
        tx,
        {
          orgId: args.orgId,
          agentId: created.agentId,
          type: 'step.approval_required',
          data: { approval_request: toApprovalRequest(created, now) },
        },
        now,
      );
      result.push({ id: created.id, tool });
    }
    return result;
  });
  return { state: 'awaiting', requests };
}
