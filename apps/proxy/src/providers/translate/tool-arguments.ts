import { isObject, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';

/**
 * OpenAI tool arguments are a JSON string; Anthropic's `input` must be an object. Arguments
 * that are not a JSON object (a truncated call, say) become an empty input rather than a
 * request the provider would reject.
 */
export function argumentsToInput(args: unknown): JsonObject {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

export function inputToArguments(input: unknown): string {
  return JSON.stringify(isObject(input) ? input : {});
}

/** Anthropic content blocks as OpenAI's assistant text and `tool_calls` (messages and responses alike). */
export function assistantBlocksToOpenAI(blocks: readonly JsonObject[]): { text: string; toolCalls: JsonObject[] } {
  const text = blocks
    .filter((block) => block.type === 'text')
    .map((block) => stringField(block, 'text') ?? '')
    .join('');
  const toolCalls = blocks
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({
      id: stringField(block, 'id') ?? '',
      type: 'function',
      function: { name: stringField(block, 'name') ?? '', arguments: inputToArguments(block.input) },
    }));
  return { text, toolCalls };
}
