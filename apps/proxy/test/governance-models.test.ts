import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contextOf,
  expectBlockedStep,
  HAIKU,
  MINI,
  refused,
  runOf,
  scenario,
  stepsOf,
  USER,
  upstreamSince,
} from './support/governance.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;

beforeAll(async () => {
  h = await createProxyHarness();
});
afterAll(() => h?.close());

// The fake's default usage: 20 input and 10 output tokens.
const miniCost = (20 * MINI.input + 10 * MINI.output) / 1e6; // 0.000009
const haikuCost = (20 * HAIKU.input + 10 * HAIKU.output) / 1e6; // 0.000056

describe('allowed_models', () => {
  it('lets models matching a pattern through and refuses the others with 403 model_not_allowed, recorded as a blocked step', async () => {
    const s = await scenario(h, { allowed_models: ['gpt-4o-mini*', 'claude-3-5-haiku-*'] });

    const { data, response } = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER })
      .withResponse();
    expect(data.model).toBe('gpt-4o-mini');
    expect(response.headers.get('x-rungate-cost-usd')).toBe(String(miniCost));
    expect(response.headers.get('x-rungate-tokens-used')).toBe('30');
    const runId = response.headers.get('x-rungate-run-id')!;

    const haiku = await s.anthropic.messages
      .create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: USER })
      .withResponse();
    expect(haiku.data.model).toBe('claude-3-5-haiku-latest');
    expect(haiku.response.headers.get('x-rungate-cost-usd')).toBe(String(haikuCost));
    expect(haiku.response.headers.get('x-rungate-run-id')).toBe(runId);

    const from = h.fake.requests.length;
    const blocked = await refused(s.openai.chat.completions.create({ model: 'gpt-4o', messages: USER }));
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-rungate-run-id')).toBe(runId);
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'model_not_allowed',
        message: "Model 'gpt-4o' is not in this policy's allowed_models",
        run_id: runId,
        details: { model: 'gpt-4o', rule: 'allowed_models', allowed_models: ['gpt-4o-mini*', 'claude-3-5-haiku-*'] },
        context: contextOf(s, { steps: 2, cost: Number((miniCost + haikuCost).toFixed(10)), tokens: 60 }),
      },
    });
    const step = await expectBlockedStep(h, runId, 'policy_blocked', 'model_not_allowed');
    expect(step).toMatchObject({ model: 'gpt-4o', stepNumber: 3 });

    const sonnet = await refused(
      s.anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: USER }),
    );
    expect(sonnet.status).toBe(403);
    expect(sonnet.body.error).toMatchObject({
      code: 'model_not_allowed',
      run_id: runId,
      details: { model: 'claude-sonnet-4-6', rule: 'allowed_models' },
    });
    await expectBlockedStep(h, runId, 'policy_blocked', 'model_not_allowed');

    expect(upstreamSince(h, from)).toEqual([]);
    // Blocks cost nothing: the run's totals are the two calls that went through.
    expect(await runOf(h, runId)).toMatchObject({
      stepCount: 4,
      totalTokens: 60,
      totalCostUsd: '0.0000650000',
      hasGovernanceBlock: true,
      status: 'running',
    });
  });
});

