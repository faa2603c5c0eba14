import { concatBytes, EMPTY_BYTES, type SseEvent, SseEventParser, SseLineSplitter } from './sse.ts';

export interface SsePassThrough {
  push(chunk: Uint8Array): Uint8Array;
  end(): Uint8Array;
}

/**
 * Forwards an SSE byte stream while handing every complete event to `onEvent`.
 *
 * Without `hideLine` the client gets each upstream chunk untouched the moment it arrives.
 * With it, bytes are forwarded line by line (only the current partial line is held back) so a
 * whole event can be removed: a line `hideLine` matches is dropped together with the blank line
 * that terminates its event. Hidden events are still parsed.
 */
export function createSsePassThrough(
  onEvent: (event: SseEvent) => void,
  hideLine?: (text: string) => boolean,
): SsePassThrough {
  const splitter = new SseLineSplitter();
  const parser = new SseEventParser();
  const parseLine = (text: string) => {
    const event = parser.line(text);
    if (event) onEvent(event);
  };
  const finish = () => {
    const event = parser.finish();
    if (event) onEvent(event);
  };

  if (!hideLine) {
    return {
      push(chunk) {
        splitter.push(chunk, parseLine);
        return chunk;
      },
      end() {
        splitter.end(parseLine);
        finish();
        return EMPTY_BYTES;
      },
    };
  }

  let dropBlankLine = false;
  let out: Uint8Array[] = [];
  const forwardLine = (text: string, raw: Uint8Array) => {
    parseLine(text);
    if (dropBlankLine && text === '') {
      dropBlankLine = false;
      return;
    }
    dropBlankLine = false;
    if (hideLine(text)) dropBlankLine = true;
    else out.push(raw);
  };
  const drain = () => {
    const bytes = concatBytes(out);
    out = [];
    return bytes;
  };
  return {
    push(chunk) {
      splitter.push(chunk, forwardLine);
      return drain();
    },
    end() {
      splitter.end(forwardLine);
      finish();
      return drain();
    },
  };
}
