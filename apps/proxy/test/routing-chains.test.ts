import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat } from './support/calls.ts';
import type { FakeProvider } from './support/fake-provider.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { extraProvider, routingScenario, runStepsOf, SLACK_MS, timed } from './support/routing.ts';

let h: ProxyHarness;
let groq: { fake: FakeProvider; keyId: string };
let keys: Record<string, string>;

beforeAll(async () => {
  h = await createProxyHarness();
  groq = await extraProvider(h, 'groq');
  keys = { openai: h.providerKeys.openai, anthropic: h.providerKeys.anthropic, groq: groq.keyId };
});
afterAll(async () => {
  await h?.close();
  await groq?.fake.close();
});

const served = (headers: Headers) => ({
  provider: headers.get('x-rungate-provider'),
  model: headers.get('x-rungate-model'),
});

describe('routing chains', () => {
  it('default_chain picks the first provider, and the headers name what served', async () => {
    const s = await routingScenario(h, { routing: { default_chain: ['groq', 'openai'] } }, { provider_keys: keys });
    const before = { groq: groq.fake.requests.length, main: h.fake.requests.length };
    const { data, headers } = await chat(s.openai);
    expect(data.choices[0]!.message.content).toBe('Hello from the fake provider.');
    expect(served(headers)).toEqual({ provider: 'groq', model: 'gpt-4o-mini' });
    expect(groq.fake.requests.length - before.groq).toBe(1);
    expect(h.fake.requests.length - before.main).toBe(0);
    const [step] = await runStepsOf(h, headers.get('x-rungate-run-id')!);
    expect(step).toMatchObject({
      type: 'llm_call',
      status: 'success',
      provider: 'groq',
      model: 'gpt-4o-mini',
      providerKeyId: groq.keyId,
      failoverAttempts: 0,
    });
  });

  it('model_routes: the first matching glob wins over later matches and the default chain', async () => {
    const s = await routingScenario(
      h,
      {
        routing: {
          default_chain: ['anthropic'],
          model_routes: [
            { pattern: 'gpt-4o*', chain: ['openai'] },
            { pattern: 'gpt-*', chain: ['groq'] },
          ],
        },
        model_mapping: { 'llama-3.1-8b': { anthropic: 'claude-3-5-haiku-latest' } },
      },
      { provider_keys: keys },
    );
    expect(served((await chat(s.openai, { model: 'gpt-4o-mini' })).headers)).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
    });
    expect(served((await chat(s.openai, { model: 'gpt-3.5-turbo' })).headers)).toEqual({
      provider: 'groq',
      model: 'gpt-3.5-turbo',
    });
    const fallback = await chat(s.openai, { model: 'llama-3.1-8b' });
    expect(served(fallback.headers)).toEqual({ provider: 'anthropic', model: 'claude-3-5-haiku-latest' });
    expect(fallback.data.object).toBe('chat.completion');
    expect(h.fake.requests.at(-1)).toMatchObject({ format: 'anthropic', body: { model: 'claude-3-5-haiku-latest' } });
  });

  it("a route's timeout_ms bounds each attempt on that route", async () => {
    const s = await routingScenario(
      h,
      { routing: { max_retries: 1, model_routes: [{ pattern: 'gpt-*', chain: ['groq', 'openai'], timeout_ms: 400 }] } },
      { provider_keys: keys },
    );
    groq.fake.enqueue({ hang: true });
    const { value, ms } = await timed(() => chat(s.openai));
    expect(served(value.headers)).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(ms).toBeGreaterThanOrEqual(380);
    expect(ms).toBeLessThan(400 + SLACK_MS);
    const [transition] = await runStepsOf(h, value.headers.get('x-rungate-run-id')!);
    expect(transition!.failoverContext!.attempted).toEqual([
      expect.objectContaining({ provider: 'groq', provider_key_id: groq.keyId, kind: 'request_timeout' }),
    ]);
  });

  it("the agent's routing_override outranks the policy: its route, then its chain, then its timeout", async () => {
    const policy = { routing: { default_chain: ['openai'], model_routes: [{ pattern: 'gpt-3*', chain: ['openai'] }] } };
    const byChain = await routingScenario(h, policy, {
      provider_keys: keys,
      routing_override: { default_chain: ['groq'] },
    });
    // The agent's chain outranks even a policy route that matches.
    expect(served((await chat(byChain.openai, { model: 'gpt-3.5-turbo' })).headers).provider).toBe('groq');
    expect(served((await chat(byChain.openai)).headers).provider).toBe('groq');

    const byRoute = await routingScenario(h, policy, {
      provider_keys: keys,
      routing_override: { default_chain: ['openai'], model_routes: [{ pattern: 'gpt-4o-*', chain: ['groq'] }] },
    });
    expect(served((await chat(byRoute.openai)).headers).provider).toBe('groq');
    expect(served((await chat(byRoute.openai, { model: 'gpt-3.5-turbo' })).headers).provider).toBe('openai');

    const byTimeout = await routingScenario(
      h,
      { routing: { default_chain: ['groq', 'openai'], max_retries: 1 } },
      { provider_keys: keys, routing_override: { timeout_ms: 300 } },
    );
    groq.fake.enqueue({ hang: true });
    const { value, ms } = await timed(() => chat(byTimeout.openai));
    expect(served(value.headers).provider).toBe('openai');
    expect(ms).toBeLessThan(300 + SLACK_MS);
  });

  it('a provider the agent holds no key for is left out of the chain', async () => {
    const s = await routingScenario(h, { routing: { default_chain: ['mistral', 'groq'] } }, { provider_keys: keys });
    expect(served((await chat(s.openai)).headers).provider).toBe('groq');
  });
});
