import type { Visibility } from '@rungate/contracts';
import { type Executor, policies, returnedRow } from '@rungate/db';
import { conflict } from '../../errors.ts';
import { eventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { type PolicySettings, withDefaults } from './defaults.ts';
import { type PolicyRow, type PolicyView, settingsColumns, toPolicy } from './presenter.ts';
import { appendVersion } from './versions.ts';

/** Who makes a change: `auditIdentity(ctx.actor)`, or the registering member/system. */
export interface PolicyAudit {
  by: string;
  tokenId: string | null;
  memberId: string | null;
}

export const nameTaken = (name: string) => conflict(`A policy named '${name}' already exists`);

/**
 * Inserts a policy and its first version, queueing `policy.created` and `policy.version_created`;
 * joins the caller's transaction through `executor`.
 */
export async function insertPolicy(
  executor: Executor,
  orgId: string,
  policy: { name: string; visibility: Visibility; settings: PolicySettings; changedFields: string[] },
  audit: PolicyAudit,
  now: Date,
): Promise<PolicyView> {
  let row: PolicyRow;
  try {
    row = returnedRow(
      await executor
        .insert(policies)
        .values({
          orgId,
          name: policy.name,
          visibility: policy.visibility,
          ...settingsColumns(policy.settings),
          memberId: audit.memberId,
          createdBy: audit.by,
          updatedBy: audit.by,
          createdByTokenId: audit.tokenId,
          updatedByTokenId: audit.tokenId,
        })
        .returning(),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(policy.name);
    throw error;
  }
  const view = toPolicy(row);
  await recordEvent(executor, { orgId, type: 'policy.created', data: { policy: view, actor: eventActor(audit) } }, now);
  await appendVersion(
    executor,
    { orgId, policyId: view.id, snapshot: view, changedFields: policy.changedFields, changeType: 'create', audit },
    now,
  );
  return view;
}

/** The org's first policy, created by registration inside its transaction (version 1 included). */
export function insertDefaultPolicy(
  executor: Executor,
  orgId: string,
  audit: PolicyAudit,
  now: Date,
  name = 'default',
): Promise<PolicyView> {
  return insertPolicy(
    executor,
    orgId,
    { name, visibility: 'org', settings: withDefaults({}), changedFields: ['name'] },
    audit,
    now,
  );
}
