import { type FakeUsage, type Json, pieces, type Reply, slices } from './reply.ts';

/** Anthropic Messages bodies and stream events as the API sends them. */

function anthropicUsage(usage: FakeUsage, output: number) {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheCreation,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: output,
  };
}

function anthropicContent(reply: Reply): Json[] {
  if (!reply.toolCall) return [{ type: 'text', text: reply.text }];
  return [
    { type: 'text', text: `Calling ${reply.toolCall.name}.` },
    { type: 'tool_use', id: reply.toolCallId, name: reply.toolCall.name, input: reply.toolCall.arguments },
  ];
}

export function anthropicResponse(reply: Reply): Json {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: anthropicContent(reply),
    stop_reason: reply.toolCall ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(reply.usage, reply.usage.output),
  };
}

export function anthropicStreamEvents(reply: Reply, messageDeltas: number): string[] {
  const event = (data: Json) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
  const events = [
    event({
      type: 'message_start',
      message: { ...anthropicResponse(reply), content: [], stop_reason: null, usage: anthropicUsage(reply.usage, 1) },
    }),
  ];
  for (const [index, block] of anthropicContent(reply).entries()) {
    if (block.type === 'text') {
      events.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(event({ type: 'ping' }));
      for (const piece of pieces(String(block.text))) {
        events.push(event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }));
      }
    } else {
      events.push(event({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
      for (const piece of slices(JSON.stringify(block.input))) {
        events.push(
          event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }),
        );
      }
    }
    events.push(event({ type: 'content_block_stop', index }));
  }
  // `message_delta` usage is cumulative: each one carries the running total, the last the final.
  const deltas = Math.max(1, messageDeltas);
  for (let n = 1; n <= deltas; n++) {
    const last = n === deltas;
    events.push(
      event({
        type: 'message_delta',
        delta: { stop_reason: last ? (reply.toolCall ? 'tool_use' : 'end_turn') : null, stop_sequence: null },
        usage: { output_tokens: Math.round((reply.usage.output * n) / deltas) },
      }),
    );
  }
  events.push(event({ type: 'message_stop' }));
  return events;
}

export function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    429: 'rate_limit_error',
    503: 'overloaded_error',
    529: 'overloaded_error',
  };
  return types[status] ?? 'api_error';
}
