import { splitControlFields } from '../control-fields.ts';
import { countField, objectsField, stringField, uniqueNames } from '../json.ts';
import type { JsonObject, PreparedRequest, PrepareOptions, RequestInfo } from '../types.ts';

/** Content blocks through which the assistant calls a tool (client-side or server-side). */
const TOOL_CALL_BLOCKS: ReadonlySet<string> = new Set(['tool_use', 'server_tool_use']);

export function inspectAnthropicRequest(body: JsonObject): RequestInfo {
  const used: (string | null)[] = [];
  for (const message of objectsField(body, 'messages')) {
    if (stringField(message, 'role') !== 'assistant') continue;
    for (const block of objectsField(message, 'content')) {
      if (TOOL_CALL_BLOCKS.has(stringField(block, 'type') ?? '')) used.push(stringField(block, 'name'));
    }
  }
  return {
    model: stringField(body, 'model'),
    stream: body.stream === true,
    maxTokens: countField(body, 'max_tokens'),
    toolsOffered: uniqueNames(objectsField(body, 'tools').map((tool) => stringField(tool, 'name'))),
    toolsUsed: uniqueNames(used),
  };
}

export function prepareAnthropicRequest(client: JsonObject, options: PrepareOptions = {}): PreparedRequest {
  const { rest: body } = splitControlFields(client);
  if (options.model !== undefined) body.model = options.model;
  let maxTokensCapped = false;
  if (options.maxTokensCap !== undefined) {
    const requested = countField(body, 'max_tokens');
    if (requested === null || requested > options.maxTokensCap) {
      body.max_tokens = options.maxTokensCap;
      maxTokensCapped = true;
    }
  }
  // Anthropic streams always carry usage, so nothing is added and nothing needs hiding.
  return { body, stream: body.stream === true, clientWantsUsage: true, maxTokensCapped };
}
