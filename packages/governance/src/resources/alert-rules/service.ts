import {
  AlertConditionType,
  type AlertRule,
  type CreateAlertRuleInput,
  type ListAlertRulesQuery,
  type UpdateAlertRuleInput,
  Uuid,
} from '@rungate/contracts';
import { agents, alertRules, type Executor, returnedRow } from '@rungate/db';
import { and, asc, eq } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, invalid, notFound } from '../../errors.ts';
import { recordEvent } from '../../events/outbox.ts';
import { createdBy } from '../audit-columns.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { normalizeConditionConfig } from './conditions.ts';
import { type AlertRuleRow, toAlertRule } from './presenter.ts';
import { assertMayUseScope, creationScope, isVisible, visibleRules } from './visibility.ts';

const nameTaken = (name: string) => conflict(`An alert rule named '${name}' already exists`);

/** The fields a change can touch, as the API names them (`changed_fields` on `alert_rule.updated`). */
type Editable = Pick<
  AlertRuleRow,
  'name' | 'description' | 'agentId' | 'conditionType' | 'conditionConfig' | 'cooldownSeconds' | 'scope' | 'status'
>;
const EDITABLE: [keyof Editable, string][] = [
  ['name', 'name'],
  ['description', 'description'],
  ['agentId', 'agent_id'],
  ['conditionType', 'condition_type'],
  ['conditionConfig', 'condition_config'],
  ['cooldownSeconds', 'cooldown_seconds'],
  ['scope', 'scope'],
  ['status', 'status'],
];

/** Configs are flat objects; jsonb hands keys back in its own order, so compare them sorted. */
const canonical = (value: unknown) =>
  value !== null && typeof value === 'object'
    ? JSON.stringify(value, Object.keys(value).sort())
    : JSON.stringify(value);

const changedFields = (before: Editable, after: Editable) =>
  EDITABLE.filter(([key]) => canonical(before[key]) !== canonical(after[key])).map(([, field]) => field);

