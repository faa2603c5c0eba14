import { type Executor, policyVersions, returnedRow } from '@rungate/db';
import { and, asc, eq, sql } from 'drizzle-orm';
import { eventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { toPolicyVersion } from './presenter.ts';
import type { PolicyAudit } from './store.ts';

/** The spec's `changed_by`: the admin token id, `session` for a member, `system` otherwise. */
export function versionAuthor(audit: PolicyAudit): string {
  return audit.tokenId ?? (audit.memberId ? 'session' : 'system');
}

/**
 * Appends the next version and queues `policy.version_created` with it. Callers updating or
 * deleting hold the policy row lock, so the max+1 numbering cannot race; a new policy has no
 * other writer.
 */
export async function appendVersion(
  executor: Executor,
  version: {
    orgId: string;
    policyId: string;
    snapshot: object;
    changedFields: string[];
    changeType: 'create' | 'update' | 'delete';
    audit: PolicyAudit;
  },
  now: Date,
): Promise<void> {
  const [last] = await executor
    .select({ number: sql<number>`coalesce(max(${policyVersions.versionNumber}), 0)`.mapWith(Number) })
    .from(policyVersions)
    .where(eq(policyVersions.policyId, version.policyId));
  const row = returnedRow(
    await executor
      .insert(policyVersions)
      .values({
        orgId: version.orgId,
        policyId: version.policyId,
        versionNumber: (last?.number ?? 0) + 1,
        snapshot: version.snapshot as Record<string, unknown>,
        changedFields: version.changedFields,
        changedBy: versionAuthor(version.audit),
        changeType: version.changeType,
      })
      .returning(),
  );
  await recordEvent(
    executor,
    {
      orgId: version.orgId,
      type: 'policy.version_created',
      data: { policy_id: version.policyId, version: toPolicyVersion(row), actor: eventActor(version.audit) },
    },
    now,
  );
}

export function selectVersions(executor: Executor, orgId: string, policyId: string, versionNumber?: number) {
  return executor
    .select()
    .from(policyVersions)
    .where(
      and(
        eq(policyVersions.orgId, orgId),
        eq(policyVersions.policyId, policyId),
        versionNumber === undefined ? undefined : eq(policyVersions.versionNumber, versionNumber),
      ),
    )
    .orderBy(asc(policyVersions.versionNumber));
}
