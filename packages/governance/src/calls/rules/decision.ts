import type { GovernanceBlockCode } from '@rungate/contracts';

/** HTTP status of each governance block code: one exhaustive table, as in the spec's responses. */
export const blockStatus = {
  budget_exceeded: 402,
  budget_alert_exceeded: 402,
  rate_limited: 429,
  model_not_allowed: 403,
  tool_blocked: 403,
  tool_approval_required: 403,
  agent_disabled: 403,
  run_force_stopped: 403,
  run_blocked_after_force_stop: 403,
  runaway_prevention: 403,
} as const satisfies Record<GovernanceBlockCode, 402 | 403 | 429>;

export type BlockStatus = (typeof blockStatus)[GovernanceBlockCode];

/**
 * The answer of a governance check. A refusal is a value, not an error: it carries what the
 * proxy needs for the spec's `GovernanceBlockResponse` (`error.code`, `error.message`,
 * `error.details`) and its status; the proxy adds `run_id` and `context`.
 */
export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      code: GovernanceBlockCode;
      status: BlockStatus;
      message: string;
      details: Record<string, unknown>;
    };

export type Blocked = Extract<Decision, { allowed: false }>;

export const ALLOWED: Decision = Object.freeze({ allowed: true });

export function block(code: GovernanceBlockCode, message: string, details: Record<string, unknown> = {}): Blocked {
  return { allowed: false, code, status: blockStatus[code], message, details };
}
