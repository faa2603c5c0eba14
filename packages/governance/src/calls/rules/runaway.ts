import type { Policy } from '@rungate/contracts';
import { ALLOWED, block, type Decision } from './decision.ts';

/**
 * Runaway prevention: refuses the call that would take a run past `max_steps_per_run`.
 * `stepCount` is the number of steps the run already has, so with a limit of 3 the fourth call
 * is refused. Enforced unless `enabled` is explicitly false (stored policies carry the default).
 */
export function checkRunaway(policy: Pick<Policy, 'runaway_prevention'>, stepCount: number): Decision {
  const settings = policy.runaway_prevention;
  const max = settings?.max_steps_per_run;
  if (!settings || settings.enabled === false || max == null) return ALLOWED;
  if (stepCount < max) return ALLOWED;
  return block('runaway_prevention', `Run reached max_steps_per_run (${max} steps): possible runaway loop`, {
    steps_used: stepCount,
    max_steps_per_run: max,
  });
}
