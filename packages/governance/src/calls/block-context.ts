import type { AgentRow } from '../resources/agents/presenter.ts';
import type { PolicyView } from '../resources/policies/presenter.ts';
import type { RunState } from './ledger/reserve-budget.ts';

/** What an agent needs to explain a block to itself: run, policy and limits (`GovernanceBlockResponse.context`). */
export function blockContext(agent: AgentRow, policy: PolicyView, run: RunState | null) {
  return {
    policy_name: policy.name,
    agent_name: agent.name,
    steps_used: run?.stepCount ?? 0,
    max_steps_per_run:
      policy.runaway_prevention.enabled === false ? null : (policy.runaway_prevention.max_steps_per_run ?? null),
    cost_usd: Number(run?.totalCostUsd ?? 0),
    hard_limit_usd: policy.budget.hard_limit_usd,
    hard_limit_tokens: policy.budget.hard_limit_tokens,
    tokens_used: run?.totalTokens ?? 0,
    max_cost_per_hour_usd: policy.budget.max_cost_per_hour_usd,
  };
}

export type BlockContext = ReturnType<typeof blockContext>;
