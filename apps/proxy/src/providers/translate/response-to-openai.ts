import { anthropicUsage } from '../anthropic/usage.ts';
import { objectField, objectsField, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';
import { openAIFinishReason } from './stop-reasons.ts';
import { assistantBlocksToOpenAI } from './tool-arguments.ts';
import { openAIUsageBody, ZERO_USAGE } from './usage.ts';

/** An Anthropic message as an OpenAI `chat.completion`. Thinking blocks are not carried over. */
export function anthropicResponseToOpenAI(body: JsonObject, created: number): JsonObject {
  const blocks = objectsField(body, 'content');
  const { text, toolCalls } = assistantBlocksToOpenAI(blocks);
  const usage = objectField(body, 'usage');
  return {
    id: stringField(body, 'id') ?? '',
    object: 'chat.completion',
    created,
    model: stringField(body, 'model') ?? '',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI sends null content when the model only called tools.
          content: text === '' && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: openAIFinishReason(stringField(body, 'stop_reason')) ?? 'stop',
      },
    ],
    usage: openAIUsageBody(usage ? anthropicUsage(usage) : ZERO_USAGE),
  };
}
