import type { Visibility } from '@rungate/contracts';
import { alertRules } from '@rungate/db';
import { eq, or, type SQL } from 'drizzle-orm';
import { type Actor, type AuthContext, effectiveScope } from '../../auth/context.ts';
import { forbidden } from '../../errors.ts';
import type { AlertRuleRow } from './presenter.ts';

/**
 * The rule personal policies follow: admin tokens, the bootstrap token and owner/admin members see
 * every rule; other members see org rules and their own personal ones.
 */
const seesAll = (actor: Actor) => actor.kind !== 'member' || effectiveScope(actor) === 'admin';

/** SQL condition limiting rules to those the caller may see; undefined when it sees all. */
export function visibleRules(ctx: AuthContext): SQL | undefined {
  if (ctx.actor.kind !== 'member' || seesAll(ctx.actor)) return undefined;
  return or(eq(alertRules.scope, 'org'), eq(alertRules.memberId, ctx.actor.memberId));
}

export function isVisible(actor: Actor, row: Pick<AlertRuleRow, 'scope' | 'memberId'>): boolean {
  if (seesAll(actor) || row.scope === 'org') return true;
  return actor.kind === 'member' && row.memberId === actor.memberId;
}

/** Members below admin may only own personal rules (spec: "Members can only create personal"). */
export function creationScope(actor: Actor, requested: Visibility | undefined): Visibility {
  assertMayUseScope(actor, requested);
  return seesAll(actor) ? (requested ?? 'org') : 'personal';
}

export function assertMayUseScope(actor: Actor, requested: Visibility | undefined): void {
  if (requested === 'org' && !seesAll(actor))
    throw forbidden('Only owners and admins can share an alert rule with the whole org');
}