describe('blocked_models', () => {
  it('refuses a model matching an exact name or a glob, and lets a model the patterns do not match through', async () => {
    const s = await scenario(h, { blocked_models: ['gpt-4o', 'claude-sonnet-*'] });

    // `gpt-4o` is exact: it does not match gpt-4o-mini.
    const { response } = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER })
      .withResponse();
    expect(response.status).toBe(200);
    const runId = response.headers.get('x-rungate-run-id')!;

    const from = h.fake.requests.length;
    const exact = await refused(s.openai.chat.completions.create({ model: 'gpt-4o', messages: USER, stream: true }));
    expect(exact.status).toBe(403);
    expect(exact.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'model_not_allowed',
        message: "Model 'gpt-4o' is blocked by this policy (blocked_models: 'gpt-4o')",
        run_id: runId,
        details: { model: 'gpt-4o', rule: 'blocked_models', pattern: 'gpt-4o' },
        context: contextOf(s, { steps: 1, cost: miniCost, tokens: 30 }),
      },
    });
    const step = await expectBlockedStep(h, runId, 'policy_blocked', 'model_not_allowed');
    expect(step.streaming).toBe(true);

    const glob = await refused(
      s.anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: USER }),
    );
    expect(glob.status).toBe(403);
    expect(glob.body.error).toMatchObject({
      code: 'model_not_allowed',
      message: "Model 'claude-sonnet-4-6' is blocked by this policy (blocked_models: 'claude-sonnet-*')",
      details: { model: 'claude-sonnet-4-6', rule: 'blocked_models', pattern: 'claude-sonnet-*' },
    });
    expect(upstreamSince(h, from)).toEqual([]);

    const haiku = await s.anthropic.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      messages: USER,
    });
    expect(haiku.content[0]).toMatchObject({ type: 'text', text: 'Hello from the fake provider.' });
  });

  it('lets blocked_models win over allowed_models', async () => {
    const s = await scenario(h, { allowed_models: ['gpt-*'], blocked_models: ['gpt-4o'] });
    const blocked = await refused(s.openai.chat.completions.create({ model: 'gpt-4o', messages: USER }));
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.details).toEqual({ model: 'gpt-4o', rule: 'blocked_models', pattern: 'gpt-4o' });
  });
});

describe('model_override', () => {
  it('forwards the override instead of the requested model, says so in headers and routed_from, and skips the model rules', async () => {
    const s = await scenario(h, {
      model_override: 'gpt-4o-mini',
      allowed_models: ['claude-*'],
      blocked_models: ['gpt-4o*'],
    });
    const from = h.fake.requests.length;

    const { data, response } = await s.openai.chat.completions
      .create({ model: 'gpt-4o', messages: USER })
      .withResponse();
    expect(data.model).toBe('gpt-4o-mini');
    const [upstream] = upstreamSince(h, from);
    expect(upstream).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
    expect(response.headers.get('x-rungate-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-rungate-model-override')).toBe('gpt-4o');
    // Priced as the model that served the call.
    expect(response.headers.get('x-rungate-cost-usd')).toBe(String(miniCost));

    const runId = response.headers.get('x-rungate-run-id')!;
    const [step] = await stepsOf(h, runId);
    expect(step).toMatchObject({
      status: 'success',
      model: 'gpt-4o-mini',
      routedFrom: 'gpt-4o',
      costUsd: '0.0000090000',
    });

    // Streaming carries the same headers before the first byte.
    const streamed = await s.openai.chat.completions
      .create({ model: 'o3', messages: USER, stream: true })
      .withResponse();
    expect(streamed.response.headers.get('x-rungate-model-override')).toBe('o3');
    expect(streamed.response.headers.get('x-rungate-model')).toBe('gpt-4o-mini');
    for await (const chunk of streamed.data) expect(chunk.model).toBe('gpt-4o-mini');
    expect(upstreamSince(h, from)[1]).toMatchObject({ body: { model: 'gpt-4o-mini', stream: true } });
    expect((await stepsOf(h, runId))[1]).toMatchObject({ model: 'gpt-4o-mini', routedFrom: 'o3', streaming: true });
  });

  it('sends no override header and no routed_from when the caller already asked for the override', async () => {
    const s = await scenario(h, { model_override: 'gpt-4o-mini' });
    const { response } = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER })
      .withResponse();
    expect(response.headers.get('x-rungate-model-override')).toBeNull();
    const [step] = await stepsOf(h, response.headers.get('x-rungate-run-id')!);
    expect(step).toMatchObject({ model: 'gpt-4o-mini', routedFrom: null });
  });
});
