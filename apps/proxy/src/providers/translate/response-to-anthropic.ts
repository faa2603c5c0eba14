import { objectField, objectsField, stringField } from '../json.ts';
import { openAIUsage } from '../openai/usage.ts';
import type { JsonObject } from '../types.ts';
import { contentTexts } from './content-parts.ts';
import { anthropicStopReason } from './stop-reasons.ts';
import { argumentsToInput } from './tool-arguments.ts';
import { anthropicUsageBody, ZERO_USAGE } from './usage.ts';

/** An OpenAI `chat.completion` (its first choice) as an Anthropic message. */
export function openAIResponseToAnthropic(body: JsonObject): JsonObject {
  const [choice] = objectsField(body, 'choices');
  const message = choice ? objectField(choice, 'message') : null;
  const content: JsonObject[] = [];
  if (message) {
    const text = [...contentTexts(message.content), ...contentTexts(message.refusal)].join('');
    if (text !== '') content.push({ type: 'text', text });
    for (const call of objectsField(message, 'tool_calls')) {
      const fn = objectField(call, 'function');
      content.push({
        type: 'tool_use',
        id: stringField(call, 'id') ?? '',
        name: (fn && stringField(fn, 'name')) ?? '',
        input: argumentsToInput(fn?.arguments),
      });
    }
  }
  const usage = objectField(body, 'usage');
  return {
    id: stringField(body, 'id') ?? '',
    type: 'message',
    role: 'assistant',
    model: stringField(body, 'model') ?? '',
    content,
    stop_reason: anthropicStopReason(choice ? stringField(choice, 'finish_reason') : null) ?? 'end_turn',
    stop_sequence: null,
    usage: anthropicUsageBody(usage ? openAIUsage(usage) : ZERO_USAGE),
  };
}
