import type { CreateAgentInput, PolicyRouting } from '@rungate/contracts';
import { steps } from '@rungate/db';
import { asc, eq } from 'drizzle-orm';
import { type FakeProvider, startFakeProvider } from './fake-provider.ts';
import { type Scenario, scenario } from './governance.ts';
import type { ProxyHarness } from './harness.ts';

/** Helpers for the routing integration tests (routing-*.test.ts). */

export interface RoutingPolicy {
  routing?: PolicyRouting;
  model_mapping?: Record<string, Record<string, string>>;
}

/**
 * A fresh policy and agent for one routing test. The circuit breaker is off unless the test
 * sets it: keys are shared by every test of a file, and failures injected by one test must
 * not open a circuit another test depends on.
 */
export function routingScenario(
  h: ProxyHarness,
  policy: RoutingPolicy = {},
  agent: Partial<CreateAgentInput> = {},
): Promise<Scenario> {
  const routing = { ...policy.routing, circuit_breaker: { failure_threshold: 0, ...policy.routing?.circuit_breaker } };
  return scenario(h, { ...policy, routing }, agent);
}

/** Another fake provider with a provider key (OpenAI-compatible unless `provider` is `anthropic`). */
export async function extraProvider(h: ProxyHarness, provider: string, name = `fake-${provider}`) {
  const fake = await startFakeProvider();
  const key = await h.services.providerKeys.create(h.ctx, {
    provider,
    name,
    api_key: `sk-${name}`,
    base_url: provider === 'anthropic' ? fake.anthropicBaseUrl : fake.openAIBaseUrl,
  });
  return { fake, keyId: key.id };
}

/** Another key of `provider` pointing at `fake`. */
export async function keyOn(h: ProxyHarness, fake: FakeProvider, provider: string, name: string) {
  const key = await h.services.providerKeys.create(h.ctx, {
    provider,
    name,
    api_key: `sk-${name}`,
    base_url: provider === 'anthropic' ? fake.anthropicBaseUrl : fake.openAIBaseUrl,
  });
  return key.id;
}

/** Every step of a run, in order. */
export const runStepsOf = (h: ProxyHarness, runId: string) =>
  h.services.deps.db.select().from(steps).where(eq(steps.runId, runId)).orderBy(asc(steps.stepNumber));

/** The `Authorization` / `x-api-key` a fake request carried: which key served it. */
export function presentedKey(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const auth = request.headers.authorization;
  return typeof auth === 'string' ? auth.replace(/^Bearer /, '') : undefined;
}

/**
 * Slack on the upper bound of a timing check. The bounds show that a configured wait (hundreds
 * of ms) decided rather than the 120 s default, and the machine may be busy with other suites.
 */
export const SLACK_MS = 3_000;

/** Milliseconds `fn` took, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}
