import type { Policy } from '@rungate/contracts';
import { ALLOWED, block, type Decision } from './decision.ts';
import { firstMatch } from './glob.ts';

export type ModelRules = Pick<Policy, 'allowed_models' | 'blocked_models' | 'model_override'>;

/**
 * Model rules for the effective model (after `model_mapping`/`model_override`, which the caller
 * applies). `blocked_models` wins over `allowed_models`; an empty `allowed_models` allows every
 * model. Under `model_override` the operator chose the model, so the rules are skipped.
 * Both refusals use the spec's one code, `model_not_allowed`; `details.rule` says which list
 * refused the model.
 */
export function checkModel(policy: ModelRules, model: string): Decision {
  if (policy.model_override) return ALLOWED;

  const blockedBy = firstMatch(policy.blocked_models, model);
  if (blockedBy !== undefined) {
    return block('model_not_allowed', `Model '${model}' is blocked by this policy (blocked_models: '${blockedBy}')`, {
      model,
      rule: 'blocked_models',
      pattern: blockedBy,
    });
  }

  const allowed = policy.allowed_models ?? [];
  if (allowed.length > 0 && firstMatch(allowed, model) === undefined) {
    return block('model_not_allowed', `Model '${model}' is not in this policy's allowed_models`, {
      model,
      rule: 'allowed_models',
      allowed_models: allowed,
    });
  }
  return ALLOWED;
}
