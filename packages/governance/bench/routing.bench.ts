/**
 * Microseconds per `planRoute` call for typical shapes of routing configuration. A script, not
 * a test (timings are not asserted): `npx tsx bench/routing.bench.ts` in packages/governance.
 */
import type { AgentProviderKeys } from '@rungate/contracts';
import { createPriceBook } from '../src/calls/pricing/price-book.ts';
import {
  MemoryLatencyTracker,
  MemoryRoundRobinCounters,
  type PlanDeps,
  type PlanInput,
  planRoute,
} from '../src/calls/routing/index.ts';
import { withDefaults } from '../src/resources/policies/defaults.ts';

const providerKeys: AgentProviderKeys = {
  openai: [
    { key_id: 'oai-1', weight: 70 },
    { key_id: 'oai-2', weight: 30 },
  ],
  anthropic: 'ant-1',
  groq: 'groq-1',
};
const routes = [
  { pattern: 'o1-*', chain: ['openai'], timeout_ms: 300_000 },
  { pattern: 'claude-*', chain: ['anthropic', 'openai'] },
  { pattern: 'gpt-*', chain: ['openai', 'anthropic', 'groq'], timeout_ms: 60_000 },
];
const mapping = { 'gpt-4o': { anthropic: 'claude-sonnet-4-5', groq: 'llama-3.3-70b-versatile' } };

const latency = new MemoryLatencyTracker();
for (let i = 0; i < 64; i++) {
  latency.record('openai', 'oai-1', 400 + (i % 7) * 10, Date.now());
  latency.record('anthropic', 'ant-1', 350 + (i % 5) * 10, Date.now());
}
const deps: PlanDeps = { counters: new MemoryRoundRobinCounters(), priceBook: createPriceBook(), latency };

const scenarios: [string, PlanInput][] = [
  [
    'no chain (agent keys)',
    { policy: withDefaults({}), agentOverride: null, providerKeys, requestFormat: 'openai', model: 'gpt-4o' },
  ],
  [
    'route match + mapping, failover',
    {
      policy: withDefaults({ routing: { model_routes: routes }, model_mapping: mapping }),
      agentOverride: null,
      providerKeys,
      requestFormat: 'openai',
      model: 'gpt-4o',
    },
  ],
  [
    'route match + weighted keys',
    {
      policy: withDefaults({ routing: { model_routes: routes, load_balancing: 'weighted' }, model_mapping: mapping }),
      agentOverride: null,
      providerKeys,
      requestFormat: 'openai',
      model: 'gpt-4o',
    },
  ],
  [
    'agent override, round robin',
    {
      policy: withDefaults({ routing: { model_routes: routes } }),
      agentOverride: { default_chain: ['anthropic', 'openai'], load_balancing: 'round_robin' },
      providerKeys,
      requestFormat: 'anthropic',
      model: 'claude-sonnet-4-5',
      counterScope: 'agent-1',
    },
  ],
  [
    'cost preference (price book)',
    {
      policy: withDefaults({ routing: { model_routes: routes, routing_preference: 'cost' }, model_mapping: mapping }),
      agentOverride: null,
      providerKeys,
      requestFormat: 'openai',
      model: 'gpt-4o',
    },
  ],
  [
    'latency preference',
    {
      policy: withDefaults({
        routing: { model_routes: routes, routing_preference: 'latency' },
        model_mapping: mapping,
      }),
      agentOverride: null,
      providerKeys,
      requestFormat: 'openai',
      model: 'gpt-4o',
    },
  ],
];

const WARMUP = 20_000;
const CALLS = 200_000;
let sink = 0;
for (const [name, input] of scenarios) {
  for (let i = 0; i < WARMUP; i++) sink += planRoute(input, deps).attempts.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += planRoute({ ...input, nowMs: Date.now() }, deps).attempts.length;
  const perCallUs = Number(process.hrtime.bigint() - start) / 1_000 / CALLS;
  console.log(`${name.padEnd(34)} ${perCallUs.toFixed(2).padStart(7)} µs/call`);
}
// Printed so the optimiser cannot drop the calls.
console.log(`(${sink} attempts planned)`);
