import { describe, expect, it } from 'vitest';
import { POLICY_DEFAULTS, REPLACED_WHOLE, withDefaults } from './defaults.ts';
import { changedKeys, deepMerge } from './merge.ts';

describe('deepMerge', () => {
  it('merges nested objects and keeps untouched nested fields', () => {
    const merged = deepMerge(
      {
        routing: { timeout_ms: 1000, circuit_breaker: { failure_threshold: 5, recovery_timeout_ms: 30_000 } },
        dry_run: false,
      },
      { routing: { circuit_breaker: { failure_threshold: 2 } } },
    );
    expect(merged).toEqual({
      routing: { timeout_ms: 1000, circuit_breaker: { failure_threshold: 2, recovery_timeout_ms: 30_000 } },
      dry_run: false,
    });
  });

  it('replaces arrays and scalars, and an explicit null clears', () => {
    const merged = deepMerge(
      {
        routing: { default_chain: ['openai', 'anthropic'] },
        budget: { hard_limit_usd: 5, alert_threshold_usd: 4 },
        outcome_defaults: { idle_timeout: 'failed' },
      },
      { routing: { default_chain: ['groq'] }, budget: { hard_limit_usd: null }, outcome_defaults: null },
    );
    expect(merged).toEqual({
      routing: { default_chain: ['groq'] },
      budget: { hard_limit_usd: null, alert_threshold_usd: 4 },
      outcome_defaults: null,
    });
  });

  it('skips undefined, fills a null object from the patch, and replaces listed paths whole', () => {
    expect(deepMerge({ a: 1, o: null as null | object }, { a: undefined, o: { x: 1 } })).toEqual({ a: 1, o: { x: 1 } });
    const mapping = deepMerge(
      { model_mapping: { 'gpt-4o': { anthropic: 'claude-sonnet-4-5' } } },
      { model_mapping: { 'gpt-4o-mini': { groq: 'llama' } } },
      REPLACED_WHOLE,
    );
    expect(mapping).toEqual({ model_mapping: { 'gpt-4o-mini': { groq: 'llama' } } });
  });

  it('never mutates or aliases its inputs', () => {
    const base = { routing: { retry_on: [500] } };
    const patch = { routing: { default_chain: ['openai'] } };
    const merged = deepMerge(base, patch);
    merged.routing.retry_on.push(502);
    (merged.routing as { default_chain?: string[] }).default_chain!.push('x');
    expect(base).toEqual({ routing: { retry_on: [500] } });
    expect(patch).toEqual({ routing: { default_chain: ['openai'] } });
  });
});

describe('withDefaults', () => {
  it('completes a partial stored policy without touching the shared defaults', () => {
    const settings = withDefaults({ routing: { timeout_ms: 30_000 }, budget: { hard_limit_usd: 2 } });
    expect(settings.routing).toMatchObject({
      timeout_ms: 30_000,
      connect_timeout_ms: 10_000,
      load_balancing: 'failover',
      circuit_breaker: { failure_threshold: 5 },
    });
    expect(settings.budget).toMatchObject({
      hard_limit_usd: 2,
      on_alert_threshold: 'continue_and_alert',
      alert_threshold_usd: null,
    });
    settings.routing.circuit_breaker.failure_threshold = 99;
    expect(POLICY_DEFAULTS.routing.circuit_breaker.failure_threshold).toBe(5);
  });
});

describe('changedKeys', () => {
  it('lists only the keys whose values differ, ignoring key order', () => {
    const before = { name: 'a', budget: { x: 1, y: 2 }, routing: { t: 1 } };
    const after = { name: 'a', budget: { y: 2, x: 1 }, routing: { t: 2 } };
    expect(changedKeys(before, after, ['name', 'budget', 'routing'])).toEqual(['routing']);
  });
});
