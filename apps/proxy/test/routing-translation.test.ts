import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatBody, eventually, messagesBody } from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { routingScenario, runStepsOf } from './support/routing.ts';

let h: ProxyHarness;
beforeAll(async () => {
  h = await createProxyHarness();
});
afterAll(() => h?.close());

const TOOL_OPENAI: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'lookup',
    description: 'Look something up',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
};
const TOOL_ANTHROPIC: Anthropic.Tool = {
  name: 'lookup',
  description: 'Look something up',
  input_schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
};

/** OpenAI-format calls on `openai` first, mapped to Anthropic's model when they fail over. */
const openaiFirst = (h: ProxyHarness) =>
  routingScenario(h, {
    routing: { default_chain: ['openai', 'anthropic'], max_retries: 1 },
    model_mapping: { 'gpt-4o-mini': { anthropic: 'claude-3-5-haiku-latest' } },
  });
const anthropicFirst = (h: ProxyHarness) =>
  routingScenario(h, {
    routing: { default_chain: ['anthropic', 'openai'], max_retries: 1 },
    model_mapping: { 'claude-3-5-haiku-latest': { openai: 'gpt-4o-mini' } },
  });

/** The failover records of a run: the transition step, then the answering call. */
async function expectFailover(
  runId: string,
  from: { provider: string; keyId: string },
  to: { provider: string; model: string; keyId: string },
  original: string,
) {
  const steps = await eventually(async () => {
    const all = await runStepsOf(h, runId);
    expect(all).toHaveLength(2);
    return all;
  });
  const [transition, call] = steps;
  expect(transition).toMatchObject({
    type: 'failover_transition',
    provider: to.provider,
    model: to.model,
    failoverAttempts: 1,
    costUsd: '0.0000000000',
  });
  expect(transition!.failoverContext).toEqual({
    attempted: [
      {
        provider: from.provider,
        provider_key_id: from.keyId,
        status: 500,
        error: 'Fake provider error 500',
        kind: 'http_error',
      },
    ],
    resolved_provider: to.provider,
    resolved_model: to.model,
    original_model: original,
  });
  expect(call).toMatchObject({
    type: 'llm_call',
    status: 'success',
    provider: to.provider,
    model: to.model,
    providerKeyId: to.keyId,
    failoverAttempts: 1,
    routedFrom: original,
  });
  const { data } = await h.services.runs.list(h.ctx, { had_failover: true, order: 'desc', limit: 50, offset: 0 });
  expect(data.map((run) => run.id)).toContain(runId);
  return { transition: transition!, call: call! };
}

describe('cross-format failover: OpenAI client, Anthropic provider', () => {
  it('non-streaming with tools: the SDK sees a normal OpenAI answer', async () => {
    const s = await openaiFirst(h);
    const from = h.fake.requests.length;
    h.fake.enqueue({ status: 500 });
    const { data, response } = await s.openai.chat.completions
      .create(chatBody({ tools: [TOOL_OPENAI], max_tokens: 200 }))
      .withResponse();
    expect(response.headers.get('x-rungate-provider')).toBe('anthropic');
    expect(response.headers.get('x-rungate-model')).toBe('claude-3-5-haiku-latest');
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.finish_reason).toBe('tool_calls');
    const call = data.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('lookup');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'rungate' });
    expect(data.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });

    const upstream = h.fake.requests.slice(from);
    expect(upstream.map((r) => r.format)).toEqual(['openai', 'anthropic']);
    expect(upstream[1]!.body).toMatchObject({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 200,
      messages: [{ role: 'user' }],
      tools: [{ name: 'lookup', input_schema: TOOL_ANTHROPIC.input_schema }],
    });
    await expectFailover(
      response.headers.get('x-rungate-run-id')!,
      { provider: 'openai', keyId: h.providerKeys.openai },
      { provider: 'anthropic', model: 'claude-3-5-haiku-latest', keyId: h.providerKeys.anthropic },
      'gpt-4o-mini',
    );
  });

  it('the tool result goes back translated on the next turn', async () => {
    const s = await openaiFirst(h);
    const from = h.fake.requests.length;
    h.fake.enqueue({ status: 500 });
    const data = await s.openai.chat.completions.create(
      chatBody({
        tools: [TOOL_OPENAI],
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Find rungate' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"query":"rungate"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'found it' },
        ],
      }),
    );
    expect(data.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Hello from the fake provider.' },
    });
    const sent = h.fake.requests.slice(from)[1]!.body as Record<string, any>;
    expect(sent.system).toEqual(expect.anything());
    expect(JSON.stringify(sent.system)).toContain('Be brief.');
    expect(sent.messages.at(-2)).toMatchObject({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'call_1', name: 'lookup', input: { query: 'rungate' } }],
    });
    expect(sent.messages.at(-1)).toMatchObject({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'call_1' }],
    });
  });

  it('streaming with tools: OpenAI chunks from an Anthropic stream', async () => {
    const s = await openaiFirst(h);
    h.fake.enqueue({ status: 500 });
    const { data: stream, response } = await s.openai.chat.completions
      .create({ ...chatBody({ tools: [TOOL_OPENAI] }), stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(response.headers.get('x-rungate-provider')).toBe('anthropic');
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const deltas = chunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(deltas[0]!.function!.name).toBe('lookup');
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual({ query: 'rungate' });
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual([
      'tool_calls',
    ]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 10 });
    const { call } = await expectFailover(
      response.headers.get('x-rungate-run-id')!,
      { provider: 'openai', keyId: h.providerKeys.openai },
      { provider: 'anthropic', model: 'claude-3-5-haiku-latest', keyId: h.providerKeys.anthropic },
      'gpt-4o-mini',
    );
    expect(call).toMatchObject({ streaming: true, inputTokens: 20, outputTokens: 10 });
  });
});

