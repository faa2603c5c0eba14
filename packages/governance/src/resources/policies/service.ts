import {
  type CreatePolicyInput,
  type PolicyStats,
  type PolicyVersion,
  type UpdatePolicyInput,
  type UpsertPolicyInput,
  Uuid,
} from '@rungate/contracts';
import { agents, type Executor, policies, returnedRow } from '@rungate/db';
import { and, asc, eq, ilike, isNull, or, sql } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, notFound } from '../../errors.ts';
import { eventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { pickSettings, REPLACED_WHOLE, SETTING_KEYS, withDefaults } from './defaults.ts';
import { changedKeys, deepMerge } from './merge.ts';
import {
  type PolicyRow,
  type PolicyView,
  settingsColumns,
  settingsFromRow,
  toPolicy,
  toPolicyVersion,
} from './presenter.ts';
import { type CostTrendPoint, type DateRange, policyCostTrend, policyStats } from './stats.ts';
import { insertPolicy, nameTaken } from './store.ts';
import { assertValidSettings } from './validate.ts';
import { appendVersion, selectVersions } from './versions.ts';
import { assertMayUseVisibility, creationVisibility, isVisible, visibleCondition } from './visibility.ts';

/** Fields a change can touch; `changed_fields` on versions lists these top-level names. */
const EDITABLE_KEYS = ['name', 'visibility', ...SETTING_KEYS] as const;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createPolicyService({ db, clock }: ServiceDeps) {
  /** A live policy of the caller's org that the caller may see; anything else is "not found". */
  async function findVisible(executor: Executor, ctx: AuthContext, id: string, lock = false): Promise<PolicyRow> {
    if (!Uuid.safeParse(id).success) throw notFound('Policy');
    const query = executor
      .select()
      .from(policies)
      .where(and(eq(policies.id, id), eq(policies.orgId, ctx.orgId), isNull(policies.deletedAt)));
    const [row] = lock ? await query.for('update') : await query;
    if (!row || !isVisible(ctx.actor, row)) throw notFound('Policy');
    return row;
  }

  /** Whether the caller may read a policy's history: it exists in the org (deleted or not) and is visible. */
  async function historyVisible(ctx: AuthContext, id: string): Promise<boolean> {
    if (!Uuid.safeParse(id).success) return false;
    const [row] = await db
      .select({ visibility: policies.visibility, memberId: policies.memberId })
      .from(policies)
      .where(and(eq(policies.id, id), eq(policies.orgId, ctx.orgId)));
    return row !== undefined && isVisible(ctx.actor, row);
  }

  function create(executor: Executor, ctx: AuthContext, input: CreatePolicyInput): Promise<PolicyView> {
    const visibility = creationVisibility(ctx.actor, input.visibility);
    const given = pickSettings(input);
    const settings = withDefaults(given);
    assertValidSettings(settings);
    // On create, changed_fields names what the caller set; everything else is a default.
    const changedFields = [
      'name',
      ...(input.visibility ? ['visibility'] : []),
      ...SETTING_KEYS.filter((key) => key in given),
    ];
    return insertPolicy(
      executor,
      ctx.orgId,
      { name: input.name, visibility, settings, changedFields },
      auditIdentity(ctx.actor),
      clock.now(),
    );
  }

  /** Deep-merges `patch` into a locked row; writes nothing (no version) when nothing changes. */
  async function update(tx: Executor, ctx: AuthContext, row: PolicyRow, patch: UpdatePolicyInput): Promise<PolicyView> {
    assertMayUseVisibility(ctx.actor, patch.visibility);
    const before = toPolicy(row);
    const settings = deepMerge(settingsFromRow(row), pickSettings(patch), REPLACED_WHOLE);
    assertValidSettings(settings);
    const name = patch.name ?? row.name;
    const visibility = patch.visibility ?? row.visibility;
    const changed = changedKeys(before, { ...settings, name, visibility }, EDITABLE_KEYS);
    if (changed.length === 0) return before;

    const audit = auditIdentity(ctx.actor);
    const now = clock.now();
    let updated: PolicyRow;
    try {
      updated = returnedRow(
        await tx
          .update(policies)
          .set({
            name,
            visibility,
            ...settingsColumns(settings),
            updatedBy: audit.by,
            updatedByTokenId: audit.tokenId,
            updatedAt: now,
          })
          .where(eq(policies.id, row.id))
          .returning(),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name);
      throw error;
    }
    const view = toPolicy(updated);
    await recordEvent(
      tx,
      {
        orgId: ctx.orgId,
        type: 'policy.updated',
        data: { policy: view, changed_fields: changed, actor: eventActor(audit) },
      },
      now,
    );
    await appendVersion(
      tx,
      { orgId: ctx.orgId, policyId: row.id, snapshot: view, changedFields: changed, changeType: 'update', audit },
      now,
    );
    return view;
  }

  return {
    create: (ctx: AuthContext, input: CreatePolicyInput) => db.transaction((tx) => create(tx, ctx, input)),

    async list(ctx: AuthContext, filter: { name?: string | undefined }): Promise<PolicyView[]> {
      const rows = await db
        .select()
        .from(policies)
        .where(
          and(
            eq(policies.orgId, ctx.orgId),
            isNull(policies.deletedAt),
            visibleCondition(ctx),
            filter.name ? ilike(policies.name, `%${escapeLike(filter.name)}%`) : undefined,
          ),
        )
        .orderBy(asc(policies.name));
      return rows.map(toPolicy);
    },

    async get(ctx: AuthContext, id: string): Promise<PolicyView> {
      return toPolicy(await findVisible(db, ctx, id));
    },

    update: (ctx: AuthContext, id: string, patch: UpdatePolicyInput) =>
      db.transaction(async (tx) => update(tx, ctx, await findVisible(tx, ctx, id, true), patch)),

    /** Creates with defaults (201) or deep-merges into the live policy of that name (200). */
    upsertByName: (
      ctx: AuthContext,
      name: string,
      input: UpsertPolicyInput,
    ): Promise<{ policy: PolicyView; created: boolean }> =>
      db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(policies)
          .where(and(eq(policies.orgId, ctx.orgId), eq(policies.name, name), isNull(policies.deletedAt)))
          .for('update');
        if (!row) return { policy: await create(tx, ctx, { ...input, name }), created: true };
        // The name belongs to someone's personal policy the caller cannot see or change.
        if (!isVisible(ctx.actor, row)) throw nameTaken(name);
        return { policy: await update(tx, ctx, row, input), created: false };
      }),

    /** Soft delete, refused while an agent uses the policy as its own or lists it as allowed. */
    async delete(ctx: AuthContext, id: string): Promise<{ message: string }> {
      await db.transaction(async (tx) => {
        const row = await findVisible(tx, ctx, id, true);
        const users = await tx
          .select({ name: agents.name })
          .from(agents)
          .where(
            and(
              eq(agents.orgId, ctx.orgId),
              or(eq(agents.policyId, id), sql`${agents.allowedPolicies} @> ${JSON.stringify([id])}::jsonb`),
            ),
          )
          .orderBy(asc(agents.name));
        if (users.length > 0) {
          throw conflict(
            `Policy is still used by ${users.length} agent(s): ${users.map((agent) => agent.name).join(', ')}`,
          );
        }
        const audit = auditIdentity(ctx.actor);
        const now = clock.now();
        const deleted = returnedRow(
          await tx
            .update(policies)
            .set({ deletedAt: now, updatedAt: now, updatedBy: audit.by, updatedByTokenId: audit.tokenId })
            .where(eq(policies.id, id))
            .returning(),
        );
        await recordEvent(
          tx,
          { orgId: ctx.orgId, type: 'policy.deleted', data: { policy: toPolicy(deleted), actor: eventActor(audit) } },
          now,
        );
        await appendVersion(
          tx,
          {
            orgId: ctx.orgId,
            policyId: id,
            snapshot: toPolicy(row),
            changedFields: ['_deleted'],
            changeType: 'delete',
            audit,
          },
          now,
        );
      });
      return { message: 'Policy deleted' };
    },

    /** Audit history, readable after deletion; an unknown or hidden policy has none. */
    async listVersions(ctx: AuthContext, id: string): Promise<PolicyVersion[]> {
      if (!(await historyVisible(ctx, id))) return [];
      return (await selectVersions(db, ctx.orgId, id)).map(toPolicyVersion);
    },

    async getVersion(ctx: AuthContext, id: string, version: number): Promise<PolicyVersion> {
      const [row] = (await historyVisible(ctx, id)) ? await selectVersions(db, ctx.orgId, id, version) : [];
      if (!row) throw notFound('Policy version');
      return toPolicyVersion(row);
    },

    async stats(ctx: AuthContext, id: string, range: DateRange): Promise<PolicyStats> {
      await findVisible(db, ctx, id);
      return policyStats(db, ctx.orgId, id, range);
    },

    async costTrend(
      ctx: AuthContext,
      id: string,
      query: DateRange & { limit: number },
    ): Promise<{ data: CostTrendPoint[]; total: number }> {
      await findVisible(db, ctx, id);
      return policyCostTrend(db, ctx.orgId, id, query);
    },

    /** For the proxy: the live policy with every default applied, or null. No caller context. */
    async loadPolicy(orgId: string, id: string): Promise<PolicyView | null> {
      if (!Uuid.safeParse(id).success) return null;
      const [row] = await db
        .select()
        .from(policies)
        .where(and(eq(policies.id, id), eq(policies.orgId, orgId), isNull(policies.deletedAt)));
      return row ? toPolicy(row) : null;
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
