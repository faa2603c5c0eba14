import type { PolicyBudget } from '@rungate/contracts';
import { formatUsd, minUsd, toUsd, type Usd, usdToNumber, usdUnits, ZERO_USD } from '../pricing/money.ts';
import { ALLOWED, block, type Decision } from './decision.ts';

type Budget = PolicyBudget | null | undefined;
export type OnAlertThreshold = NonNullable<PolicyBudget['on_alert_threshold']>;

/** What a run has used so far, including the holds of its calls in flight. */
export interface RunSpend {
  costUsd: Usd;
  tokens: number;
}

/** What is left under each limit, never negative; null where the policy sets no limit. */
export interface BudgetHeadroom {
  /** Under `hard_limit_usd`, for the run. */
  usd: Usd | null;
  /** Under `hard_limit_tokens`, for the run. */
  tokens: number | null;
  /** Under `max_cost_per_hour_usd`, for the agent over the last hour. */
  hourlyUsd: Usd | null;
}

/** The most a call can consume: `worstCaseCost` and the input estimate plus `max_tokens`. */
export interface WorstCase {
  usd: Usd;
  tokens: number;
}

export type BudgetLimit = 'hard_limit_usd' | 'hard_limit_tokens' | 'max_cost_per_hour_usd';

const isSet = (limit: number | null | undefined): limit is number => limit !== null && limit !== undefined;

function leftUsd(limit: number, used: Usd): Usd {
  const left = usdUnits(limit) - usdUnits(used);
  return formatUsd(left > 0n ? left : 0n);
}

export function budgetHeadroom(budget: Budget, run: RunSpend, hourlySpendUsd: Usd): BudgetHeadroom {
  return {
    usd: isSet(budget?.hard_limit_usd) ? leftUsd(budget.hard_limit_usd, run.costUsd) : null,
    tokens: isSet(budget?.hard_limit_tokens) ? Math.max(0, budget.hard_limit_tokens - run.tokens) : null,
    hourlyUsd: isSet(budget?.max_cost_per_hour_usd) ? leftUsd(budget.max_cost_per_hour_usd, hourlySpendUsd) : null,
  };
}

/** The money a call may still spend under both USD limits; null when neither is set. */
export function spendableUsd(headroom: BudgetHeadroom): Usd | null {
  if (headroom.usd === null) return headroom.hourlyUsd;
  if (headroom.hourlyUsd === null) return headroom.usd;
  return minUsd(headroom.usd, headroom.hourlyUsd);
}

/** The first limit the worst case does not fit under, or null when it fits under all. */
export function exceededLimit(headroom: BudgetHeadroom, worst: WorstCase): BudgetLimit | null {
  const cost = usdUnits(worst.usd);
  if (headroom.usd !== null && cost > usdUnits(headroom.usd)) return 'hard_limit_usd';
  if (headroom.tokens !== null && worst.tokens > headroom.tokens) return 'hard_limit_tokens';
  if (headroom.hourlyUsd !== null && cost > usdUnits(headroom.hourlyUsd)) return 'max_cost_per_hour_usd';
  return null;
}

/**
 * Budget admission as a pre-authorization: the call is admitted only if its worst case fits in
 * what is left under every limit, so spend recorded within the worst case can never pass a
 * limit. A call that would land exactly on a limit fits. Refusals are 402 `budget_exceeded`
 * naming the limit, what is left and what the call could cost.
 */
export function checkBudget(budget: Budget, run: RunSpend, hourlySpendUsd: Usd, worst: WorstCase): Decision {
  const headroom = budgetHeadroom(budget, run, hourlySpendUsd);
  const limit = exceededLimit(headroom, worst);
  if (limit === null || !budget) return ALLOWED;

  if (limit === 'hard_limit_tokens') {
    return block(
      'budget_exceeded',
      `Run token budget exceeded: this call may use up to ${worst.tokens} tokens but ${headroom.tokens} of hard_limit_tokens ${budget.hard_limit_tokens} remain`,
      {
        limit,
        limit_value: budget.hard_limit_tokens,
        tokens_used: run.tokens,
        remaining_tokens: headroom.tokens,
        worst_case_tokens: worst.tokens,
      },
    );
  }
  const hourly = limit === 'max_cost_per_hour_usd';
  const remaining = (hourly ? headroom.hourlyUsd : headroom.usd) ?? ZERO_USD;
  return block(
    'budget_exceeded',
    `${hourly ? 'Hourly' : 'Run'} budget exceeded: this call may cost up to $${toUsd(worst.usd)} but $${remaining} of ${limit} $${budget[limit]} remains`,
    {
      limit,
      limit_value: budget[limit],
      [hourly ? 'hourly_cost_usd' : 'cost_usd']: usdToNumber(hourly ? hourlySpendUsd : run.costUsd),
      remaining_usd: usdToNumber(remaining),
      worst_case_usd: usdToNumber(worst.usd),
    },
  );
}

export type AlertLimit = 'alert_threshold_usd' | 'alert_threshold_tokens';

export type AlertEvaluation = { exceeded: false } | { exceeded: true; crossed: AlertLimit[]; action: OnAlertThreshold };

/**
 * Whether a run has reached an alert threshold (reaching it counts), and what the policy says
 * to do then (`on_alert_threshold`, default `continue_and_alert`):
 * - `continue_and_alert`: the run goes on; the caller raises the alert once.
 * - `stop_and_alert`: the run ends (`ended_reason` `alert_threshold_stop`); see `checkAlertThreshold`.
 * - `continue_and_block_new`: the run goes on; the caller refuses the agent's new runs.
 */
export function evaluateAlertThreshold(budget: Budget, run: RunSpend): AlertEvaluation {
  const crossed: AlertLimit[] = [];
  if (isSet(budget?.alert_threshold_usd) && usdUnits(run.costUsd) >= usdUnits(budget.alert_threshold_usd)) {
    crossed.push('alert_threshold_usd');
  }
  if (isSet(budget?.alert_threshold_tokens) && run.tokens >= budget.alert_threshold_tokens) {
    crossed.push('alert_threshold_tokens');
  }
  if (crossed.length === 0) return { exceeded: false };
  return { exceeded: true, crossed, action: budget?.on_alert_threshold ?? 'continue_and_alert' };
}

/** Refuses a call of a run past its alert threshold under `stop_and_alert` (402 `budget_alert_exceeded`). */
export function checkAlertThreshold(budget: Budget, run: RunSpend): Decision {
  const alert = evaluateAlertThreshold(budget, run);
  if (!alert.exceeded || alert.action !== 'stop_and_alert') return ALLOWED;
  return block(
    'budget_alert_exceeded',
    `Run reached its alert threshold (${alert.crossed.join(', ')}) and the policy stops runs there`,
    {
      thresholds: alert.crossed,
      action: alert.action,
      alert_threshold_usd: budget?.alert_threshold_usd ?? null,
      alert_threshold_tokens: budget?.alert_threshold_tokens ?? null,
      cost_usd: usdToNumber(run.costUsd),
      tokens_used: run.tokens,
    },
  );
}
