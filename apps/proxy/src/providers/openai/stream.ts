import { objectField, objectsField, parseJsonObject, stringField } from '../json.ts';
import type { SseEvent } from '../sse.ts';
import { createSsePassThrough } from '../sse-pass-through.ts';
import { defaultClock, StreamState } from '../stream-state.ts';
import type { StreamOptions, StreamTransformer } from '../types.ts';
import { openAIUsage } from './usage.ts';

const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/**
 * OpenAI streams usage in one extra chunk with empty `choices`, sent only when asked for with
 * `stream_options.include_usage`. Rungate always asks; for a client that did not, that chunk is
 * removed (the client would not expect a chunk without choices) and every other byte is untouched.
 */
export function createOpenAIStreamTransformer({
  clientWantsUsage,
  clock = defaultClock,
}: StreamOptions): StreamTransformer {
  const state = new StreamState(clock);
  const onEvent = (event: SseEvent) => {
    state.eventArrived();
    if (event.data === '[DONE]') {
      state.completed();
      return;
    }
    const chunk = parseJsonObject(event.data);
    if (!chunk) {
      state.malformed();
      return;
    }
    const error = objectField(chunk, 'error');
    if (error) {
      state.failed({
        type: stringField(error, 'type') ?? stringField(error, 'code'),
        message: stringField(error, 'message'),
      });
      return;
    }
    state.identify(stringField(chunk, 'id'), stringField(chunk, 'model'));
    for (const choice of objectsField(chunk, 'choices')) state.stopped(stringField(choice, 'finish_reason'));
    const usage = objectField(chunk, 'usage');
    if (usage) state.usage(openAIUsage(usage));
  };
  const passThrough = createSsePassThrough(onEvent, clientWantsUsage ? undefined : isUsageOnlyLine);
  return { push: passThrough.push, end: passThrough.end, report: () => state.report() };
}

/** A `data:` line holding a chunk with no choices and a usage object. */
function isUsageOnlyLine(text: string): boolean {
  if (!text.startsWith('data:') || !EMPTY_CHOICES.test(text)) return false;
  const chunk = parseJsonObject(text.slice(5));
  return chunk !== null && objectField(chunk, 'usage') !== null && objectsField(chunk, 'choices').length === 0;
}
