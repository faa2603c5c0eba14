import { describe, expect, it } from 'vitest';
import { checkRunaway } from './runaway.ts';

describe('checkRunaway', () => {
  const policy = { runaway_prevention: { enabled: true, max_steps_per_run: 3 } };

  it('allows calls until the run has max_steps_per_run steps', () => {
    expect(checkRunaway(policy, 0)).toEqual({ allowed: true });
    expect(checkRunaway(policy, 2)).toEqual({ allowed: true });
  });

  it('refuses the call that would go past the limit', () => {
    expect(checkRunaway(policy, 3)).toEqual({
      allowed: false,
      code: 'runaway_prevention',
      status: 403,
      message: 'Run reached max_steps_per_run (3 steps): possible runaway loop',
      details: { steps_used: 3, max_steps_per_run: 3 },
    });
    expect(checkRunaway(policy, 10)).toMatchObject({ allowed: false, details: { steps_used: 10 } });
  });

  it('is off when disabled or without a limit', () => {
    expect(checkRunaway({ runaway_prevention: { enabled: false, max_steps_per_run: 3 } }, 100)).toEqual({
      allowed: true,
    });
    expect(checkRunaway({ runaway_prevention: { enabled: true } }, 100)).toEqual({ allowed: true });
    expect(checkRunaway({}, 100)).toEqual({ allowed: true });
  });

  it('applies a limit set without the enabled flag', () => {
    expect(checkRunaway({ runaway_prevention: { max_steps_per_run: 1 } }, 1)).toMatchObject({ allowed: false });
  });
});
