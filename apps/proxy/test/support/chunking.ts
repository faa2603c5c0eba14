import type { StreamReport, StreamTransformer } from '../../src/providers/types.ts';

/** Feeds `bytes` to a transformer cut at `cuts` and returns what the client would receive. */
export function runChunked(
  transformer: StreamTransformer,
  bytes: Uint8Array,
  cuts: number[],
): { output: Buffer; report: StreamReport } {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(transformer.push(bytes.subarray(start, cut)));
    start = cut;
  }
  out.push(transformer.end());
  return { output: Buffer.concat(out), report: transformer.report() };
}

/** Every way to cut `bytes` in two, plus one-byte chunks. */
export function* everySplit(bytes: Uint8Array): Generator<number[]> {
  for (let offset = 1; offset < bytes.length; offset++) yield [offset];
  yield Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
}

/** The report without the time, which depends on when the first event completed. */
export function timeless(report: StreamReport): Omit<StreamReport, 'firstEventAt'> {
  const { firstEventAt: _time, ...rest } = report;
  return rest;
}
