import type { AllAgentStats } from '@rungate/contracts';
import { agents, type Executor, runs } from '@rungate/db';
import { and, eq, sql } from 'drizzle-orm';

/** Spend and run count per agent of the org, summed in SQL; agents without runs show zeros. */
export async function agentSpend(executor: Executor, orgId: string): Promise<AllAgentStats> {
  const rows = await executor
    .select({
      id: agents.id,
      totalSpend: sql<string>`coalesce(sum(${runs.totalCostUsd}), 0)`,
      totalRuns: sql<number>`count(${runs.id})::int`,
    })
    .from(agents)
    .leftJoin(runs, and(eq(runs.agentId, agents.id), eq(runs.orgId, orgId)))
    .where(eq(agents.orgId, orgId))
    .groupBy(agents.id);
  return Object.fromEntries(
    rows.map((row) => [row.id, { total_spend: Number(row.totalSpend), total_runs: Number(row.totalRuns) }]),
  );
}
