import { isObject, objectField, stringField } from '../json.ts';
import type { ResponseSummary } from '../types.ts';
import { anthropicUsage } from './usage.ts';

export function summarizeAnthropicResponse(body: unknown): ResponseSummary {
  if (!isObject(body)) return { id: null, model: null, stopReason: null, usage: null };
  const usage = objectField(body, 'usage');
  return {
    id: stringField(body, 'id'),
    model: stringField(body, 'model'),
    stopReason: stringField(body, 'stop_reason'),
    usage: usage && anthropicUsage(usage),
  };
}
