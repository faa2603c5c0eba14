import { performance } from 'node:perf_hooks';
import {
  type AttemptRecord,
  firstStep,
  MemoryBreakerStore,
  nextStep,
  POLICY_DEFAULTS,
  planRoute,
} from '@rungate/governance';

export interface RoutingCost {
  /** µs per call to plan a route (chain, mapping, weighted keys). */
  planUs: number;
  /** µs per call for a failover's decisions: plan, breaker checks, failure, next step, success. */
  failoverUs: number;
}

const KEYS = [
  '3f0c1c6e-0000-4000-8000-000000000001',
  '3f0c1c6e-0000-4000-8000-000000000002',
  '3f0c1c6e-0000-4000-8000-000000000003',
];
const POLICY = {
  routing: {
    ...POLICY_DEFAULTS.routing,
    default_chain: ['groq', 'openai', 'anthropic'],
    model_routes: [
      { pattern: 'claude-*', chain: ['anthropic'] },
      { pattern: 'gpt-4o*', chain: ['groq', 'openai', 'anthropic'] },
    ],
    load_balancing: 'weighted' as const,
  },
  model_mapping: { 'gpt-4o-mini': { anthropic: 'claude-3-5-haiku-latest', groq: 'llama-3.1-8b-instant' } },
};
const PROVIDER_KEYS = {
  groq: KEYS[0]!,
  openai: [
    { key_id: KEYS[1]!, weight: 3 },
    { key_id: KEYS[2]!, weight: 1 },
  ],
  anthropic: KEYS[2]!,
};

const plan = () =>
  planRoute({
    policy: POLICY,
    agentOverride: null,
    providerKeys: PROVIDER_KEYS,
    requestFormat: 'openai',
    model: 'gpt-4o-mini',
    counterScope: 'bench',
  });

/**
 * The routing layer's own CPU per call, in process and without I/O: what the proxy spends
 * deciding where a call goes and, on failover, where it goes next. The HTTP scenarios show the
 * same cost buried in the network and database time of a real call.
 */
export async function measureRoutingCost(iterations = 200_000): Promise<RoutingCost> {
  const breakers = new MemoryBreakerStore();
  const settings = POLICY.routing.circuit_breaker;
  const failover = async (now: number) => {
    const route = plan();
    const first = firstStep(route)!;
    await breakers.canAttempt(first.keyId, settings, now);
    await breakers.recordFailure({ keyId: first.keyId, provider: 'groq' }, { ...settings, failure_threshold: 0 }, now);
    const history: AttemptRecord[] = [
      { providerIndex: 0, keyId: first.keyId, failure: { kind: 'http_error', status: 500, retryAfterMs: null } },
    ];
    const next = nextStep(route, { ...POLICY.routing, max_retries: 1 }, history);
    if (next.action === 'stop') throw new Error('the bench route must fail over');
    await breakers.canAttempt(next.keyId, settings, now);
    await breakers.recordSuccess({ keyId: next.keyId, provider: 'openai' }, now);
  };
  const time = async (fn: (i: number) => unknown) => {
    for (let i = 0; i < iterations / 10; i++) await fn(i);
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await fn(i);
    return ((performance.now() - t0) * 1000) / iterations;
  };
  return { planUs: await time(() => plan()), failoverUs: await time((i) => failover(i)) };
}
