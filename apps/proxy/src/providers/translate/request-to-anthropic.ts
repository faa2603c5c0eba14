import { countField, isObject, objectField, objectsField, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';
import { toAnthropicMessages } from './messages-to-anthropic.ts';

/** Anthropic requires an output limit; this one applies when the OpenAI client set none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/**
 * An OpenAI Chat Completions request as an Anthropic Messages request. Fields Anthropic has no
 * counterpart for (`n`, penalties, `logit_bias`, `logprobs`, `response_format`, `seed`, legacy
 * `functions`, Rungate's control fields, ...) are left out rather than sent to be rejected.
 */
export function openAIRequestToAnthropic(body: JsonObject): JsonObject {
  const { system, messages } = toAnthropicMessages(objectsField(body, 'messages'));
  const request: JsonObject = {};
  if (typeof body.model === 'string') request.model = body.model;
  if (system !== null) request.system = system;
  request.messages = messages;
  request.max_tokens =
    countField(body, 'max_completion_tokens') ?? countField(body, 'max_tokens') ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  // OpenAI's temperature goes up to 2, Anthropic's to 1.
  if (typeof body.temperature === 'number') request.temperature = Math.min(1, Math.max(0, body.temperature));
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  const stop =
    typeof body.stop === 'string'
      ? [body.stop]
      : Array.isArray(body.stop)
        ? body.stop.filter((s) => typeof s === 'string')
        : [];
  if (stop.length > 0) request.stop_sequences = stop;
  if (body.stream === true) request.stream = true;
  const tools = objectsField(body, 'tools')
    .map(anthropicTool)
    .filter((tool) => tool !== null);
  if (tools.length > 0) {
    request.tools = tools;
    const choice = anthropicToolChoice(body.tool_choice, body.parallel_tool_calls === false);
    if (choice) request.tool_choice = choice;
  }
  if (typeof body.user === 'string') request.metadata = { user_id: body.user };
  return request;
}

/** Only function tools translate; OpenAI's custom (free-form) tools have no Anthropic form. */
function anthropicTool(tool: JsonObject): JsonObject | null {
  const fn = objectField(tool, 'function');
  const name = fn && stringField(fn, 'name');
  if (stringField(tool, 'type') !== 'function' || !fn || !name) return null;
  const description = stringField(fn, 'description');
  return {
    name,
    ...(description !== null ? { description } : {}),
    input_schema: objectField(fn, 'parameters') ?? { type: 'object', properties: {} },
  };
}

function anthropicToolChoice(choice: unknown, serialOnly: boolean): JsonObject | null {
  const parallel = serialOnly ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...parallel };
  if (isObject(choice)) {
    const fn = objectField(choice, 'function');
    const name = fn && stringField(fn, 'name');
    if (name) return { type: 'tool', name, ...parallel };
  }
  return choice === 'auto' || serialOnly ? { type: 'auto', ...parallel } : null;
}
