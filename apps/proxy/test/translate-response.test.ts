import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../src/providers/anthropic/index.ts';
import { openAIAdapter } from '../src/providers/openai/index.ts';
import { translatorFor } from '../src/providers/translate/index.ts';

const toOpenAI = translatorFor('openai', 'anthropic', { now: () => 1_700_000_000 });
const toAnthropic = translatorFor('anthropic', 'openai');

const anthropicUsage = {
  input_tokens: 20,
  output_tokens: 10,
  cache_read_input_tokens: 50,
  cache_creation_input_tokens: 5,
};

describe('Anthropic response -> OpenAI response', () => {
  it('translates text, id, model, stop reason and usage with cached tokens counted in prompt_tokens', () => {
    const anthropic = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Hello ' },
        { type: 'text', text: 'there.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: anthropicUsage,
    };
    const openai = toOpenAI.response(anthropic);
    expect(openai).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello there.', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 75,
        completion_tokens: 10,
        total_tokens: 85,
        prompt_tokens_details: { cached_tokens: 50 },
      },
    });
    // Every token is still counted once: the cache writes land in OpenAI's uncached input.
    const before = anthropicAdapter.summarizeResponse(anthropic).usage;
    const after = openAIAdapter.summarizeResponse(openai).usage;
    expect(after).toEqual({ input: 25, output: 10, cacheRead: 50, cacheCreation: 0 });
    const total = (u: typeof before) => (u ? u.input + u.output + u.cacheRead + u.cacheCreation : 0);
    expect(total(after)).toBe(total(before));
  });

  it('turns tool_use blocks into tool calls with JSON string arguments', () => {
    const openai = toOpenAI.response({
      id: 'msg_2',
      model: 'claude',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1, output_tokens: 2 },
    });
    expect(openai.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('maps every stop reason', () => {
    const finish = (stop_reason: string) => {
      const [choice] = toOpenAI.response({ content: [], stop_reason }).choices as { finish_reason: string }[];
      return choice?.finish_reason;
    };
    expect(finish('end_turn')).toBe('stop');
    expect(finish('stop_sequence')).toBe('stop');
    expect(finish('max_tokens')).toBe('length');
    expect(finish('tool_use')).toBe('tool_calls');
    expect(finish('refusal')).toBe('content_filter');
    expect(finish('pause_turn')).toBe('stop');
  });

  it('translates error bodies', () => {
    expect(toOpenAI.errorBody({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })).toEqual({
      error: { message: 'bad', type: 'invalid_request_error', param: null, code: null },
    });
  });
});

describe('OpenAI response -> Anthropic response', () => {
  it('translates text, id, model, stop reason and usage with cached tokens taken out of input_tokens', () => {
    const openai = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello.', refusal: null },
          logprobs: null,
          finish_reason: 'length',
        },
      ],
      usage: {
        prompt_tokens: 80,
        completion_tokens: 7,
        total_tokens: 87,
        prompt_tokens_details: { cached_tokens: 50 },
      },
    };
    const anthropic = toAnthropic.response(openai);
    expect(anthropic).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 7, cache_read_input_tokens: 50, cache_creation_input_tokens: 0 },
    });
    expect(anthropicAdapter.summarizeResponse(anthropic).usage).toEqual(openAIAdapter.summarizeResponse(openai).usage);
  });

  it('turns tool calls into tool_use blocks with object inputs', () => {
    const anthropic = toAnthropic.response({
      id: 'chatcmpl-2',
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(anthropic).toMatchObject({
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
  });

  it('maps every finish reason and carries a refusal as text', () => {
    const stop = (finish_reason: string) =>
      toAnthropic.response({ choices: [{ message: { content: 'x' }, finish_reason }] }).stop_reason;
    expect(stop('stop')).toBe('end_turn');
    expect(stop('length')).toBe('max_tokens');
    expect(stop('tool_calls')).toBe('tool_use');
    expect(stop('function_call')).toBe('tool_use');
    expect(stop('content_filter')).toBe('refusal');
    const refusal = toAnthropic.response({
      choices: [{ message: { content: null, refusal: 'I cannot.' }, finish_reason: 'stop' }],
    });
    expect(refusal.content).toEqual([{ type: 'text', text: 'I cannot.' }]);
  });

  it('translates error bodies', () => {
    expect(
      toAnthropic.errorBody({ error: { message: 'slow down', type: 'rate_limit_exceeded', param: null, code: null } }),
    ).toEqual({
      type: 'error',
      error: { type: 'rate_limit_exceeded', message: 'slow down' },
    });
    expect(toAnthropic.errorBody({})).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'The provider returned an error' },
    });
  });
});
