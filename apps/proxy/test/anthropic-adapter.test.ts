import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../src/providers/anthropic/index.ts';

const adapter = anthropicAdapter;

describe('Anthropic request inspection', () => {
  it('reads model, stream, max_tokens and tool names offered and used', () => {
    const info = adapter.inspectRequest({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      tools: [
        { name: 'get_weather', input_schema: {} },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 't1', name: 'get_weather', input: {} },
            { type: 'server_tool_use', id: 's1', name: 'web_search', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny', name: 'not_a_call' }] },
        { role: 'assistant', content: 'plain text' },
      ],
    });
    expect(info).toEqual({
      model: 'claude-sonnet-4-5',
      stream: true,
      maxTokens: 1024,
      toolsOffered: ['get_weather', 'web_search'],
      toolsUsed: ['get_weather', 'web_search'],
    });
  });
});

describe('Anthropic request preparation', () => {
  it('strips Rungate control fields, overrides the model, adds nothing for streams', () => {
    const client = {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      stream: true,
      messages: [],
      'x-rungate-new-run': 'true',
      'x-rungate-run-name': 'n',
    };
    expect(adapter.prepareRequest(client, { model: 'claude-3-5-haiku-latest' })).toEqual({
      body: { model: 'claude-3-5-haiku-latest', max_tokens: 10, stream: true, messages: [] },
      stream: true,
      clientWantsUsage: true,
      maxTokensCapped: false,
    });
    expect(client).toHaveProperty('x-rungate-new-run');
  });

  it('caps max_tokens, and sets it when missing', () => {
    expect(adapter.prepareRequest({ max_tokens: 4096 }, { maxTokensCap: 300 })).toMatchObject({
      body: { max_tokens: 300 },
      maxTokensCapped: true,
    });
    expect(adapter.prepareRequest({ max_tokens: 100 }, { maxTokensCap: 300 })).toMatchObject({
      body: { max_tokens: 100 },
      maxTokensCapped: false,
    });
    expect(adapter.prepareRequest({}, { maxTokensCap: 300 })).toMatchObject({
      body: { max_tokens: 300 },
      maxTokensCapped: true,
    });
  });
});

describe('Anthropic response usage', () => {
  it('keeps the four buckets as Anthropic reports them', () => {
    expect(
      adapter.summarizeResponse({
        id: 'msg_1',
        type: 'message',
        model: 'claude-sonnet-4-5-20250929',
        stop_reason: 'tool_use',
        usage: { input_tokens: 12, output_tokens: 40, cache_read_input_tokens: 2048, cache_creation_input_tokens: 512 },
      }),
    ).toEqual({
      id: 'msg_1',
      model: 'claude-sonnet-4-5-20250929',
      stopReason: 'tool_use',
      usage: { input: 12, output: 40, cacheRead: 2048, cacheCreation: 512 },
    });
  });

  it('treats missing or null cache fields as zero', () => {
    expect(
      adapter.summarizeResponse({ usage: { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: null } }).usage,
    ).toEqual({
      input: 3,
      output: 4,
      cacheRead: 0,
      cacheCreation: 0,
    });
  });
});
