import { type Executor, runs } from '@rungate/db';
import { and, desc, eq } from 'drizzle-orm';
import { AppError, forbidden, notFound } from '../../../errors.ts';
import type { RunRow } from '../lifecycle.ts';

/** The authenticated agent, as the agent API needs it. */
export interface AgentCaller {
  id: string;
  orgId: string;
}

/**
 * One of the caller's own runs. The spec answers 403 for another agent's run of the same org;
 * a run of another org is "not found", so ids never leak across tenants. `lock` holds the row
 * for the rest of the transaction (completion and step logging race the proxy).
 */
export async function ownRun(executor: Executor, agent: AgentCaller, runId: string, lock = false): Promise<RunRow> {
  const query = executor.select().from(runs).where(eq(runs.id, runId));
  const [row] = lock ? await query.for('update') : await query;
  if (!row || row.orgId !== agent.orgId) throw notFound('Run');
  if (row.agentId !== agent.id) throw forbidden('Run belongs to a different agent');
  return row;
}

/** The agent's current run: its latest-started run still running, or null. */
export async function currentRun(executor: Executor, agent: AgentCaller, lock = false): Promise<RunRow | null> {
  const query = executor
    .select()
    .from(runs)
    .where(and(eq(runs.agentId, agent.id), eq(runs.orgId, agent.orgId), eq(runs.status, 'running')))
    .orderBy(desc(runs.startedAt), desc(runs.id))
    .limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row ?? null;
}

export const noCurrentRun = () => new AppError('not_found', 'This agent has no running run');