export function createAlertRuleService({ db, clock }: ServiceDeps) {
  /** A rule of the caller's org that the caller may see; anything else is "not found". */
  async function findVisible(executor: Executor, ctx: AuthContext, id: string, lock = false): Promise<AlertRuleRow> {
    if (!Uuid.safeParse(id).success) throw notFound('Alert rule');
    const query = executor
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.id, id), eq(alertRules.orgId, ctx.orgId)));
    const [row] = lock ? await query.for('update') : await query;
    if (!row || !isVisible(ctx.actor, row)) throw notFound('Alert rule');
    return row;
  }

  /** The rule's agent must be one of the org's; `rate_limit_approaching` reads that agent's policy, so it needs one. */
  async function assertTarget(
    executor: Executor,
    orgId: string,
    target: Pick<Editable, 'agentId' | 'conditionType'>,
  ): Promise<void> {
    if (target.agentId === null) {
      if (target.conditionType === 'rate_limit_approaching') {
        throw invalid('agent_id is required for rate_limit_approaching', {
          agent_id: 'is required for rate_limit_approaching',
        });
      }
      return;
    }
    const [agent] = await executor
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.id, target.agentId), eq(agents.orgId, orgId)));
    if (!agent)
      throw invalid('agent_id is not an agent of this organization', {
        agent_id: 'no such agent in this organization',
      });
  }

  /** Applies a change to a locked row and announces it; writes nothing when nothing changes. */
  async function change(tx: Executor, ctx: AuthContext, row: AlertRuleRow, next: Editable): Promise<AlertRule> {
    const changed = changedFields(row, next);
    if (changed.length === 0) return toAlertRule(row);
    const values = Object.fromEntries(EDITABLE.map(([key]) => [key, next[key]])) as Editable;
    const audit = auditIdentity(ctx.actor);
    let updated: AlertRuleRow | undefined;
    try {
      updated = returnedRow(
        await tx
          .update(alertRules)
          .set({ ...values, updatedBy: audit.by, updatedByTokenId: audit.tokenId, updatedAt: clock.now() })
          .where(eq(alertRules.id, row.id))
          .returning(),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(next.name);
      throw error;
    }
    const view = toAlertRule(updated);
    await recordEvent(
      tx,
      {
        orgId: ctx.orgId,
        agentId: updated.agentId,
        type: 'alert_rule.updated',
        data: { alert_rule: view, changed_fields: changed },
      },
      clock.now(),
    );
    return view;
  }

  const setStatus = (ctx: AuthContext, id: string, status: AlertRuleRow['status']) =>
    db.transaction(async (tx) => {
      const row = await findVisible(tx, ctx, id, true);
      return change(tx, ctx, row, { ...row, status });
    });

  return {
    create: (ctx: AuthContext, input: CreateAlertRuleInput): Promise<AlertRule> =>
      db.transaction(async (tx) => {
        const scope = creationScope(ctx.actor, input.scope);
        const target = { agentId: input.agent_id ?? null, conditionType: input.condition_type };
        const conditionConfig = normalizeConditionConfig(input.condition_type, input.condition_config ?? {});
        await assertTarget(tx, ctx.orgId, target);
        const audit = auditIdentity(ctx.actor);
        const now = clock.now();
        let row: AlertRuleRow | undefined;
        try {
          row = returnedRow(
            await tx
              .insert(alertRules)
              .values({
                orgId: ctx.orgId,
                name: input.name,
                description: input.description ?? null,
                ...target,
                conditionConfig,
                cooldownSeconds: input.cooldown_seconds,
                scope,
                ...createdBy(audit, now),
              })
              .returning(),
          );
        } catch (error) {
          if (isUniqueViolation(error)) throw nameTaken(input.name);
          throw error;
        }
        const view = toAlertRule(row);
        await recordEvent(
          tx,
          { orgId: ctx.orgId, agentId: row.agentId, type: 'alert_rule.created', data: { alert_rule: view } },
          now,
        );
        return view;
      }),

    async list(ctx: AuthContext, filter: ListAlertRulesQuery): Promise<AlertRule[]> {
      // A filter no rule can match (not an id, not a condition type) lists nothing rather than failing.
      if (filter.agent_id !== undefined && !Uuid.safeParse(filter.agent_id).success) return [];
      const conditionType =
        filter.condition_type === undefined ? undefined : AlertConditionType.safeParse(filter.condition_type);
      if (conditionType && !conditionType.success) return [];
      const rows = await db
        .select()
        .from(alertRules)
        .where(
          and(
            eq(alertRules.orgId, ctx.orgId),
            visibleRules(ctx),
            filter.agent_id ? eq(alertRules.agentId, filter.agent_id) : undefined,
            conditionType ? eq(alertRules.conditionType, conditionType.data) : undefined,
            filter.status ? eq(alertRules.status, filter.status) : undefined,
          ),
        )
        .orderBy(asc(alertRules.name));
      return rows.map(toAlertRule);
    },

    get: async (ctx: AuthContext, id: string): Promise<AlertRule> => toAlertRule(await findVisible(db, ctx, id)),

    /** Changes only the fields sent; a new condition_type without a config starts from that type's defaults. */
    update: (ctx: AuthContext, id: string, patch: UpdateAlertRuleInput): Promise<AlertRule> =>
      db.transaction(async (tx) => {
        const row = await findVisible(tx, ctx, id, true);
        assertMayUseScope(ctx.actor, patch.scope);
        const conditionType = patch.condition_type ?? row.conditionType;
        const rawConfig = patch.condition_config ?? (conditionType === row.conditionType ? row.conditionConfig : {});
        const next: Editable = {
          name: patch.name ?? row.name,
          description: patch.description ?? row.description,
          agentId: patch.agent_id === undefined ? row.agentId : patch.agent_id,
          conditionType,
          conditionConfig: normalizeConditionConfig(conditionType, rawConfig),
          cooldownSeconds: patch.cooldown_seconds ?? row.cooldownSeconds,
          scope: patch.scope ?? row.scope,
          status: row.status,
        };
        await assertTarget(tx, ctx.orgId, next);
        return change(tx, ctx, row, next);
      }),

    async delete(ctx: AuthContext, id: string): Promise<{ message: string }> {
      await db.transaction(async (tx) => {
        const row = await findVisible(tx, ctx, id, true);
        await tx.delete(alertRules).where(eq(alertRules.id, row.id));
        await recordEvent(
          tx,
          {
            orgId: ctx.orgId,
            agentId: row.agentId,
            type: 'alert_rule.deleted',
            data: { alert_rule: toAlertRule(row) },
          },
          clock.now(),
        );
      });
      return { message: 'Alert rule deleted' };
    },

    enable: (ctx: AuthContext, id: string) => setStatus(ctx, id, 'active'),
    disable: (ctx: AuthContext, id: string) => setStatus(ctx, id, 'disabled'),
  };
}

export type AlertRuleService = ReturnType<typeof createAlertRuleService>;
