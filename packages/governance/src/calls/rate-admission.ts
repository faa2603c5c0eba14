import type { AgentRow } from '../resources/agents/presenter.ts';
import type { PolicyView } from '../resources/policies/presenter.ts';
import { isLimited, type RateDecision, type RateLimiter, rateLimitKey } from './rate-limit/limiter.ts';

export interface SpeculativeAdmission {
  policyId: string;
  take(): Promise<RateDecision>;
  giveBack(): Promise<void>;
}

/** The rate-limit side of admission over one limiter. */
export function createRateAdmissions(rateLimiter: RateLimiter) {
  /**
   * The rate-limit admission, asked together with the run and its hold (one round trip fewer
   * before the call is forwarded) but applied last, in the order of the rules. A call refused by
   * an earlier rule gives the request it was counted for back.
   */
  function speculativeAdmission(agent: AgentRow, policy: PolicyView, nowMs: number): SpeculativeAdmission | null {
    if (!isLimited(policy.rate_limits)) return null;
    const key = rateLimitKey(agent.id, policy.id);
    // Settled into a value at once, so a call refused before the answer is read leaves no rejection unhandled.
    const answer = rateLimiter.admit(key, policy.rate_limits, nowMs).then(
      (decision) => ({ decision }),
      (error: unknown) => ({ error }),
    );
    let used = false;
    return {
      policyId: policy.id,
      async take() {
        used = true;
        const settled = await answer;
        if ('error' in settled) throw settled.error;
        return settled.decision;
      },
      async giveBack() {
        if (used) return;
        used = true;
        const settled = await answer;
        if ('decision' in settled && settled.decision.allowed) await rateLimiter.unadmit(key, nowMs);
      },
    };
  }

  /** The rate decision under the run's policy: the early answer when it was asked for that policy. */
  async function rateDecision(
    early: SpeculativeAdmission | null,
    agent: AgentRow,
    policy: PolicyView,
    nowMs: number,
  ): Promise<RateDecision | null> {
    if (early?.policyId === policy.id) return early.take();
    await early?.giveBack();
    return isLimited(policy.rate_limits)
      ? rateLimiter.admit(rateLimitKey(agent.id, policy.id), policy.rate_limits, nowMs)
      : null;
  }

  return { speculativeAdmission, rateDecision };
}
