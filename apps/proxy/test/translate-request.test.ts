import { describe, expect, it } from 'vitest';
import { DEFAULT_ANTHROPIC_MAX_TOKENS, translatorFor } from '../src/providers/translate/index.ts';

const toAnthropic = translatorFor('openai', 'anthropic');
const toOpenAI = translatorFor('anthropic', 'openai');
const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('OpenAI request -> Anthropic request', () => {
  it('moves system and developer messages to `system` and keeps the rest of the conversation', () => {
    expect(
      toAnthropic.request({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hi', name: 'ann' },
          { role: 'assistant', content: 'Bonjour.' },
          { role: 'user', content: 'Ça va ?' },
        ],
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour.' },
        { role: 'user', content: 'Ça va ?' },
      ],
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
    });
  });

  it('sends a single system message as a string', () => {
    const body = toAnthropic.request({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(body.system).toBe('Be brief.');
  });

  it('translates text and image parts (data URLs to base64 sources, others to URL sources) and a PDF file', () => {
    const body = toAnthropic.request({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        ],
      },
    ]);
  });

  it('turns tool calls into tool_use blocks and merges consecutive tool results and user text into one user turn', () => {
    const body = toAnthropic.request({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: 'not json' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'Rainy' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'Rainy' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('leaves out empty assistant text next to tool calls', () => {
    const body = toAnthropic.request({
      model: 'm',
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c', name: 'f', input: {} }] },
    ]);
  });

  it('translates function tools (dropping custom ones) and every tool_choice', () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather', parameters: weather, strict: true },
      },
      { type: 'function', function: { name: 'now' } },
      { type: 'custom', custom: { name: 'free_form' } },
    ];
    const request = (extra: Record<string, unknown>) =>
      toAnthropic.request({ model: 'm', messages: [], tools, ...extra });
    expect(request({}).tools).toEqual([
      { name: 'get_weather', description: 'Weather', input_schema: weather },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(request({}).tool_choice).toBeUndefined();
    expect(request({ tool_choice: 'auto' }).tool_choice).toEqual({ type: 'auto' });
    expect(request({ tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(request({ tool_choice: 'required' }).tool_choice).toEqual({ type: 'any' });
    expect(request({ tool_choice: { type: 'function', function: { name: 'now' } } }).tool_choice).toEqual({
      type: 'tool',
      name: 'now',
    });
    expect(request({ parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(request({ tool_choice: 'required', parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
    expect(toAnthropic.request({ model: 'm', messages: [], tool_choice: 'auto' })).not.toHaveProperty('tool_choice');
  });

  it('maps sampling, limits, stop, stream and user, and drops what Anthropic does not take', () => {
    const body = toAnthropic.request({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 50,
      max_completion_tokens: 100,
      temperature: 1.6,
      top_p: 0.9,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
      user: 'user-42',
      n: 1,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { 1: 2 },
      response_format: { type: 'json_object' },
      'x-rungate-run-id': 'run_1',
    });
    expect(body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 100,
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'user-42' },
    });
    expect(toAnthropic.request({ model: 'm', messages: [], max_tokens: 30, stop: ['a', 'b'] })).toMatchObject({
      max_tokens: 30,
      stop_sequences: ['a', 'b'],
    });
  });
});

describe('Anthropic request -> OpenAI request', () => {
  it('turns `system` (string or blocks) into a system message and keeps the conversation', () => {
    expect(
      toOpenAI.request({
        model: 'gpt-4o',
        max_tokens: 200,
        system: [
          { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Answer in French.' },
        ],
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 's' },
              { type: 'text', text: 'Bonjour.' },
            ],
          },
        ],
      }),
    ).toEqual({
      model: 'gpt-4o',
      max_tokens: 200,
      messages: [
        { role: 'system', content: 'Be brief.\nAnswer in French.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour.' },
      ],
    });
    expect(toOpenAI.request({ model: 'm', system: 'Be brief.', messages: [] }).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
    ]);
  });

  it('turns tool_use into tool_calls and tool_result blocks into tool messages before the rest of the turn', () => {
    const body = toOpenAI.request({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'now', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: '12:00', is_error: false }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' },
      { role: 'user', content: 'And tomorrow?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_2', content: '12:00' },
    ]);
  });

  it('translates images (base64 to data URLs, URL sources as URLs) and base64 PDFs', () => {
    const body = toOpenAI.request({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            {
              type: 'document',
              source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              title: 'a.pdf',
            },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        ],
      },
    ]);
  });

  it('translates client tools (dropping server tools) and every tool_choice', () => {
    const tools = [
      { name: 'get_weather', description: 'Weather', input_schema: weather },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
    ];
    const request = (extra: Record<string, unknown>) => toOpenAI.request({ model: 'm', messages: [], tools, ...extra });
    expect(request({}).tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: weather } },
    ]);
    expect(request({ tool_choice: { type: 'auto' } }).tool_choice).toBe('auto');
    expect(request({ tool_choice: { type: 'none' } }).tool_choice).toBe('none');
    expect(request({ tool_choice: { type: 'any' } }).tool_choice).toBe('required');
    expect(request({ tool_choice: { type: 'tool', name: 'get_weather' } }).tool_choice).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
    expect(request({ tool_choice: { type: 'auto', disable_parallel_tool_use: true } })).toMatchObject({
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
    expect(toOpenAI.request({ model: 'm', messages: [], tool_choice: { type: 'any' } })).not.toHaveProperty(
      'tool_choice',
    );
  });

  it('maps limits, sampling, stop sequences, stream (always asking for usage) and metadata, dropping the rest', () => {
    expect(
      toOpenAI.request({
        model: 'm',
        messages: [],
        max_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['END'],
        stream: true,
        metadata: { user_id: 'user-42' },
        thinking: { type: 'enabled', budget_tokens: 1024 },
      }),
    ).toEqual({
      model: 'm',
      messages: [],
      max_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      stream: true,
      stream_options: { include_usage: true },
      user: 'user-42',
    });
  });

  it('uses the output-limit field the provider understands', () => {
    const openai = translatorFor('anthropic', 'openai', { maxTokensField: 'max_completion_tokens' });
    expect(openai.request({ model: 'm', messages: [], max_tokens: 100 })).toEqual({
      model: 'm',
      messages: [],
      max_completion_tokens: 100,
    });
  });
});

describe('translatorFor', () => {
  it('is the identity between equal formats', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'Hi' }], seed: 1 };
    for (const format of ['openai', 'anthropic'] as const) {
      const translator = translatorFor(format, format);
      expect(translator.translates).toBe(false);
      expect(translator.request(body)).toBe(body);
      expect(translator.response(body)).toBe(body);
      expect(translator.errorBody(body)).toBe(body);
    }
    expect(toAnthropic.translates).toBe(true);
  });
});
