import { describe, expect, it } from 'vitest';
import { checkModel } from './models.ts';

describe('checkModel', () => {
  it('allows every model when the policy has no model rules', () => {
    expect(checkModel({}, 'gpt-4o')).toEqual({ allowed: true });
    expect(checkModel({ allowed_models: [], blocked_models: [] }, 'anything')).toEqual({ allowed: true });
  });

  it('refuses a blocked model, naming the pattern that matched', () => {
    expect(checkModel({ blocked_models: ['claude-*', 'gpt-4o'] }, 'gpt-4o')).toEqual({
      allowed: false,
      code: 'model_not_allowed',
      status: 403,
      message: "Model 'gpt-4o' is blocked by this policy (blocked_models: 'gpt-4o')",
      details: { model: 'gpt-4o', rule: 'blocked_models', pattern: 'gpt-4o' },
    });
    expect(checkModel({ blocked_models: ['gpt-4o'] }, 'gpt-4o-mini')).toEqual({ allowed: true });
  });

  it('allows only the allowed models when the list is set', () => {
    const policy = { allowed_models: ['gpt-4o-mini', 'claude-3-5-haiku*'] };
    expect(checkModel(policy, 'gpt-4o-mini')).toEqual({ allowed: true });
    expect(checkModel(policy, 'claude-3-5-haiku-latest')).toEqual({ allowed: true });
    expect(checkModel(policy, 'gpt-4o')).toEqual({
      allowed: false,
      code: 'model_not_allowed',
      status: 403,
      message: "Model 'gpt-4o' is not in this policy's allowed_models",
      details: { model: 'gpt-4o', rule: 'allowed_models', allowed_models: ['gpt-4o-mini', 'claude-3-5-haiku*'] },
    });
  });

  it('lets blocked_models win over allowed_models', () => {
    const decision = checkModel({ allowed_models: ['gpt-*'], blocked_models: ['gpt-4o'] }, 'gpt-4o');
    expect(decision).toMatchObject({ allowed: false, details: { rule: 'blocked_models' } });
  });

  it('is case-sensitive', () => {
    expect(checkModel({ blocked_models: ['gpt-4o'] }, 'GPT-4o')).toEqual({ allowed: true });
    expect(checkModel({ allowed_models: ['gpt-4o'] }, 'GPT-4o')).toMatchObject({ allowed: false });
  });

  it('skips the rules under model_override', () => {
    const policy = { allowed_models: ['gpt-4o-mini'], blocked_models: ['*'], model_override: 'gpt-4o' };
    expect(checkModel(policy, 'gpt-4o')).toEqual({ allowed: true });
    expect(checkModel({ ...policy, model_override: null }, 'gpt-4o')).toMatchObject({ allowed: false });
    expect(checkModel({ ...policy, model_override: '' }, 'gpt-4o')).toMatchObject({ allowed: false });
  });
});
