import { randomUUID } from 'node:crypto';
import { DRY_RUN_TEXT } from '../dry-run.ts';
import type { JsonObject, MockOptions } from '../types.ts';

const ZERO_USAGE = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function message(options: MockOptions, content: JsonObject[], stopReason: string | null): JsonObject {
  return {
    id: options.id ?? `msg_dryrun_${randomUUID().replaceAll('-', '')}`,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: ZERO_USAGE,
  };
}

export function anthropicMockResponse(options: MockOptions): JsonObject {
  return message(options, [{ type: 'text', text: DRY_RUN_TEXT }], 'end_turn');
}

export function anthropicMockStream(options: MockOptions): string {
  const events: [string, JsonObject][] = [
    ['message_start', { type: 'message_start', message: message(options, [], null) }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: DRY_RUN_TEXT } },
    ],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}
