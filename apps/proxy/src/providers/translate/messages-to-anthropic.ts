import { isObject, objectField, objectsField, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';
import { anthropicBlockFromPart, contentTexts } from './content-parts.ts';
import { argumentsToInput } from './tool-arguments.ts';

interface Turn {
  role: 'user' | 'assistant';
  blocks: JsonObject[];
}

/**
 * OpenAI messages as Anthropic's `system` and `messages`. System and developer messages (from
 * anywhere in the conversation) become `system`; tool messages become `tool_result` blocks of a
 * user turn; consecutive turns of one role are merged, since tool results and the user text
 * after them must share one turn.
 */
export function toAnthropicMessages(messages: JsonObject[]): {
  system: string | JsonObject[] | null;
  messages: JsonObject[];
} {
  const system: string[] = [];
  const turns: Turn[] = [];
  const add = (role: Turn['role'], blocks: JsonObject[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };
  for (const message of messages) {
    switch (stringField(message, 'role')) {
      case 'system':
      case 'developer':
        system.push(...contentTexts(message.content).filter((text) => text !== ''));
        break;
      case 'user':
        add('user', userBlocks(message.content));
        break;
      case 'assistant':
        add('assistant', [...textBlocks(message.content), ...textBlocks(message.refusal), ...toolUseBlocks(message)]);
        break;
      case 'tool':
        add('user', [toolResultBlock(message)]);
        break;
    }
  }
  return {
    system:
      system.length === 0
        ? null
        : system.length === 1
          ? (system[0] as string)
          : system.map((text) => ({ type: 'text', text })),
    messages: turns.map(({ role, blocks }) => ({ role, content: simplify(blocks) })),
  };
}

/** A lone text block is sent as plain string content, the way clients usually write it. */
function simplify(blocks: JsonObject[]): string | JsonObject[] {
  const [only] = blocks;
  return blocks.length === 1 && only?.type === 'text' ? (only.text as string) : blocks;
}

/** Anthropic rejects empty text blocks, so empty texts are left out. */
function textBlocks(content: unknown): JsonObject[] {
  return contentTexts(content)
    .filter((text) => text !== '')
    .map((text) => ({ type: 'text', text }));
}

function userBlocks(content: unknown): JsonObject[] {
  if (!Array.isArray(content)) return textBlocks(content);
  return content
    .filter(isObject)
    .map(anthropicBlockFromPart)
    .filter((block) => block !== null);
}

function toolUseBlocks(message: JsonObject): JsonObject[] {
  return objectsField(message, 'tool_calls').map((call) => {
    const fn = objectField(call, 'function');
    return {
      type: 'tool_use',
      id: stringField(call, 'id') ?? '',
      name: (fn && stringField(fn, 'name')) ?? '',
      input: argumentsToInput(fn?.arguments),
    };
  });
}

function toolResultBlock(message: JsonObject): JsonObject {
  return {
    type: 'tool_result',
    tool_use_id: stringField(message, 'tool_call_id') ?? '',
    content: contentTexts(message.content).join('\n'),
  };
}
