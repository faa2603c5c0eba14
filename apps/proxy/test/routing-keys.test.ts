import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, refusal } from './support/calls.ts';
import type { FakeProvider } from './support/fake-provider.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { extraProvider, keyOn, presentedKey, routingScenario, runStepsOf } from './support/routing.ts';

let h: ProxyHarness;
let fake: FakeProvider;
/** Four `groq` keys on one fake; the fake tells them apart by the key each request presents. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await createProxyHarness();
  const first = await extraProvider(h, 'groq', 'k1');
  fake = first.fake;
  ids.k1 = first.keyId;
  for (const name of ['k2', 'k3', 'k4']) ids[name] = await keyOn(h, fake, 'groq', name);
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const nameOf = (secret: string | undefined) => secret?.replace(/^sk-/, '');
const servedSince = (from: number) => fake.requests.slice(from).map((r) => nameOf(presentedKey(r)));
const weighted = (...names: string[]) => names.map((name) => ({ key_id: ids[name]!, weight: 1 }));

describe('key selection inside a provider', () => {
  it('failover tries the keys in order, moving on at once when one fails', async () => {
    const s = await routingScenario(
      h,
      { routing: { load_balancing: 'failover' } },
      { provider_keys: { groq: weighted('k1', 'k2', 'k3') } },
    );
    fake.setBehavior((request) => (presentedKey(request) === 'sk-k1' ? { status: 503 } : {}));
    try {
      const from = fake.requests.length;
      const { headers } = await chat(s.openai);
      expect(servedSince(from)).toEqual(['k1', 'k2']);
      const [transition, call] = await runStepsOf(h, headers.get('x-rungate-run-id')!);
      expect(transition!.failoverContext!.attempted).toEqual([
        {
          provider: 'groq',
          provider_key_id: ids.k1,
          status: 503,
          error: 'Fake provider error 503',
          kind: 'http_error',
        },
      ]);
      expect(call).toMatchObject({ providerKeyId: ids.k2, failoverAttempts: 1, status: 'success' });
      const next = fake.requests.length;
      await chat(s.openai);
      expect(servedSince(next)).toEqual(['k1', 'k2']);
    } finally {
      fake.setBehavior({});
    }
  });

  it('round_robin starts one key further along on each call', async () => {
    const s = await routingScenario(
      h,
      { routing: { load_balancing: 'round_robin' } },
      { provider_keys: { groq: weighted('k1', 'k2', 'k3') } },
    );
    const from = fake.requests.length;
    for (let i = 0; i < 6; i++) await chat(s.openai);
    expect(servedSince(from)).toEqual(['k1', 'k2', 'k3', 'k1', 'k2', 'k3']);
  });

  it('weighted spreads calls by weight (300 calls at 3:1, within 5 standard deviations)', async () => {
    const s = await routingScenario(
      h,
      { routing: { load_balancing: 'weighted' } },
      {
        provider_keys: {
          groq: [
            { key_id: ids.k1!, weight: 3 },
            { key_id: ids.k2!, weight: 1 },
          ],
        },
      },
    );
    const from = fake.requests.length;
    const calls = 300;
    for (let batch = 0; batch < calls / 20; batch++)
      await Promise.all(Array.from({ length: 20 }, () => chat(s.openai)));
    const served = servedSince(from);
    expect(served).toHaveLength(calls);
    const k1 = served.filter((n) => n === 'k1').length;
    // Binomial(300, 0.75): mean 225, standard deviation 7.5.
    expect(k1).toBeGreaterThanOrEqual(225 - 5 * 7.5);
    expect(k1).toBeLessThanOrEqual(225 + 5 * 7.5);
    expect(served.filter((n) => n === 'k2').length).toBe(calls - k1);
  });

  it('disabled and deleted keys never route', async () => {
    const disabled = await keyOn(h, fake, 'groq', 'k-disabled');
    const deleted = await keyOn(h, fake, 'groq', 'k-deleted');
    const s = await routingScenario(
      h,
      { routing: { load_balancing: 'round_robin' } },
      {
        provider_keys: {
          groq: [
            { key_id: disabled, weight: 1 },
            { key_id: deleted, weight: 1 },
            { key_id: ids.k4!, weight: 1 },
          ],
        },
      },
    );
    await h.services.providerKeys.disable(h.ctx, disabled);
    await h.services.providerKeys.delete(h.ctx, deleted);
    h.services.deps.configGeneration.bump();
    const from = fake.requests.length;
    for (let i = 0; i < 6; i++) await chat(s.openai);
    expect(servedSince(from)).toEqual(Array(6).fill('k4'));

    const none = await routingScenario(h, {}, { provider_keys: { groq: [{ key_id: disabled, weight: 1 }] } });
    const failed = await refusal(chat(none.openai));
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ type: 'provider_error' });
    expect(fake.requests.length).toBe(from + 6);
  });
});
