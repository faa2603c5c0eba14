import { splitControlFields } from '../control-fields.ts';
import { countField, isObject, objectField, objectsField, stringField, uniqueNames } from '../json.ts';
import type { JsonObject, PreparedRequest, PrepareOptions, RequestInfo } from '../types.ts';

export function inspectOpenAIRequest(body: JsonObject): RequestInfo {
  const offered = [
    ...objectsField(body, 'tools').map((tool) => functionName(tool)),
    // The legacy `functions` parameter is still accepted upstream, so it is still a tool offer.
    ...objectsField(body, 'functions').map((fn) => stringField(fn, 'name')),
  ];
  const used: (string | null)[] = [];
  for (const message of objectsField(body, 'messages')) {
    if (stringField(message, 'role') !== 'assistant') continue;
    for (const call of objectsField(message, 'tool_calls')) used.push(functionName(call));
    const legacyCall = objectField(message, 'function_call');
    if (legacyCall) used.push(stringField(legacyCall, 'name'));
  }
  return {
    model: stringField(body, 'model'),
    stream: body.stream === true,
    maxTokens: countField(body, 'max_completion_tokens') ?? countField(body, 'max_tokens'),
    toolsOffered: uniqueNames(offered),
    toolsUsed: uniqueNames(used),
  };
}

export function prepareOpenAIRequest(client: JsonObject, options: PrepareOptions = {}): PreparedRequest {
  const { rest: body } = splitControlFields(client);
  if (options.model !== undefined) body.model = options.model;
  const stream = body.stream === true;
  let clientWantsUsage = true;
  if (stream) {
    // Usage is what accounting is for: always ask for it, and hide it later if the client did not.
    const streamOptions = isObject(body.stream_options) ? body.stream_options : {};
    clientWantsUsage = streamOptions.include_usage === true;
    body.stream_options = { ...streamOptions, include_usage: true };
  }
  const maxTokensCapped =
    options.maxTokensCap !== undefined && capOutput(body, options.maxTokensCap, options.maxTokensField ?? 'max_tokens');
  return { body, stream, clientWantsUsage, maxTokensCapped };
}

/** Lowers every output limit the client set to `cap`, or sets `field` when it set none. */
function capOutput(body: JsonObject, cap: number, field: 'max_tokens' | 'max_completion_tokens'): boolean {
  let capped = false;
  let present = false;
  for (const key of ['max_completion_tokens', 'max_tokens']) {
    const value = countField(body, key);
    if (value === null) continue;
    present = true;
    if (value > cap) {
      body[key] = cap;
      capped = true;
    }
  }
  if (!present) {
    body[field] = cap;
    capped = true;
  }
  return capped;
}

function functionName(item: JsonObject): string | null {
  const fn = objectField(item, 'function');
  return fn && stringField(fn, 'name');
}
