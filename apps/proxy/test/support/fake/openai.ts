import { created, type FakeUsage, type Json, pieces, type Reply, slices } from './reply.ts';

/** OpenAI Chat Completions bodies and stream chunks as the API sends them. */

function openAIUsage(usage: FakeUsage) {
  const prompt = usage.input + usage.cacheRead;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function openAIResponse(reply: Reply): Json {
  const toolCalls = reply.toolCall && [
    {
      id: reply.toolCallId,
      type: 'function',
      function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) },
    },
  ];
  return {
    id: reply.id,
    object: 'chat.completion',
    created: created(),
    model: reply.model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls ? null : reply.text,
          refusal: null,
          annotations: [],
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: openAIUsage(reply.usage),
  };
}

export function openAIStreamEvents(reply: Reply, includeUsage: boolean): string[] {
  const base = {
    id: reply.id,
    object: 'chat.completion.chunk',
    created: created(),
    model: reply.model,
    system_fingerprint: 'fp_fake',
  };
  const chunk = (delta: Json, finishReason: string | null = null): Json => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: Json[] = [chunk({ role: 'assistant', content: reply.toolCall ? null : '', refusal: null })];
  if (reply.toolCall) {
    const args = JSON.stringify(reply.toolCall.arguments);
    chunks.push(
      chunk({
        tool_calls: [
          { index: 0, id: reply.toolCallId, type: 'function', function: { name: reply.toolCall.name, arguments: '' } },
        ],
      }),
      ...slices(args).map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
      chunk({}, 'tool_calls'),
    );
  } else {
    chunks.push(...pieces(reply.text).map((piece) => chunk({ content: piece })), chunk({}, 'stop'));
  }
  if (includeUsage) chunks.push({ ...base, choices: [], usage: openAIUsage(reply.usage) });
  return [...chunks.map((data) => `data: ${JSON.stringify(data)}\n\n`), 'data: [DONE]\n\n'];
}

export function openAIErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_exceeded';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}
