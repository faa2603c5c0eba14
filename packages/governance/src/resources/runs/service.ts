import type {
  AdminCompleteRunInput,
  LedgerEntry,
  ListRunStepsQuery,
  ListRunsQuery,
  Run,
  Step,
} from '@rungate/contracts';
import { agents, type Executor, ledgerEntries, runs, steps } from '@rungate/db';
import { and, asc, count, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { AuthContext } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { notFound } from '../../errors.ts';
import { completeRun, stopRun, unblockRun } from './lifecycle.ts';
import { toLedgerEntry, toRun } from './presenter.ts';
import { sortColumn } from './sorts.ts';
import { stepPage } from './step-page.ts';

/** Sortable columns by their API name; anything else is a 400 rather than an unindexed surprise. */
const RUN_SORTS = {
  started_at: runs.startedAt,
  ended_at: runs.endedAt,
  last_step_at: runs.lastStepAt,
  cost_usd: runs.totalCostUsd,
  tokens_used: runs.totalTokens,
  total_tokens: runs.totalTokens,
  step_count: runs.stepCount,
  name: runs.name,
  status: runs.status,
} as const;

export function createRunService({ db, clock }: ServiceDeps) {
  const runWithAgent = { run: runs, agentName: agents.name };

  async function load(executor: Executor, ctx: AuthContext, id: string): Promise<Run> {
    const [row] = await executor
      .select(runWithAgent)
      .from(runs)
      .innerJoin(agents, eq(agents.id, runs.agentId))
      .where(and(eq(runs.id, id), eq(runs.orgId, ctx.orgId)));
    if (!row) throw notFound('Run');
    return toRun(row.run, row.agentName);
  }

  /** Throws 404 unless the run belongs to the caller's org. */
  async function assertOwned(executor: Executor, ctx: AuthContext, id: string): Promise<void> {
    const [row] = await executor
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.id, id), eq(runs.orgId, ctx.orgId)));
    if (!row) throw notFound('Run');
  }

  return {
    async list(ctx: AuthContext, query: ListRunsQuery): Promise<{ data: Run[]; total: number }> {
      const column = sortColumn(RUN_SORTS, query.sort, 'started_at');
      const direction = query.order === 'asc' ? asc : desc;
      const conditions: (SQL | undefined)[] = [
        eq(runs.orgId, ctx.orgId),
        query.agent_id ? eq(runs.agentId, query.agent_id) : undefined,
        query.status ? eq(runs.status, query.status) : undefined,
        query.since ? gte(runs.startedAt, new Date(query.since)) : undefined,
        query.until ? lt(runs.startedAt, new Date(query.until)) : undefined,
        query.had_governance_block === undefined ? undefined : eq(runs.hasGovernanceBlock, query.had_governance_block),
        query.had_failover === undefined ? undefined : eq(runs.hadFailover, query.had_failover),
      ];
      const where = and(...conditions);
      const [rows, [totals]] = await Promise.all([
        db
          .select(runWithAgent)
          .from(runs)
          .innerJoin(agents, eq(agents.id, runs.agentId))
          .where(where)
          // Nulls (e.g. ended_at of running runs) last either way; id keeps pages stable on ties.
          .orderBy(sql`${direction(column)} nulls last`, direction(runs.id))
          .limit(query.limit)
          .offset(query.offset),
        db.select({ total: count() }).from(runs).where(where),
      ]);
      return { data: rows.map((row) => toRun(row.run, row.agentName)), total: totals?.total ?? 0 };
    },

    get: (ctx: AuthContext, id: string): Promise<Run> => load(db, ctx, id),

    async rename(ctx: AuthContext, id: string, name: string): Promise<Run> {
      const [row] = await db
        .update(runs)
        .set({ name, updatedAt: clock.now() })
        .where(and(eq(runs.id, id), eq(runs.orgId, ctx.orgId)))
        .returning({ id: runs.id });
      if (!row) throw notFound('Run');
      return load(db, ctx, id);
    },

    async steps(ctx: AuthContext, id: string, query: ListRunStepsQuery): Promise<{ data: Step[]; total: number }> {
      await assertOwned(db, ctx, id);
      return stepPage(db, and(eq(steps.runId, id), eq(steps.orgId, ctx.orgId)), query);
    },

    async ledger(ctx: AuthContext, id: string): Promise<{ data: LedgerEntry[]; total: number }> {
      await assertOwned(db, ctx, id);
      const rows = await db
        .select()
        .from(ledgerEntries)
        .where(and(eq(ledgerEntries.runId, id), eq(ledgerEntries.orgId, ctx.orgId)))
        .orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.id));
      return { data: rows.map(toLedgerEntry), total: rows.length };
    },

    async stop(ctx: AuthContext, id: string): Promise<{ message: string }> {
      await db.transaction(async (tx) => {
        await assertOwned(tx, ctx, id);
        await stopRun(tx, id, clock.now());
      });
      return { message: 'Run force-stopped' };
    },

    unblock: (ctx: AuthContext, id: string): Promise<{ message: string; lifted_at: string }> =>
      db.transaction(async (tx) => {
        await assertOwned(tx, ctx, id);
        return unblockRun(tx, id, clock.now());
      }),

    complete: (ctx: AuthContext, id: string, input: AdminCompleteRunInput | undefined): Promise<Run> =>
      db.transaction(async (tx) => {
        await assertOwned(tx, ctx, id);
        await completeRun(tx, id, { endedReason: input?.reason ?? 'admin_completed' }, clock.now());
        return load(tx, ctx, id);
      }),
  };
}

export type RunService = ReturnType<typeof createRunService>;
