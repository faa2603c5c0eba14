import { isObject, objectField, objectsField, stringField } from '../json.ts';
import type { ResponseSummary } from '../types.ts';
import { openAIUsage } from './usage.ts';

export function summarizeOpenAIResponse(body: unknown): ResponseSummary {
  if (!isObject(body)) return { id: null, model: null, stopReason: null, usage: null };
  const [choice] = objectsField(body, 'choices');
  const usage = objectField(body, 'usage');
  return {
    id: stringField(body, 'id'),
    model: stringField(body, 'model'),
    stopReason: choice ? stringField(choice, 'finish_reason') : null,
    usage: usage && openAIUsage(usage),
  };
}
