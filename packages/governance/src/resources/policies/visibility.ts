import type { Visibility } from '@rungate/contracts';
import { policies } from '@rungate/db';
import { eq, or, type SQL } from 'drizzle-orm';
import { type Actor, type AuthContext, effectiveScope } from '../../auth/context.ts';
import { forbidden } from '../../errors.ts';
import type { PolicyRow } from './presenter.ts';

/**
 * Personal policies belong to one member. Admin tokens are org credentials issued by admins,
 * so tokens (any scope), the bootstrap token and owner/admin members see every policy; other
 * members see org policies and their own personal ones.
 */
export function seesAllPolicies(actor: Actor): boolean {
  return actor.kind !== 'member' || effectiveScope(actor) === 'admin';
}

/** SQL condition limiting policies to those the caller may see; undefined when it sees all. */
export function visibleCondition(ctx: AuthContext): SQL | undefined {
  if (seesAllPolicies(ctx.actor) || ctx.actor.kind !== 'member') return undefined;
  return or(eq(policies.visibility, 'org'), eq(policies.memberId, ctx.actor.memberId));
}

export function isVisible(actor: Actor, row: Pick<PolicyRow, 'visibility' | 'memberId'>): boolean {
  if (seesAllPolicies(actor) || row.visibility === 'org') return true;
  return actor.kind === 'member' && row.memberId === actor.memberId;
}

/** Members below admin may only own personal policies (spec: "Members can only create personal"). */
export function creationVisibility(actor: Actor, requested: Visibility | undefined): Visibility {
  if (seesAllPolicies(actor)) return requested ?? 'org';
  assertMayUseVisibility(actor, requested);
  return 'personal';
}

export function assertMayUseVisibility(actor: Actor, requested: Visibility | undefined): void {
  if (requested === 'org' && !seesAllPolicies(actor))
    throw forbidden('Only owners and admins can share a policy with the whole org');
}
