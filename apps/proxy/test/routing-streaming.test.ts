import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/calls.ts';
import type { FakeProvider } from './support/fake-provider.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { extraProvider, routingScenario, runStepsOf } from './support/routing.ts';

/** Streaming failover between two OpenAI-compatible providers on their own fakes. */
let h: ProxyHarness;
let groq: { fake: FakeProvider; keyId: string };
let together: { fake: FakeProvider; keyId: string };

beforeAll(async () => {
  h = await createProxyHarness();
  groq = await extraProvider(h, 'groq');
  together = await extraProvider(h, 'together');
});
afterAll(async () => {
  await h?.close();
  await groq?.fake.close();
  await together?.fake.close();
});

const chain = () =>
  routingScenario(
    h,
    { routing: { default_chain: ['groq', 'together'], max_retries: 1 } },
    { provider_keys: { groq: groq.keyId, together: together.keyId } },
  );

async function streamChat(client: OpenAI) {
  const { data: stream, response } = await client.chat.completions
    .create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    .withResponse();
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  return { chunks, text, headers: response.headers, runId: response.headers.get('x-rungate-run-id')! };
}

const settledSteps = (runId: string, count: number) =>
  eventually(async () => {
    const steps = await runStepsOf(h, runId);
    expect(steps).toHaveLength(count);
    return steps;
  });

describe('streaming failover', () => {
  it('fails over before the first byte: a 500 from the first provider, the stream from the second', async () => {
    const s = await chain();
    groq.fake.enqueue({ status: 500 });
    const from = together.fake.requests.length;
    const result = await streamChat(s.openai);
    expect(result.text).toBe('Hello from the fake provider.');
    expect(result.chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 10 });
    expect(result.headers.get('x-rungate-provider')).toBe('together');
    expect(together.fake.requests.length - from).toBe(1);
    const [transition, call] = await settledSteps(result.runId, 2);
    expect(transition).toMatchObject({ type: 'failover_transition', provider: 'together' });
    expect(transition!.failoverContext!.attempted).toEqual([
      {
        provider: 'groq',
        provider_key_id: groq.keyId,
        status: 500,
        error: 'Fake provider error 500',
        kind: 'http_error',
      },
    ]);
    expect(call).toMatchObject({
      type: 'llm_call',
      status: 'success',
      streaming: true,
      provider: 'together',
      providerKeyId: together.keyId,
      failoverAttempts: 1,
      inputTokens: 20,
      outputTokens: 10,
    });
  });

  it('an empty stream is empty_stream and fails over', async () => {
    const s = await chain();
    groq.fake.enqueue({ emptyStream: true });
    const result = await streamChat(s.openai);
    expect(result.text).toBe('Hello from the fake provider.');
    expect(result.headers.get('x-rungate-provider')).toBe('together');
    const [transition, call] = await settledSteps(result.runId, 2);
    expect(transition!.failoverContext!.attempted).toEqual([
      expect.objectContaining({ provider: 'groq', provider_key_id: groq.keyId, kind: 'empty_stream' }),
    ]);
    expect(call).toMatchObject({ status: 'success', provider: 'together', failoverAttempts: 1 });
  });

  it('after the first byte a drop ends the client stream cleanly: mid_stream_error, no failover', async () => {
    const s = await chain();
    groq.fake.enqueue({ dropAfterChunks: 2 });
    const from = together.fake.requests.length;
    const result = await streamChat(s.openai);
    expect(result.headers.get('x-rungate-provider')).toBe('groq');
    expect(result.chunks.length).toBeGreaterThanOrEqual(1);
    expect(result.chunks.length).toBeLessThanOrEqual(2);
    expect(together.fake.requests.length - from).toBe(0);
    const [step] = await settledSteps(result.runId, 1);
    expect(step).toMatchObject({
      type: 'llm_call',
      status: 'error',
      errorKind: 'mid_stream_error',
      provider: 'groq',
      providerKeyId: groq.keyId,
      failoverAttempts: 0,
    });
    const { data } = await h.services.runs.list(h.ctx, { had_failover: true, order: 'desc', limit: 50, offset: 0 });
    expect(data.map((run) => run.id)).not.toContain(result.runId);
  });

  it("a provider's error event after the first byte is recorded, not failed over", async () => {
    const s = await chain();
    groq.fake.enqueue({ streamError: { afterChunks: 2 } });
    const from = together.fake.requests.length;
    // The client gets the provider's error event, which the OpenAI SDK raises.
    await expect(streamChat(s.openai)).rejects.toThrow('The provider failed mid-stream');
    expect(together.fake.requests.length - from).toBe(0);
    const steps = await eventually(async () => {
      const all = await h.services.deps.db.query.steps.findMany({ where: (t, { eq }) => eq(t.agentId, s.agent.id) });
      expect(all).toHaveLength(1);
      return all;
    });
    expect(steps[0]).toMatchObject({ status: 'error', errorKind: 'mid_stream_error', failoverAttempts: 0 });
  });
});
