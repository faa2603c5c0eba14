import { describe, expect, it } from 'vitest';
import { openAIAdapter } from '../src/providers/openai/index.ts';

const adapter = openAIAdapter;

describe('OpenAI request inspection', () => {
  it('reads model, stream, output cap and tool names offered and used', () => {
    const info = adapter.inspectRequest({
      model: 'gpt-4o',
      stream: true,
      max_tokens: 100,
      max_completion_tokens: 50,
      tools: [
        { type: 'function', function: { name: 'search' } },
        { type: 'function', function: { name: 'search' } },
        { type: 'function', function: { name: 'fetch_url' } },
        { type: 'custom', custom: { name: 'grammar' } },
      ],
      functions: [{ name: 'legacy_fn' }],
      messages: [
        { role: 'user', content: 'hi', tool_calls: [{ function: { name: 'not_assistant' } }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        { role: 'assistant', function_call: { name: 'old_call', arguments: '{}' } },
      ],
    });
    expect(info).toEqual({
      model: 'gpt-4o',
      stream: true,
      maxTokens: 50,
      toolsOffered: ['search', 'fetch_url', 'legacy_fn'],
      toolsUsed: ['search', 'old_call'],
    });
  });

  it('tolerates bodies that are not what the docs say', () => {
    expect(
      adapter.inspectRequest({ model: 7, stream: 'yes', max_tokens: -1, tools: 'x', messages: [null, 'x'] }),
    ).toEqual({
      model: null,
      stream: false,
      maxTokens: null,
      toolsOffered: [],
      toolsUsed: [],
    });
  });
});

describe('OpenAI request preparation', () => {
  const client = {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    'x-rungate-run-id': 'run-1',
    'x-rungate-run-policy': 'strict',
    'x-rungate-run-name': 'nightly',
    'x-rungate-run-metadata': { team: 'a' },
    'x-rungate-new-run': true,
    temperature: 0.2,
  };

  it('strips Rungate control fields and leaves the client body untouched', () => {
    const prepared = adapter.prepareRequest(client);
    expect(prepared).toEqual({
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 },
      stream: false,
      clientWantsUsage: true,
      maxTokensCapped: false,
    });
    expect(client['x-rungate-run-id']).toBe('run-1');
  });

  it('overrides the model', () => {
    expect(adapter.prepareRequest(client, { model: 'gpt-4o-mini' }).body.model).toBe('gpt-4o-mini');
  });

  it('always asks for streamed usage and remembers whether the client did', () => {
    const hidden = adapter.prepareRequest({ model: 'm', stream: true, messages: [] });
    expect(hidden.body.stream_options).toEqual({ include_usage: true });
    expect(hidden.clientWantsUsage).toBe(false);

    const kept = adapter.prepareRequest({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
      messages: [],
    });
    expect(kept.body.stream_options).toEqual({ include_usage: true, include_obfuscation: false });
    expect(kept.clientWantsUsage).toBe(true);

    const refused = adapter.prepareRequest({
      model: 'm',
      stream: true,
      stream_options: { include_usage: false },
      messages: [],
    });
    expect(refused.body.stream_options).toEqual({ include_usage: true });
    expect(refused.clientWantsUsage).toBe(false);

    expect(adapter.prepareRequest({ model: 'm', messages: [] }).body).not.toHaveProperty('stream_options');
  });

  it('caps output limits the client set, and sets one when it set none', () => {
    expect(adapter.prepareRequest({ max_tokens: 500 }, { maxTokensCap: 200 })).toMatchObject({
      body: { max_tokens: 200 },
      maxTokensCapped: true,
    });
    expect(adapter.prepareRequest({ max_completion_tokens: 100 }, { maxTokensCap: 200 })).toMatchObject({
      body: { max_completion_tokens: 100 },
      maxTokensCapped: false,
    });
    const unset = adapter.prepareRequest({ model: 'm' }, { maxTokensCap: 64 });
    expect(unset).toMatchObject({ body: { max_tokens: 64 }, maxTokensCapped: true });
    expect(adapter.prepareRequest({}, { maxTokensCap: 64, maxTokensField: 'max_completion_tokens' }).body).toEqual({
      max_completion_tokens: 64,
    });
  });
});

describe('OpenAI response usage', () => {
  it('moves cached tokens out of input into cacheRead', () => {
    const summary = adapter.summarizeResponse({
      id: 'chatcmpl-1',
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'length' }],
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 30,
        total_tokens: 1230,
        prompt_tokens_details: { cached_tokens: 1024 },
      },
    });
    expect(summary).toEqual({
      id: 'chatcmpl-1',
      model: 'gpt-4o-2024-08-06',
      stopReason: 'length',
      usage: { input: 176, output: 30, cacheRead: 1024, cacheCreation: 0 },
    });
  });

  it('reports no usage when there is none, and survives non-objects', () => {
    expect(adapter.summarizeResponse({ id: 'x', choices: [] })).toEqual({
      id: 'x',
      model: null,
      stopReason: null,
      usage: null,
    });
    expect(adapter.summarizeResponse('oops')).toEqual({ id: null, model: null, stopReason: null, usage: null });
    expect(adapter.summarizeResponse({ usage: { prompt_tokens: 5 } }).usage).toEqual({
      input: 5,
      output: 0,
      cacheRead: 0,
      cacheCreation: 0,
    });
  });
});
