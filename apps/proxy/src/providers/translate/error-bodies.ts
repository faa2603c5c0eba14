import { objectField, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';

/** Provider error bodies in the client's format. Both nest `{ type, message }` under `error`. */

export function openAIErrorBody(anthropicBody: JsonObject): JsonObject {
  const error = objectField(anthropicBody, 'error');
  return {
    error: {
      message: (error && stringField(error, 'message')) ?? 'The provider returned an error',
      type: (error && stringField(error, 'type')) ?? 'api_error',
      param: null,
      code: null,
    },
  };
}

export function anthropicErrorBody(openAIBody: JsonObject): JsonObject {
  const error = objectField(openAIBody, 'error');
  return {
    type: 'error',
    error: {
      type: (error && (stringField(error, 'type') ?? stringField(error, 'code'))) ?? 'api_error',
      message: (error && stringField(error, 'message')) ?? 'The provider returned an error',
    },
  };
}
