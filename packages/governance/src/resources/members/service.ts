import type { Member, UpdateMemberInput } from '@rungate/contracts';
import { type Executor, members, returnedRow } from '@rungate/db';
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { type AuthContext, auditIdentity, requireScope } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, forbidden, invalid, notFound } from '../../errors.ts';
import { eventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { type MemberRow, toMember } from './presenter.ts';
import { chooseHeir, handOverBelongings, type RemovalCounts } from './removal.ts';

/** Removed members are history: they are not listed, and their ids answer 404. */
const current = (orgId: string) => and(eq(members.orgId, orgId), ne(members.status, 'removed'));

/**
 * Org members and roles. Owners and admins (and admin-scoped tokens) manage members; the owner
 * changes only through a transfer made by the owner, so an org never loses its owner.
 */
export function createMemberService({ db, clock }: ServiceDeps) {
  /** Current members of the org among `ids`, locked in id order so concurrent changes cannot deadlock. */
  async function lockMembers(tx: Executor, ctx: AuthContext, ids: string[]): Promise<Map<string, MemberRow>> {
    const rows = await tx
      .select()
      .from(members)
      .where(and(current(ctx.orgId), inArray(members.id, ids)))
      .orderBy(asc(members.id))
      .for('update');
    return new Map(rows.map((row) => [row.id, row]));
  }

  async function lockMember(tx: Executor, ctx: AuthContext, id: string): Promise<MemberRow> {
    const row = (await lockMembers(tx, ctx, [id])).get(id);
    if (!row) throw notFound('Member');
    return row;
  }

  return {
    async list(ctx: AuthContext): Promise<Member[]> {
      const rows = await db
        .select()
        .from(members)
        .where(current(ctx.orgId))
        .orderBy(asc(members.createdAt), asc(members.id));
      return rows.map(toMember);
    },

    /** A role change queues `member.role_changed`; a new display name alone queues nothing (the spec has no event for it). */
    async update(ctx: AuthContext, id: string, input: UpdateMemberInput): Promise<Member> {
      requireScope(ctx, 'admin');
      return db.transaction(async (tx) => {
        const target = await lockMember(tx, ctx, id);
        if (input.role !== undefined && target.role === 'owner') {
          throw invalid("The owner's role cannot be changed; use transfer-ownership", {
            role: 'The owner changes only through transfer-ownership',
          });
        }
        const now = clock.now();
        const row = returnedRow(
          await tx
            .update(members)
            .set({
              ...(input.role !== undefined ? { role: input.role } : {}),
              ...(input.display_name !== undefined ? { displayName: input.display_name } : {}),
              updatedAt: now,
            })
            .where(eq(members.id, target.id))
            .returning(),
        );
        const member = toMember(row);
        if (row.role !== target.role) {
          const data = { member, previous_role: target.role, actor: eventActor(auditIdentity(ctx.actor)) };
          await recordEvent(tx, { orgId: ctx.orgId, type: 'member.role_changed', data }, now);
        }
        return member;
      });
    },

    /**
     * Marks the member removed and revokes their sessions; their agents and personal policies go
     * to the caller (or the owner, when the caller is a token or removes themself), their
     * personal webhooks and alert rules are deleted. The owner cannot be removed (409).
     */
    async remove(ctx: AuthContext, id: string): Promise<{ message: string } & RemovalCounts> {
      requireScope(ctx, 'admin');
      return db.transaction(async (tx) => {
        const target = await lockMember(tx, ctx, id);
        if (target.role === 'owner')
          throw conflict('The owner cannot be removed; transfer ownership to another member first');
        const now = clock.now();
        const audit = auditIdentity(ctx.actor);
        const heir = await chooseHeir(tx, ctx.orgId, target.id, audit.memberId);
        const counts = await handOverBelongings(tx, { orgId: ctx.orgId, memberId: target.id }, heir, audit, now);
        const row = returnedRow(
          await tx
            .update(members)
            .set({ status: 'removed', updatedAt: now })
            .where(eq(members.id, target.id))
            .returning(),
        );
        const data = { member: toMember(row), reassigned_to: heir, ...counts, actor: eventActor(audit) };
        await recordEvent(tx, { orgId: ctx.orgId, type: 'member.removed', data }, now);
        return { message: 'Member removed', ...counts };
      });
    },

    /** Only the owner, signed in as a member, can hand ownership to another active member; they become an admin. */
    async transferOwnership(ctx: AuthContext, id: string): Promise<{ message: string }> {
      const callerId = ctx.actor.kind === 'member' ? ctx.actor.memberId : null;
      return db.transaction(async (tx) => {
        const locked = await lockMembers(tx, ctx, callerId ? [callerId, id] : [id]);
        const heir = locked.get(id);
        if (!heir) throw notFound('Member');
        const owner = callerId ? locked.get(callerId) : undefined;
        if (owner?.role !== 'owner') throw forbidden('Only the owner can transfer ownership');
        if (heir.id === owner.id) throw invalid('You already own this org', { id: 'Name another member' });
        if (heir.status !== 'active')
          throw invalid(`Ownership can only go to an active member (this one is ${heir.status})`, {
            id: 'Member is not active',
          });
        const now = clock.now();
        const previousOwner = returnedRow(
          await tx.update(members).set({ role: 'admin', updatedAt: now }).where(eq(members.id, owner.id)).returning(),
        );
        const newOwner = returnedRow(
          await tx.update(members).set({ role: 'owner', updatedAt: now }).where(eq(members.id, heir.id)).returning(),
        );
        const data = {
          member: toMember(newOwner),
          previous_owner: toMember(previousOwner),
          actor: eventActor(auditIdentity(ctx.actor)),
        };
        await recordEvent(tx, { orgId: ctx.orgId, type: 'member.ownership_transferred', data }, now);
        return { message: `Ownership transferred to ${newOwner.email}; you are now an admin` };
      });
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
