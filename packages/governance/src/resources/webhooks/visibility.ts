import type { Visibility } from '@rungate/contracts';
import { webhooks } from '@rungate/db';
import { eq, or, type SQL } from 'drizzle-orm';
import { type Actor, type AuthContext, effectiveScope } from '../../auth/context.ts';
import { forbidden } from '../../errors.ts';

/**
 * Personal webhooks belong to one member, like personal policies: admin tokens, the bootstrap
 * token and owner/admin members see every webhook; other members see org webhooks and their own.
 */
const seesAll = (actor: Actor): boolean => actor.kind !== 'member' || effectiveScope(actor) === 'admin';

/** SQL condition limiting webhooks to those the caller may see; undefined when it sees all. */
export function visibleWebhooks(ctx: AuthContext): SQL | undefined {
  if (ctx.actor.kind !== 'member' || seesAll(ctx.actor)) return undefined;
  return or(eq(webhooks.scope, 'org'), eq(webhooks.memberId, ctx.actor.memberId));
}

/** Members below admin may only create personal webhooks (spec: "Members can only create personal"). */
export function creationScope(actor: Actor, requested: Visibility | undefined): Visibility {
  if (seesAll(actor)) return requested ?? 'org';
  if (requested === 'org') throw forbidden('Only owners and admins can create a webhook for the whole org');
  return 'personal';
}
