import { randomUUID } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatBody,
  messagesBody,
  openHolds,
  refusal,
  runLedger,
  runRow,
  runSteps,
  sumUsd,
  toUnits,
} from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

/**
 * Budgets are pre-authorized: 50 concurrent calls on one run, against a hard limit that pays for
 * only some of them, never record more than the limit; the rest are refused with 402. The same
 * holds with two proxy processes (own services, own connection pools) sharing one PostgreSQL
 * database, which PGlite cannot host, so that case runs with DATABASE_URL only.
 */

const CALLS = 50;
// gpt-4o: input 2.50, output 10.00 per million. A call may produce up to 1,000 output tokens,
// so its worst case is a little over 0.01 USD, and the fake does produce all of them.
const MAX_TOKENS = 1000;
const USAGE = { input: 10, output: MAX_TOKENS, cacheRead: 0, cacheCreation: 0 };
const LIMIT_USD = 0.1;
// Anthropic by tokens: each call uses 10 + 1,000 tokens of a 6,000-token budget.
const LIMIT_TOKENS = 6_000;

interface Outcome {
  ok: boolean;
  status: number;
  code?: unknown;
}

async function settleAll(calls: Promise<unknown>[]): Promise<Outcome[]> {
  return Promise.all(
    calls.map(async (call) => {
      try {
        await call;
        return { ok: true, status: 200 };
      } catch (error) {
        const { status, body } = await refusal(Promise.reject(error));
        return { ok: false, status, code: (body.error as { code?: unknown } | undefined)?.code };
      }
    }),
  );
}

async function expectWithinBudget(
  h: ProxyHarness,
  runId: string,
  outcomes: Outcome[],
  limit: { usd?: number; tokens?: number },
) {
  const succeeded = outcomes.filter((o) => o.ok).length;
  const refused = outcomes.filter((o) => !o.ok);
  expect(succeeded).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.map((o) => [o.status, o.code])).toEqual(refused.map(() => [402, 'budget_exceeded']));

  const run = await runRow(h, runId);
  const ledger = await runLedger(h, runId);
  const steps = await runSteps(h, runId);
  if (limit.usd !== undefined) expect(toUnits(run.totalCostUsd) <= toUnits(limit.usd.toFixed(10))).toBe(true);
  if (limit.tokens !== undefined) expect(run.totalTokens).toBeLessThanOrEqual(limit.tokens);
  expect(run.totalCostUsd).toBe(sumUsd(ledger.map((e) => e.costUsd)));
  expect(run.totalTokens).toBe(
    ledger.reduce((n, e) => n + e.inputTokens + e.outputTokens + e.cacheReadTokens + e.cacheCreationTokens, 0),
  );
  // Every admitted call was forwarded and charged in full; no refused call reached the provider.
  expect(ledger).toHaveLength(succeeded);
  expect(steps.filter((s) => s.status === 'success')).toHaveLength(succeeded);
  expect(run).toMatchObject({ status: 'budget_exceeded', hasGovernanceBlock: true });
  expect(await openHolds(h)).toEqual([]);
  return succeeded;
}

describe('50 concurrent calls on one run', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await createProxyHarness();
  });
  afterAll(() => h?.close());

  it('hard_limit_usd: recorded spend never exceeds the limit, the others get 402', async () => {
    await h.updatePolicy({ budget: { hard_limit_usd: LIMIT_USD, hard_limit_tokens: null } });
    h.fake.reset();
    h.fake.setBehavior({ usage: USAGE, delayMs: 20 });
    const runId = randomUUID();
    const client = h.openai();
    const body = chatBody({ model: 'gpt-4o', max_tokens: MAX_TOKENS });
    const outcomes = await settleAll(
      Array.from({ length: CALLS }, () =>
        client.chat.completions.create(body, { headers: { 'x-rungate-run-id': runId } }),
      ),
    );
    const succeeded = await expectWithinBudget(h, runId, outcomes, { usd: LIMIT_USD });
    expect(h.fake.requests).toHaveLength(succeeded);
    // Each call really costs (10 x 2.5 + 1000 x 10) / 1e6 = 0.010025: at most 9 fit in 0.1.
    expect(succeeded).toBeLessThanOrEqual(9);
    expect((await runRow(h, runId)).endedReason).toBe('cost_limit');
  });

  it('hard_limit_tokens (Anthropic, streaming): recorded tokens never exceed the limit', async () => {
    await h.updatePolicy({ budget: { hard_limit_usd: null, hard_limit_tokens: LIMIT_TOKENS } });
    h.fake.reset();
    h.fake.setBehavior({ usage: USAGE, delayMs: 20 });
    const runId = randomUUID();
    const client = h.anthropic();
    const body = {
      ...messagesBody({ max_tokens: MAX_TOKENS }),
      stream: true,
    } as Anthropic.MessageCreateParamsStreaming;
    const outcomes = await settleAll(
      Array.from({ length: CALLS }, async () => {
        const stream = await client.messages.create(body, { headers: { 'x-rungate-run-id': runId } });
        for await (const _ of stream);
      }),
    );
    // Settlement of a stream follows its last byte: wait for every admitted call's step.
    const admitted = outcomes.filter((o) => o.ok).length;
    for (let i = 0; i < 200 && (await runLedger(h, runId)).length < admitted; i++)
      await new Promise((r) => setTimeout(r, 25));
    const succeeded = await expectWithinBudget(h, runId, outcomes, { tokens: LIMIT_TOKENS });
    expect(succeeded).toBeLessThanOrEqual(5);
    expect((await runRow(h, runId)).endedReason).toBe('token_limit');
  });
});

// Same test as `createTestDatabase` uses to pick PostgreSQL.
const onPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');

describe.runIf(onPostgres)('two proxy processes sharing one database', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await createProxyHarness({ policy: { budget: { hard_limit_usd: LIMIT_USD } } });
  });
  afterAll(() => h?.close());

  it('50 concurrent calls split across both: recorded spend never exceeds hard_limit_usd', async () => {
    expect(h.databaseUrl).not.toBeNull();
    const peer = await h.startPeerProxy();
    h.fake.setBehavior({ usage: USAGE, delayMs: 20 });
    const runId = randomUUID();
    const clients: OpenAI[] = [h.openai(), peer.openai()];
    const body = chatBody({ model: 'gpt-4o', max_tokens: MAX_TOKENS });
    const outcomes = await settleAll(
      Array.from({ length: CALLS }, (_, i) =>
        clients[i % 2]!.chat.completions.create(body, { headers: { 'x-rungate-run-id': runId } }),
      ),
    );
    const succeeded = await expectWithinBudget(h, runId, outcomes, { usd: LIMIT_USD });
    expect(succeeded).toBeLessThanOrEqual(9);
    expect(h.fake.requests).toHaveLength(succeeded);
    await peer.close();
  });

  it('concurrent first implicit calls from both processes open one run', async () => {
    const peer = await h.startPeerProxy();
    h.fake.reset();
    h.fake.setBehavior({ usage: { input: 10, output: 10, cacheRead: 0, cacheCreation: 0 } });
    const agent = await h.createAgent({ name: 'implicit-two-processes' });
    const clients: OpenAI[] = [h.openai(agent.key), peer.openai(agent.key)];
    const runIds = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const { response } = await clients[i % 2]!.chat.completions.create(chatBody({ max_tokens: 50 })).withResponse();
        return response.headers.get('x-rungate-run-id');
      }),
    );
    expect(new Set(runIds).size).toBe(1);
    expect(await runRow(h, runIds[0]!)).toMatchObject({ stepCount: 10, status: 'running' });
    await peer.close();
  });
});
