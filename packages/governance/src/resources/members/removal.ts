import { agents, alertRules, type Executor, members, policies, sessions, webhooks } from '@rungate/db';
import { and, eq, isNull } from 'drizzle-orm';
import { eventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { recordAgentUpdated } from '../agents/events.ts';
import type { AuditStamp } from '../agents/service.ts';
import { toPolicy } from '../policies/presenter.ts';

export interface RemovalCounts {
  agents_reassigned: number;
  policies_reassigned: number;
  webhooks_deleted: number;
  alert_rules_deleted: number;
}

/**
 * What a departing member leaves behind, inside the removal's transaction: their agents and
 * personal policies pass to `heir` (each change queues its `agent.updated` / `policy.updated`),
 * their personal webhooks and alert rules are deleted, and their sessions are revoked.
 */
export async function handOverBelongings(
  tx: Executor,
  leaver: { orgId: string; memberId: string },
  heir: string | null,
  audit: AuditStamp,
  now: Date,
): Promise<RemovalCounts> {
  const { orgId, memberId } = leaver;
  const actor = eventActor(audit);
  const touched = { updatedBy: audit.by, updatedByTokenId: audit.tokenId, updatedAt: now };

  const movedAgents = await tx
    .update(agents)
    .set({ memberId: heir, ...touched })
    .where(and(eq(agents.orgId, orgId), eq(agents.memberId, memberId)))
    .returning();
  for (const agent of movedAgents) await recordAgentUpdated(tx, agent, ['member_id'], actor, now);

  const movedPolicies = await tx
    .update(policies)
    .set({ memberId: heir, ...touched })
    .where(
      and(
        eq(policies.orgId, orgId),
        eq(policies.memberId, memberId),
        eq(policies.visibility, 'personal'),
        isNull(policies.deletedAt),
      ),
    )
    .returning();
  for (const policy of movedPolicies) {
    // Ownership is not a policy setting, so this writes no version.
    await recordEvent(
      tx,
      { orgId, type: 'policy.updated', data: { policy: toPolicy(policy), changed_fields: ['member_id'], actor } },
      now,
    );
  }

  const deletedWebhooks = await tx
    .delete(webhooks)
    .where(and(eq(webhooks.orgId, orgId), eq(webhooks.memberId, memberId), eq(webhooks.scope, 'personal')))
    .returning({ id: webhooks.id });
  const deletedRules = await tx
    .delete(alertRules)
    .where(and(eq(alertRules.orgId, orgId), eq(alertRules.memberId, memberId), eq(alertRules.scope, 'personal')))
    .returning({ id: alertRules.id });

  await tx
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.accountId, orgId), eq(sessions.memberId, memberId), isNull(sessions.revokedAt)));

  return {
    agents_reassigned: movedAgents.length,
    policies_reassigned: movedPolicies.length,
    webhooks_deleted: deletedWebhooks.length,
    alert_rules_deleted: deletedRules.length,
  };
}

/** Who inherits: the calling member, unless they are the one leaving; else the org's owner. */
export async function chooseHeir(
  tx: Executor,
  orgId: string,
  leaverId: string,
  callerMemberId: string | null,
): Promise<string | null> {
  if (callerMemberId && callerMemberId !== leaverId) return callerMemberId;
  const [owner] = await tx
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.orgId, orgId), eq(members.role, 'owner'), eq(members.status, 'active')));
  return owner?.id ?? null;
}
