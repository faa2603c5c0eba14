import type { AgentSelf } from '@rungate/contracts';
import { type Executor, queryRows, runs } from '@rungate/db';
import { and, count, eq, sql } from 'drizzle-orm';
import { HOUR_MS, hourlySpendSince } from '../../../calls/ledger/hourly-spend.ts';
import { subtractUsd, toUsd, usdUnits } from '../../../calls/pricing/money.ts';
import { notFound } from '../../../errors.ts';
import type { AgentRow } from '../../agents/presenter.ts';
import type { PolicyView } from '../../policies/presenter.ts';
import type { RunRow } from '../lifecycle.ts';
import { currentRun } from './ownership.ts';

/**
 * What the agent has used against its limits, so it can pace itself without a 402. Not in the
 * spec's `AgentSelf` (which stops at the limits); sent alongside them as `usage`.
 */
export interface AgentUsage {
  /** Settled spend of the last hour, the figure `max_cost_per_hour_usd` caps. */
  cost_last_hour_usd: number;
  /** Null when the policy sets no hourly limit. */
  hourly_cost_remaining_usd: number | null;
  running_runs: number;
  current_run: {
    id: string;
    step_count: number;
    cost_usd: number;
    tokens_used: number;
    /** Under the run's own (frozen) hard limits; null when unlimited. */
    budget_remaining_usd: number | null;
    budget_remaining_tokens: number | null;
  } | null;
}

export type AgentSelfView = AgentSelf & { usage: AgentUsage };

const clampUsd = (amount: string): number => (usdUnits(amount) > 0n ? Number(amount) : 0);

function currentRunUsage(run: RunRow): AgentUsage['current_run'] {
  const { hard_limit_usd: limitUsd, hard_limit_tokens: limitTokens } = run.budget;
  return {
    id: run.id,
    step_count: run.stepCount,
    cost_usd: Number(run.totalCostUsd),
    tokens_used: run.totalTokens,
    budget_remaining_usd: limitUsd == null ? null : clampUsd(subtractUsd(limitUsd, run.totalCostUsd)),
    budget_remaining_tokens: limitTokens == null ? null : Math.max(0, limitTokens - run.totalTokens),
  };
}

/** `/v1/me`: limits from the agent's policy, usage from its runs and its spend (as the cap counts it). */
export async function agentSelf(
  executor: Executor,
  agent: AgentRow,
  loadPolicy: (orgId: string, id: string) => Promise<PolicyView | null>,
  now: Date,
): Promise<AgentSelfView> {
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const [policy, [spend], [running], current] = await Promise.all([
    loadPolicy(agent.orgId, agent.policyId),
    queryRows<{ usd: string }>(executor, sql`SELECT ${hourlySpendSince(agent.id, hourAgo)} AS usd`),
    executor
      .select({ n: count() })
      .from(runs)
      .where(and(eq(runs.agentId, agent.id), eq(runs.status, 'running'))),
    currentRun(executor, agent),
  ]);
  // A policy in use cannot be deleted, so a missing one is a broken invariant, not a state.
  if (!policy) throw notFound('Policy');
  const hourly = policy.budget.max_cost_per_hour_usd;
  const lastHour = toUsd(spend?.usd ?? 0);
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    status: agent.status,
    policy_name: policy.name,
    hourly_cost_limit_usd: hourly,
    budget_hard_limit_usd: policy.budget.hard_limit_usd,
    max_steps_per_run: policy.runaway_prevention.max_steps_per_run,
    // An empty allow-list allows every model: the spec's null.
    allowed_models: policy.allowed_models.length > 0 ? policy.allowed_models : null,
    model_override: policy.model_override,
    usage: {
      cost_last_hour_usd: Number(lastHour),
      hourly_cost_remaining_usd: hourly == null ? null : clampUsd(subtractUsd(hourly, lastHour)),
      running_runs: running?.n ?? 0,
      current_run: current ? currentRunUsage(current) : null,
    },
  };
}
