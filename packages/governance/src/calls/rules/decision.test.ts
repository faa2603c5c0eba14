import { GovernanceBlockCode, GovernanceBlockResponse } from '@rungate/contracts';
import { describe, expect, it } from 'vitest';
import { ALLOWED, block, blockStatus } from './decision.ts';

describe('Decision', () => {
  it('has a status for every code of the spec, 402 for budgets and 429 for rate limits', () => {
    expect(Object.keys(blockStatus).sort()).toEqual([...GovernanceBlockCode.options].sort());
    expect(blockStatus.budget_exceeded).toBe(402);
    expect(blockStatus.budget_alert_exceeded).toBe(402);
    expect(blockStatus.rate_limited).toBe(429);
    for (const code of [
      'model_not_allowed',
      'tool_blocked',
      'runaway_prevention',
      'agent_disabled',
      'run_force_stopped',
    ] as const) {
      expect(blockStatus[code]).toBe(403);
    }
  });

  it('builds a refusal that fills the spec GovernanceBlockResponse as is', () => {
    const decision = block('tool_blocked', "Tool 'bash' is blocked", { tools: ['bash'] });
    expect(decision).toEqual({
      allowed: false,
      code: 'tool_blocked',
      status: 403,
      message: "Tool 'bash' is blocked",
      details: { tools: ['bash'] },
    });
    const body = {
      error: {
        type: 'governance_block',
        code: decision.code,
        message: decision.message,
        details: decision.details,
        run_id: null,
      },
    };
    expect(GovernanceBlockResponse.parse(body)).toEqual(body);
    expect(block('rate_limited', 'slow down').details).toEqual({});
  });

  it('has one frozen allowed value', () => {
    expect(ALLOWED).toEqual({ allowed: true });
    expect(Object.isFrozen(ALLOWED)).toBe(true);
  });
});
