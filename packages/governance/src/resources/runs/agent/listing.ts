import type { ListAgentRunStepsQuery, ListAgentRunsQuery, Run, Step } from '@rungate/contracts';
import { type Executor, runs, steps } from '@rungate/db';
import { and, asc, count, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { toRun } from '../presenter.ts';
import { stepPage } from '../step-page.ts';
import type { AgentCaller } from './ownership.ts';

const RUN_SORTS = {
  started_at: runs.startedAt,
  ended_at: runs.endedAt,
  cost_usd: runs.totalCostUsd,
  status: runs.status,
  step_count: runs.stepCount,
  name: runs.name,
} as const satisfies Record<ListAgentRunsQuery['sort'], unknown>;

/** The agent's own runs, newest first by default; `agentName` is the caller's, so no join. */
export async function listAgentRuns(
  executor: Executor,
  agent: AgentCaller & { name: string },
  query: ListAgentRunsQuery,
): Promise<{ data: Run[]; total: number }> {
  const direction = query.order === 'asc' ? asc : desc;
  const conditions: (SQL | undefined)[] = [
    eq(runs.agentId, agent.id),
    eq(runs.orgId, agent.orgId),
    query.status ? eq(runs.status, query.status) : undefined,
    query.since ? gte(runs.startedAt, new Date(query.since)) : undefined,
    query.until ? lt(runs.startedAt, new Date(query.until)) : undefined,
  ];
  const where = and(...conditions);
  const [rows, [totals]] = await Promise.all([
    executor
      .select()
      .from(runs)
      .where(where)
      // Nulls (ended_at and name of running runs) last either way; id keeps pages stable on ties.
      .orderBy(sql`${direction(RUN_SORTS[query.sort])} nulls last`, direction(runs.id))
      .limit(query.limit)
      .offset(query.offset),
    executor.select({ total: count() }).from(runs).where(where),
  ]);
  return { data: rows.map((row) => toRun(row, agent.name)), total: totals?.total ?? 0 };
}

/** Steps of a run the caller already owns, in step order by default. */
export function listRunSteps(
  executor: Executor,
  runId: string,
  query: ListAgentRunStepsQuery,
): Promise<{ data: Step[]; total: number }> {
  return stepPage(executor, eq(steps.runId, runId), query);
}
