import type { AgentProviderKeys, RoutingOverride } from '@rungate/contracts';
import { describe, expect, it } from 'vitest';
import { type PolicySettings, withDefaults } from '../../resources/policies/defaults.ts';
import { createPriceBook } from '../pricing/price-book.ts';
import { MemoryRoundRobinCounters } from './keys.ts';
import { MemoryLatencyTracker } from './latency.ts';
import { type PlanInput, planRoute } from './plan.ts';

const keys: AgentProviderKeys = { openai: 'k-oai', anthropic: 'k-ant', groq: 'k-groq' };

function policy(routing: Record<string, unknown> = {}, model_mapping: PolicySettings['model_mapping'] = {}) {
  return withDefaults({ routing, model_mapping });
}

function plan(input: Partial<PlanInput> & Pick<PlanInput, 'policy'>, deps = {}) {
  return planRoute(
    { agentOverride: null, providerKeys: keys, requestFormat: 'openai', model: 'gpt-4o', ...input },
    deps,
  );
}

const providers = (p: ReturnType<typeof plan>) => p.attempts.map((a) => a.provider);

describe('chain precedence', () => {
  const routes = [
    { pattern: 'claude-*', chain: ['anthropic'], timeout_ms: 30_000 },
    { pattern: 'gpt-*', chain: ['groq', 'openai'], timeout_ms: 45_000 },
    { pattern: 'gpt-4o', chain: ['anthropic'] },
  ];

  it('uses the policy default chain when no route matches', () => {
    const p = plan({
      policy: policy({ default_chain: ['anthropic', 'openai'], model_routes: routes }),
      model: 'llama-3',
    });
    expect(providers(p)).toEqual(['anthropic', 'openai']);
    expect(p.source).toBe('policy_chain');
    expect(p.matchedPattern).toBeNull();
    expect(p.attempts[0]!.timeoutMs).toBe(120_000);
  });

  it('takes the first matching route, in order, with its timeout', () => {
    const p = plan({ policy: policy({ default_chain: ['anthropic'], model_routes: routes }) });
    expect(providers(p)).toEqual(['groq', 'openai']);
    expect(p).toMatchObject({ source: 'policy_route', matchedPattern: 'gpt-*' });
    expect(p.attempts.map((a) => a.timeoutMs)).toEqual([45_000, 45_000]);
  });

  it('matches globs anchored: gpt-* does not match my-gpt-4', () => {
    const p = plan({ policy: policy({ default_chain: ['openai'], model_routes: routes }), model: 'my-gpt-4' });
    expect(p.source).toBe('policy_chain');
  });

  it("puts the agent's chain before the policy's routes and chain", () => {
    const override: RoutingOverride = { default_chain: ['anthropic'] };
    const p = plan({ policy: policy({ default_chain: ['openai'], model_routes: routes }), agentOverride: override });
    expect(providers(p)).toEqual(['anthropic']);
    expect(p.source).toBe('agent_chain');
    // The policy route still matched the model, so its timeout applies.
    expect(p.attempts[0]!.timeoutMs).toBe(45_000);
  });

  it("puts the agent's matching route first of all", () => {
    const override: RoutingOverride = {
      default_chain: ['anthropic'],
      model_routes: [{ pattern: 'gpt-4?', chain: ['openai'], timeout_ms: 5_000 }],
    };
    const p = plan({ policy: policy({ model_routes: routes }), agentOverride: override, model: 'gpt-4o' });
    expect(providers(p)).toEqual(['openai']);
    expect(p).toMatchObject({ source: 'agent_route', matchedPattern: 'gpt-4?' });
    expect(p.attempts[0]!.timeoutMs).toBe(5_000);
  });

  it('lets a route with an empty chain set only the timeout', () => {
    const p = plan({
      policy: policy({ default_chain: ['openai'], model_routes: [{ pattern: 'gpt-*', chain: [], timeout_ms: 9_000 }] }),
    });
    expect(p).toMatchObject({ source: 'policy_chain', matchedPattern: 'gpt-*' });
    expect(p.attempts[0]!.timeoutMs).toBe(9_000);
  });

  it('takes the timeout from route, then agent, then policy', () => {
    const base = policy({
      timeout_ms: 60_000,
      default_chain: ['openai'],
      model_routes: [{ pattern: 'claude-*', chain: ['anthropic'], timeout_ms: 20_000 }],
    });
    const override: RoutingOverride = { timeout_ms: 40_000 };
    expect(plan({ policy: base }).attempts[0]!.timeoutMs).toBe(60_000);
    expect(plan({ policy: base, agentOverride: override }).attempts[0]!.timeoutMs).toBe(40_000);
    expect(plan({ policy: base, agentOverride: override, model: 'claude-x' }).attempts[0]!.timeoutMs).toBe(20_000);
  });

  it('never lets the connect timeout exceed a shorter route timeout', () => {
    const p = plan({
      policy: policy({
        connect_timeout_ms: 10_000,
        default_chain: ['openai'],
        model_routes: [{ pattern: 'gpt-*', chain: ['openai'], timeout_ms: 4_000 }],
      }),
    });
    expect(p.attempts[0]).toMatchObject({ timeoutMs: 4_000, connectTimeoutMs: 4_000 });
    expect(plan({ policy: policy({ default_chain: ['openai'] }) }).attempts[0]!.connectTimeoutMs).toBe(10_000);
  });

  it('drops repeated providers and providers the agent has no key for', () => {
    const p = plan({
      policy: policy({ default_chain: ['mistral', 'openai', 'openai', 'anthropic'] }),
      providerKeys: { openai: 'k1', anthropic: [] },
    });
    expect(providers(p)).toEqual(['openai']);
  });

  it('ignores names that are Object.prototype members', () => {
    const p = plan({ policy: policy({ default_chain: ['constructor', 'openai'] }, {}), model: 'toString' });
    expect(p.attempts).toMatchObject([{ provider: 'openai', resolvedModel: 'toString' }]);
  });

  it('returns no attempts when the agent has no usable key', () => {
    expect(plan({ policy: policy({ default_chain: ['openai'] }), providerKeys: {} }).attempts).toEqual([]);
  });
});

