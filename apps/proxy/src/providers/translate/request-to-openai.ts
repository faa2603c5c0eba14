import { countField, objectField, objectsField, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';
import { toOpenAIMessages } from './messages-to-openai.ts';

export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/**
 * An Anthropic Messages request as an OpenAI Chat Completions request. Fields OpenAI has no
 * counterpart for (`top_k`, `thinking`, server tools, Rungate's control fields, ...) are left out.
 * `maxTokensField` is the output-limit field the target provider understands.
 */
export function anthropicRequestToOpenAI(body: JsonObject, maxTokensField: MaxTokensField = 'max_tokens'): JsonObject {
  const request: JsonObject = {};
  if (typeof body.model === 'string') request.model = body.model;
  request.messages = toOpenAIMessages(body.system, objectsField(body, 'messages'));
  const maxTokens = countField(body, 'max_tokens');
  if (maxTokens !== null) request[maxTokensField] = maxTokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  const stop = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s) => typeof s === 'string') : [];
  if (stop.length > 0) request.stop = stop;
  if (body.stream === true) {
    request.stream = true;
    // The Anthropic client always gets usage in its stream, so it is always asked for.
    request.stream_options = { include_usage: true };
  }
  const tools = objectsField(body, 'tools')
    .map(openAITool)
    .filter((tool) => tool !== null);
  if (tools.length > 0) {
    request.tools = tools;
    const choice = objectField(body, 'tool_choice');
    if (choice) applyToolChoice(request, choice);
  }
  const metadata = objectField(body, 'metadata');
  const user = metadata && stringField(metadata, 'user_id');
  if (user) request.user = user;
  return request;
}

/** Client tools only: server tools (web search, code execution, ...) run at Anthropic. */
function openAITool(tool: JsonObject): JsonObject | null {
  const name = stringField(tool, 'name');
  const schema = objectField(tool, 'input_schema');
  if (!name || !schema) return null;
  const description = stringField(tool, 'description');
  return { type: 'function', function: { name, ...(description !== null ? { description } : {}), parameters: schema } };
}

function applyToolChoice(request: JsonObject, choice: JsonObject): void {
  const name = stringField(choice, 'name');
  switch (stringField(choice, 'type')) {
    case 'none':
      request.tool_choice = 'none';
      return;
    case 'any':
      request.tool_choice = 'required';
      break;
    case 'tool':
      if (name) request.tool_choice = { type: 'function', function: { name } };
      break;
    case 'auto':
      request.tool_choice = 'auto';
      break;
  }
  if (choice.disable_parallel_tool_use === true) request.parallel_tool_calls = false;
}
