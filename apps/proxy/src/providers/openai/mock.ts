import { randomUUID } from 'node:crypto';
import { DRY_RUN_TEXT } from '../dry-run.ts';
import type { JsonObject, MockOptions, MockStreamOptions } from '../types.ts';

const ZERO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

function identity(options: MockOptions) {
  return {
    id: options.id ?? `chatcmpl-dryrun-${randomUUID().replaceAll('-', '')}`,
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model,
  };
}

export function openAIMockResponse(options: MockOptions): JsonObject {
  return {
    ...identity(options),
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: DRY_RUN_TEXT, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: ZERO_USAGE,
  };
}

export function openAIMockStream(options: MockStreamOptions): string {
  const base = { ...identity(options), object: 'chat.completion.chunk' };
  // With include_usage OpenAI sends `usage: null` on every chunk but the last.
  const usageField = options.includeUsage ? { usage: null } : {};
  const choiceChunk = (delta: JsonObject, finishReason: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
  });
  const chunks: JsonObject[] = [
    choiceChunk({ role: 'assistant', content: '' }, null),
    choiceChunk({ content: DRY_RUN_TEXT }, null),
    choiceChunk({}, 'stop'),
  ];
  if (options.includeUsage) chunks.push({ ...base, choices: [], usage: ZERO_USAGE });
  return `${chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('')}data: [DONE]\n\n`;
}