describe('cross-format failover: Anthropic client, OpenAI provider', () => {
  it('non-streaming with tools: the SDK sees a normal Anthropic message', async () => {
    const s = await anthropicFirst(h);
    const from = h.fake.requests.length;
    h.fake.enqueue({ status: 500 });
    const { data, response } = await s.anthropic.messages
      .create(messagesBody({ tools: [TOOL_ANTHROPIC], system: 'Be brief.' }))
      .withResponse();
    expect(response.headers.get('x-rungate-provider')).toBe('openai');
    expect(response.headers.get('x-rungate-model')).toBe('gpt-4o-mini');
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      stop_reason: 'tool_use',
      usage: { input_tokens: 20, output_tokens: 10 },
    });
    expect(data.content.find((b) => b.type === 'tool_use')).toMatchObject({
      type: 'tool_use',
      name: 'lookup',
      input: { query: 'rungate' },
    });
    const upstream = h.fake.requests.slice(from);
    expect(upstream.map((r) => r.format)).toEqual(['anthropic', 'openai']);
    expect(upstream[1]!.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: TOOL_ANTHROPIC.input_schema } }],
    });
    await expectFailover(
      response.headers.get('x-rungate-run-id')!,
      { provider: 'anthropic', keyId: h.providerKeys.anthropic },
      { provider: 'openai', model: 'gpt-4o-mini', keyId: h.providerKeys.openai },
      'claude-3-5-haiku-latest',
    );
  });

  it('streaming with tools: Anthropic events from an OpenAI stream', async () => {
    const s = await anthropicFirst(h);
    h.fake.enqueue({ status: 500 });
    const stream = s.anthropic.messages.stream(messagesBody({ tools: [TOOL_ANTHROPIC] }));
    const final = await stream.finalMessage();
    expect(final).toMatchObject({
      role: 'assistant',
      stop_reason: 'tool_use',
      usage: { input_tokens: 20, output_tokens: 10 },
    });
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({
      name: 'lookup',
      input: { query: 'rungate' },
    });
    const { response } = await stream.withResponse();
    expect(response.headers.get('x-rungate-provider')).toBe('openai');
    await expectFailover(
      response.headers.get('x-rungate-run-id')!,
      { provider: 'anthropic', keyId: h.providerKeys.anthropic },
      { provider: 'openai', model: 'gpt-4o-mini', keyId: h.providerKeys.openai },
      'claude-3-5-haiku-latest',
    );
  });

  it('text streaming round trip', async () => {
    const s = await anthropicFirst(h);
    h.fake.enqueue({ status: 500 });
    const text = await s.anthropic.messages.stream(messagesBody()).finalText();
    expect(text).toBe('Hello from the fake provider.');
  });
});
