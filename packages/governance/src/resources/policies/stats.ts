import type { PolicyStats } from '@rungate/contracts';
import { type Executor, returnedRow, runs } from '@rungate/db';
import { and, count, desc, eq, gte, lte, ne, sql } from 'drizzle-orm';
import { isoRequired } from '../../time/dates.ts';

export interface DateRange {
  since?: string | undefined;
  until?: string | undefined;
}

export interface CostTrendPoint {
  run_id: string;
  name: string | null;
  cost_usd: number;
  step_count: number;
  started_at: string;
}

/** Runs governed by the policy, started within the range (both ends inclusive). */
function policyRuns(orgId: string, policyId: string, range: DateRange) {
  return and(
    eq(runs.orgId, orgId),
    eq(runs.policyId, policyId),
    range.since ? gte(runs.startedAt, new Date(range.since)) : undefined,
    range.until ? lte(runs.startedAt, new Date(range.until)) : undefined,
  );
}

const nullableNumber = (value: string | number | null) => (value === null ? null : Number(value));

/**
 * Aggregates over the policy's runs. Duration and success count only ended runs; a run
 * succeeded when its outcome is `success`, or it completed without an outcome. Budget
 * utilization is the mean of cost / hard_limit_usd (tokens / hard_limit_tokens when there is
 * no USD limit) over runs that had a limit, as a fraction (1 = the whole budget).
 */
export async function policyStats(
  executor: Executor,
  orgId: string,
  policyId: string,
  range: DateRange,
): Promise<PolicyStats> {
  const ended = sql`${runs.status} <> 'running'`;
  const hardUsd = sql`nullif((${runs.budget} ->> 'hard_limit_usd')::numeric, 0)`;
  const hardTokens = sql`nullif((${runs.budget} ->> 'hard_limit_tokens')::numeric, 0)`;
  const row = returnedRow(
    await executor
      .select({
        totalRuns: count(),
        totalSpend: sql<string>`coalesce(sum(${runs.totalCostUsd}), 0)`,
        avgCost: sql<string | null>`avg(${runs.totalCostUsd})`,
        avgSteps: sql<string | null>`round(avg(${runs.stepCount}))`,
        avgDurationMs: sql<
          string | null
        >`avg(extract(epoch from (${runs.endedAt} - ${runs.startedAt})) * 1000) filter (where ${ended} and ${runs.endedAt} is not null)`,
        succeeded: sql<string>`count(*) filter (where ${ended} and (${runs.outcome} = 'success' or (${runs.outcome} is null and ${runs.status} = 'completed')))`,
        endedRuns: sql<string>`count(*) filter (where ${ended})`,
        utilization: sql<
          string | null
        >`avg(coalesce(${runs.totalCostUsd} / ${hardUsd}, ${runs.totalTokens} / ${hardTokens}))`,
      })
      .from(runs)
      .where(policyRuns(orgId, policyId, range)),
  );
  const endedRuns = Number(row?.endedRuns ?? 0);
  return {
    total_runs: Number(row?.totalRuns ?? 0),
    total_spend_usd: Number(row?.totalSpend ?? 0),
    avg_cost_per_run_usd: nullableNumber(row?.avgCost ?? null),
    avg_steps_per_run: nullableNumber(row?.avgSteps ?? null),
    avg_duration_ms: nullableNumber(row?.avgDurationMs ?? null),
    success_rate: endedRuns === 0 ? null : Number(row.succeeded) / endedRuns,
    budget_utilization: nullableNumber(row?.utilization ?? null),
  };
}

/** The most recent `limit` ended runs, returned oldest first for charting; `total` counts them all. */
export async function policyCostTrend(
  executor: Executor,
  orgId: string,
  policyId: string,
  query: DateRange & { limit: number },
): Promise<{ data: CostTrendPoint[]; total: number }> {
  const where = and(policyRuns(orgId, policyId, query), ne(runs.status, 'running'));
  const [rows, [counted]] = await Promise.all([
    executor
      .select({
        id: runs.id,
        name: runs.name,
        cost: runs.totalCostUsd,
        steps: runs.stepCount,
        startedAt: runs.startedAt,
      })
      .from(runs)
      .where(where)
      .orderBy(desc(runs.startedAt), desc(runs.id))
      .limit(query.limit),
    executor.select({ total: count() }).from(runs).where(where),
  ]);
  const data = rows.reverse().map((run) => ({
    run_id: run.id,
    name: run.name,
    cost_usd: Number(run.cost),
    step_count: run.steps,
    started_at: isoRequired(run.startedAt),
  }));
  return { data, total: counted?.total ?? 0 };
}
