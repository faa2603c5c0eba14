import { objectField, parseJsonObject, stringField } from '../json.ts';
import type { SseEvent } from '../sse.ts';
import { createSsePassThrough } from '../sse-pass-through.ts';
import { defaultClock, StreamState } from '../stream-state.ts';
import type { StreamOptions, StreamTransformer, Usage } from '../types.ts';
import { anthropicUsage, mergeAnthropicUsage } from './usage.ts';

/**
 * Anthropic streams are forwarded untouched. Usage starts in `message_start` and is updated by
 * `message_delta`, whose figures are cumulative totals: the last value wins.
 */
export function createAnthropicStreamTransformer({ clock = defaultClock }: StreamOptions): StreamTransformer {
  const state = new StreamState(clock);
  let usage: Usage | null = null;
  const onEvent = (event: SseEvent) => {
    state.eventArrived();
    const data = parseJsonObject(event.data);
    if (!data) {
      state.malformed();
      return;
    }
    switch (stringField(data, 'type') ?? event.event) {
      case 'message_start': {
        const message = objectField(data, 'message');
        if (!message) return;
        state.identify(stringField(message, 'id'), stringField(message, 'model'));
        const startUsage = objectField(message, 'usage');
        if (startUsage) usage = anthropicUsage(startUsage);
        break;
      }
      case 'message_delta': {
        const delta = objectField(data, 'delta');
        if (delta) state.stopped(stringField(delta, 'stop_reason'));
        const deltaUsage = objectField(data, 'usage');
        if (deltaUsage) usage = usage ? mergeAnthropicUsage(usage, deltaUsage) : anthropicUsage(deltaUsage);
        break;
      }
      case 'message_stop':
        state.completed();
        break;
      case 'error': {
        const error = objectField(data, 'error');
        state.failed({ type: error && stringField(error, 'type'), message: error && stringField(error, 'message') });
        break;
      }
    }
    if (usage) state.usage(usage);
  };
  const passThrough = createSsePassThrough(onEvent);
  return { push: passThrough.push, end: passThrough.end, report: () => state.report() };
}
