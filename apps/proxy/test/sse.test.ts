import { describe, expect, it } from 'vitest';
import { SseEventParser, SseLineSplitter } from '../src/providers/sse.ts';

function lines(chunks: string[]): { text: string; raw: string }[] {
  const splitter = new SseLineSplitter();
  const out: { text: string; raw: string }[] = [];
  const onLine = (text: string, raw: Uint8Array) => out.push({ text, raw: Buffer.from(raw).toString('utf8') });
  for (const chunk of chunks) splitter.push(Buffer.from(chunk), onLine);
  splitter.end(onLine);
  return out;
}

describe('SSE line splitting', () => {
  it('splits on LF, CRLF and CR, keeping exact raw bytes', () => {
    expect(lines(['a\nb\r\nc\rd'])).toEqual([
      { text: 'a', raw: 'a\n' },
      { text: 'b', raw: 'b\r\n' },
      { text: 'c', raw: 'c\r' },
      { text: 'd', raw: 'd' },
    ]);
  });

  it('waits for the byte after a CR at a chunk boundary', () => {
    expect(lines(['x\r', '\ny\r', 'z\r', ''])).toEqual([
      { text: 'x', raw: 'x\r\n' },
      { text: 'y', raw: 'y\r' },
      { text: 'z', raw: 'z\r' },
    ]);
  });

  it('never decodes half a UTF-8 character', () => {
    const bytes = Buffer.from('é€😀\n');
    const splitter = new SseLineSplitter();
    const seen: string[] = [];
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1), (text) => seen.push(text));
    expect(seen).toEqual(['é€😀']);
  });
});

describe('SSE event assembly', () => {
  it('joins data lines, takes the event name, ignores comments and unknown fields', () => {
    const parser = new SseEventParser();
    const feed = (...input: string[]) => input.map((line) => parser.line(line)).filter(Boolean);
    expect(feed(': comment', 'event: message_start', 'id: 7', 'data: {"a":', 'data:1}', '')).toEqual([
      { event: 'message_start', data: '{"a":\n1}' },
    ]);
    expect(feed('event: lonely', '', 'data', '')).toEqual([{ event: null, data: '' }]);
    expect(feed('data: tail')).toEqual([]);
    expect(parser.finish()).toEqual({ event: null, data: 'tail' });
    expect(parser.finish()).toBeNull();
  });
});
