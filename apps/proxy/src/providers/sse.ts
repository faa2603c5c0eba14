/**
 * Incremental Server-Sent Events parsing over raw bytes. Upstream chunks may split anywhere,
 * including inside a line or a multi-byte UTF-8 character: lines are cut on CR/LF bytes (which
 * never occur inside a UTF-8 sequence) and only complete lines are decoded.
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const decoder = new TextDecoder();

export const EMPTY_BYTES = new Uint8Array(0);

/** `text` is the line without its terminator; `raw` is the line's exact bytes, terminator included. */
export type LineHandler = (text: string, raw: Uint8Array) => void;

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY_BYTES;
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts);
}

/** Splits a byte stream into lines ending in LF, CRLF or CR, holding only the current partial line. */
export class SseLineSplitter {
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  /** The held line ended in CR at a chunk boundary: the next byte decides whether an LF belongs to it. */
  private heldCR = false;

  push(chunk: Uint8Array, onLine: LineHandler): void {
    let pos = 0;
    if (this.heldCR) {
      if (chunk.length === 0) return;
      this.heldCR = false;
      const contentLength = this.partsLength - 1;
      if (chunk[0] === LF) {
        this.hold(chunk.subarray(0, 1));
        pos = 1;
      }
      this.emitHeld(contentLength, onLine);
    }
    let cr = chunk.indexOf(CR, pos);
    while (pos < chunk.length) {
      if (cr !== -1 && cr < pos) cr = chunk.indexOf(CR, pos);
      const lf = chunk.indexOf(LF, pos);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) {
        this.hold(chunk.subarray(pos));
        return;
      }
      let next = end + 1;
      if (end === cr) {
        if (next === chunk.length) {
          this.hold(chunk.subarray(pos));
          this.heldCR = true;
          return;
        }
        if (chunk[next] === LF) next += 1;
      }
      if (this.parts.length === 0) {
        onLine(decoder.decode(chunk.subarray(pos, end)), chunk.subarray(pos, next));
      } else {
        const contentLength = this.partsLength + (end - pos);
        this.hold(chunk.subarray(pos, next));
        this.emitHeld(contentLength, onLine);
      }
      pos = next;
    }
  }

  /** End of input: a final line without terminator is still a line. */
  end(onLine: LineHandler): void {
    if (this.parts.length === 0) return;
    const contentLength = this.heldCR ? this.partsLength - 1 : this.partsLength;
    this.heldCR = false;
    this.emitHeld(contentLength, onLine);
  }

  private hold(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.partsLength += bytes.length;
  }

  private emitHeld(contentLength: number, onLine: LineHandler): void {
    const raw = concatBytes(this.parts);
    this.parts = [];
    this.partsLength = 0;
    onLine(decoder.decode(raw.subarray(0, contentLength)), raw);
  }
}

export interface SseEvent {
  /** The `event:` field, or null for the default `message` type. */
  event: string | null;
  data: string;
}

/** Assembles lines into events per the SSE rules (`data` lines joined by LF, comments ignored). */
export class SseEventParser {
  private eventType: string | null = null;
  private data: string[] = [];

  /** Feeds one line; returns the event a blank line completes, if any. */
  line(text: string): SseEvent | null {
    if (text === '') return this.dispatch();
    if (text.charCodeAt(0) === COLON) return null;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const valueStart = colon === -1 ? text.length : text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
    const value = text.slice(valueStart);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventType = value;
    return null;
  }

  /**
   * End of stream. SSE would discard an event missing its final blank line, but accounting
   * prefers to count the usage a provider did send, so it is dispatched.
   */
  finish(): SseEvent | null {
    return this.dispatch();
  }

  private dispatch(): SseEvent | null {
    const event = this.data.length > 0 ? { event: this.eventType, data: this.data.join('\n') } : null;
    this.eventType = null;
    this.data = [];
    return event;
  }
}
