import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRY_RUN_TEXT } from '../src/providers/dry-run.ts';
import { eventually } from './support/calls.ts';
import { expectBlockedStep, refused, runOf, scenario, stepsOf, USER, upstreamSince } from './support/governance.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;

beforeAll(async () => {
  h = await createProxyHarness();
});
afterAll(() => h?.close());

describe('dry_run', () => {
  it('answers a well-formed zero-cost mock in the OpenAI format, streaming and not, and forwards nothing', async () => {
    const s = await scenario(h, { dry_run: true, budget: { hard_limit_usd: 1 } });
    const from = h.fake.requests.length;

    const { data, response } = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 100 })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: DRY_RUN_TEXT }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    expect(response.headers.get('x-rungate-dry-run')).toBe('true');
    expect(response.headers.get('x-rungate-cost-usd')).toBe('0');
    expect(response.headers.get('x-rungate-tokens-used')).toBe('0');
    expect(response.headers.get('x-rungate-budget-remaining-usd')).toBe('1');
    const runId = response.headers.get('x-rungate-run-id')!;
    expect(response.headers.get('x-rungate-step-id')).toBeTruthy();

    const stream = await s.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: USER,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(DRY_RUN_TEXT);
    expect(usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });

    expect(upstreamSince(h, from)).toEqual([]);
    const recorded = await stepsOf(h, runId);
    expect(recorded).toHaveLength(2);
    for (const step of recorded) {
      expect(step).toMatchObject({
        type: 'dry_run',
        status: 'success',
        costUsd: '0.0000000000',
        inputTokens: 0,
        outputTokens: 0,
        providerKeyId: null,
      });
    }
    expect(recorded.map((step) => step.streaming)).toEqual([false, true]);
    expect(await runOf(h, runId)).toMatchObject({ totalCostUsd: '0.0000000000', totalTokens: 0, stepCount: 2 });
  });

  it('answers a well-formed mock in the Anthropic format, streaming and not', async () => {
    const s = await scenario(h, { dry_run: true });
    const from = h.fake.requests.length;

    const { data: message, response } = await s.anthropic.messages
      .create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: USER })
      .withResponse();
    expect(response.headers.get('x-rungate-cost-usd')).toBe('0');
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-latest',
      content: [{ type: 'text', text: DRY_RUN_TEXT }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 0, output_tokens: 0 },
    });

    const streamed = s.anthropic.messages.stream({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: USER });
    const final = await streamed.finalMessage();
    expect(final.content).toMatchObject([{ type: 'text', text: DRY_RUN_TEXT }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(0);

    expect(upstreamSince(h, from)).toEqual([]);
    const steps = await stepsOf(h, response.headers.get('x-rungate-run-id')!);
    expect(steps.map((step) => [step.type, step.status, step.costUsd, step.streaming])).toEqual([
      ['dry_run', 'success', '0.0000000000', false],
      ['dry_run', 'success', '0.0000000000', true],
    ]);
  });

  it('still runs every check: a blocked model is refused as usual', async () => {
    const s = await scenario(h, { dry_run: true, blocked_models: ['gpt-4o'] });
    const blocked = await refused(s.openai.chat.completions.create({ model: 'gpt-4o', messages: USER }));
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toMatchObject({ type: 'governance_block', code: 'model_not_allowed' });
    await expectBlockedStep(h, blocked.body.error.run_id as string, 'policy_blocked', 'model_not_allowed');
  });
});

describe('content_logging', () => {
  const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'secret plans' }] };

  it('enabled: stores the provider body (controls stripped) and the response in the step', async () => {
    const s = await scenario(h, { content_logging: 'enabled' });
    const from = h.fake.requests.length;
    const { data, response } = await s.openai.chat.completions
      .create({ ...params, 'x-rungate-run-name': 'logged' } as typeof params)
      .withResponse();
    const [upstream] = upstreamSince(h, from);
    expect(upstream!.body).not.toHaveProperty('x-rungate-run-name');
    const [step] = await stepsOf(h, response.headers.get('x-rungate-run-id')!);
    expect(step!.request).toEqual(params);
    expect(step!.response).toMatchObject({
      id: data.id,
      choices: [{ message: { content: 'Hello from the fake provider.' } }],
    });
    expect((await runOf(h, step!.runId)).name).toBe('logged');
  });

  it('disabled: stores {"redacted": true} for request and response, on success and on a block', async () => {
    const s = await scenario(h, { content_logging: 'disabled', blocked_models: ['gpt-4o'] });
    const { response } = await s.openai.chat.completions.create(params).withResponse();
    const runId = response.headers.get('x-rungate-run-id')!;
    const [step] = await stepsOf(h, runId);
    expect(step).toMatchObject({
      status: 'success',
      request: { redacted: true },
      response: { redacted: true },
      costUsd: '0.0000090000',
    });

    await refused(s.openai.chat.completions.create({ ...params, model: 'gpt-4o' }));
    const blocked = await expectBlockedStep(h, runId, 'policy_blocked', 'model_not_allowed');
    expect(blocked.request).toEqual({ redacted: true });

    const stream = await s.anthropic.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 50,
      messages: params.messages,
      stream: true,
    });
    for await (const _ of stream) void _;
    // The SDK may finish reading at the stream's last event, before the proxy has settled it.
    const streamed = await eventually(async () => {
      const steps = await stepsOf(h, runId);
      expect(steps).toHaveLength(3);
      return steps.at(-1)!;
    });
    expect(streamed).toMatchObject({
      status: 'success',
      streaming: true,
      request: { redacted: true },
      response: { redacted: true },
    });
    expect(JSON.stringify(await stepsOf(h, runId))).not.toContain('secret plans');
  });

  it('default: follows the deployment setting (on in the harness)', async () => {
    const s = await scenario(h);
    const { response } = await s.openai.chat.completions.create(params).withResponse();
    const [step] = await stepsOf(h, response.headers.get('x-rungate-run-id')!);
    expect(step!.request).toEqual(params);
  });
});