describe('without any chain', () => {
  const agentKeys: AgentProviderKeys = { groq: 'k-groq', anthropic: 'k-ant', openai: 'k-oai', mistral: 'k-m' };

  it('tries the keyed providers, the OpenAI-format ones first for an OpenAI request', () => {
    const p = plan({ policy: policy(), providerKeys: agentKeys });
    expect(providers(p)).toEqual(['openai', 'groq', 'mistral', 'anthropic']);
    expect(p.source).toBe('agent_keys');
  });

  it('puts anthropic first for an Anthropic request', () => {
    const p = plan({
      policy: policy(),
      providerKeys: agentKeys,
      requestFormat: 'anthropic',
      model: 'claude-sonnet-4-5',
    });
    expect(providers(p)).toEqual(['anthropic', 'groq', 'openai', 'mistral']);
  });
});

describe('model mapping and formats', () => {
  it('maps the model per provider and keeps the original elsewhere', () => {
    const p = plan({
      policy: policy(
        { default_chain: ['openai', 'anthropic', 'groq'] },
        { 'gpt-4o': { anthropic: 'claude-sonnet-4-5', groq: 'llama-3.3-70b' } },
      ),
    });
    expect(
      p.attempts.map(({ provider, format, originalModel, resolvedModel }) => ({
        provider,
        format,
        originalModel,
        resolvedModel,
      })),
    ).toEqual([
      { provider: 'openai', format: 'openai', originalModel: 'gpt-4o', resolvedModel: 'gpt-4o' },
      { provider: 'anthropic', format: 'anthropic', originalModel: 'gpt-4o', resolvedModel: 'claude-sonnet-4-5' },
      { provider: 'groq', format: 'openai', originalModel: 'gpt-4o', resolvedModel: 'llama-3.3-70b' },
    ]);
  });
});

describe('load balancing', () => {
  const weighted: AgentProviderKeys = {
    openai: [
      { key_id: 'a', weight: 1 },
      { key_id: 'b', weight: 1 },
      { key_id: 'c', weight: 1 },
    ],
  };

  it('keeps the listed order for failover', () => {
    const p = plan({ policy: policy({ default_chain: ['openai'] }), providerKeys: weighted });
    expect(p.attempts[0]!.keyIds).toEqual(['a', 'b', 'c']);
    expect(p.loadBalancing).toBe('failover');
  });

  it("rotates per call with round_robin, per agent, and the agent's override wins", () => {
    const counters = new MemoryRoundRobinCounters();
    const input = {
      policy: policy({ default_chain: ['openai'] }),
      providerKeys: weighted,
      agentOverride: { load_balancing: 'round_robin' as const },
    };
    const firsts = [0, 1, 2, 3].map(
      () => plan({ ...input, counterScope: 'agent-1' }, { counters }).attempts[0]!.keyIds,
    );
    expect(firsts).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c', 'a'],
      ['c', 'a', 'b'],
      ['a', 'b', 'c'],
    ]);
    expect(plan({ ...input, counterScope: 'agent-2' }, { counters }).attempts[0]!.keyIds).toEqual(['a', 'b', 'c']);
  });

  it('draws the weighted order from the injected random source', () => {
    const p = plan(
      { policy: policy({ default_chain: ['openai'], load_balancing: 'weighted' }), providerKeys: weighted },
      { random: () => 0.5 },
    );
    // 0.5 of weight 3 falls in b's share; then 0.5 of the remaining weight 2 falls in c's.
    expect(p.attempts[0]!.keyIds).toEqual(['b', 'c', 'a']);
  });
});

describe('routing preference', () => {
  const chain = policy(
    { default_chain: ['openai', 'anthropic', 'groq'], routing_preference: 'cost' },
    { 'gpt-4o': { anthropic: 'claude-3-5-haiku-latest', groq: 'no-such-model' } },
  );

  it('orders by the mapped model price, unknown prices last', () => {
    const p = plan({ policy: chain }, { priceBook: createPriceBook() });
    // claude-3-5-haiku ($0.80 + $4) is cheaper than gpt-4o ($2.50 + $10); groq's model has no price.
    expect(providers(p)).toEqual(['anthropic', 'openai', 'groq']);
    expect(p.preference).toBe('cost');
  });

  it('keeps the chain order without a price book', () => {
    expect(providers(plan({ policy: chain }))).toEqual(['openai', 'anthropic', 'groq']);
  });

  it('orders by observed p50 for latency, unmeasured last; the agent preference wins', () => {
    const latency = new MemoryLatencyTracker();
    const now = 1_000_000;
    for (const ms of [300, 320, 900]) latency.record('openai', 'k-oai', ms, now);
    for (const ms of [150, 800, 120]) latency.record('groq', 'k-groq', ms, now);
    const p = plan({ policy: chain, agentOverride: { routing_preference: 'latency' }, nowMs: now }, { latency });
    expect(providers(p)).toEqual(['groq', 'openai', 'anthropic']);
    expect(p.preference).toBe('latency');
  });
});
