import { isObject, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';
import { contentTexts, openAIPartFromBlock } from './content-parts.ts';
import { assistantBlocksToOpenAI } from './tool-arguments.ts';

/**
 * Anthropic's `system` and `messages` as OpenAI messages. A user turn's `tool_result` blocks
 * become `tool` messages placed before the rest of that turn, since OpenAI wants them right after
 * the assistant message that made the calls. Thinking blocks are not carried over.
 */
export function toOpenAIMessages(system: unknown, messages: JsonObject[]): JsonObject[] {
  const out: JsonObject[] = [];
  const systemText = contentTexts(system).join('\n');
  if (systemText !== '') out.push({ role: 'system', content: systemText });
  for (const message of messages) {
    const role = stringField(message, 'role');
    if (role === 'user') out.push(...userMessages(message.content));
    else if (role === 'assistant') {
      const assistant = assistantMessage(message.content);
      if (assistant) out.push(assistant);
    }
  }
  return out;
}

function blocksOf(content: unknown): JsonObject[] {
  return typeof content === 'string'
    ? [{ type: 'text', text: content }]
    : Array.isArray(content)
      ? content.filter(isObject)
      : [];
}

function userMessages(content: unknown): JsonObject[] {
  const toolMessages: JsonObject[] = [];
  const parts: JsonObject[] = [];
  for (const block of blocksOf(content)) {
    if (stringField(block, 'type') === 'tool_result') {
      toolMessages.push({
        role: 'tool',
        tool_call_id: stringField(block, 'tool_use_id') ?? '',
        content: contentTexts(block.content).join('\n'),
      });
      continue;
    }
    const part = openAIPartFromBlock(block);
    if (part) parts.push(part);
  }
  if (parts.length === 0) return toolMessages;
  const [only] = parts;
  const userContent = parts.length === 1 && only?.type === 'text' ? only.text : parts;
  return [...toolMessages, { role: 'user', content: userContent }];
}

function assistantMessage(content: unknown): JsonObject | null {
  const blocks = blocksOf(content);
  const { text, toolCalls } = assistantBlocksToOpenAI(blocks);
  if (text === '' && toolCalls.length === 0) return null;
  return {
    role: 'assistant',
    content: text === '' ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}
