import type { SseEvent } from '../sse.ts';
import { EMPTY_BYTES } from '../sse.ts';
import { createSsePassThrough } from '../sse-pass-through.ts';
import type { StreamState } from '../stream-state.ts';
import type { JsonObject, StreamTransformer } from '../types.ts';

const encoder = new TextEncoder();

/** Appends client SSE text; a translator writes whole events only. */
export type Emit = (text: string) => void;

export interface StreamTranslation {
  /** One complete upstream event, translated into zero or more client events. */
  event(event: SseEvent, emit: Emit): void;
  /** Upstream ended: whatever closing events the client still needs. */
  end(emit: Emit): void;
}

export function openAIEvent(data: JsonObject): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

export const OPENAI_DONE = 'data: [DONE]\n\n';

export function anthropicEvent(type: string, data: JsonObject): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/**
 * A `StreamTransformer` that re-encodes: upstream bytes are parsed into events (holding only the
 * current partial line) and each push returns the client events those completed.
 */
export function translatingTransformer(translation: StreamTranslation, state: StreamState): StreamTransformer {
  let out: string[] = [];
  const emit: Emit = (text) => {
    out.push(text);
  };
  const parser = createSsePassThrough((event) => translation.event(event, emit));
  const drain = () => {
    if (out.length === 0) return EMPTY_BYTES;
    const bytes = encoder.encode(out.join(''));
    out = [];
    return bytes;
  };
  return {
    push(chunk) {
      parser.push(chunk);
      return drain();
    },
    end() {
      parser.end();
      translation.end(emit);
      return drain();
    },
    report: () => state.report(),
  };
}
