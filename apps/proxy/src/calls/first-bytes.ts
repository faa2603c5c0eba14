import { UpstreamError } from '../providers/errors.ts';

export interface OpenedStream {
  first: Uint8Array;
  rest: AsyncIterator<Uint8Array>;
}

/**
 * Waits for a stream's first bytes before anything is sent to the client: until then the call
 * can still fail over. No bytes before the deadline is `first_events_timeout`; an end without
 * bytes `empty_stream`; a failure before them `first_events_error`.
 */
export async function openStream(
  provider: string,
  body: AsyncIterable<Uint8Array>,
  deadline: AbortSignal,
): Promise<OpenedStream> {
  const iterator = body[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        new UpstreamError({
          provider,
          kind: 'first_events_timeout',
          message: 'No stream event arrived before the timeout',
        }),
      );
    if (deadline.aborted) onAbort();
    else deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const next = await Promise.race([iterator.next(), timedOut]);
    if (next.done)
      throw new UpstreamError({
        provider,
        kind: 'empty_stream',
        message: 'The provider ended the stream without sending an event',
      });
    return { first: next.value, rest: iterator };
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError({
      provider,
      kind: 'first_events_error',
      message: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  } finally {
    if (onAbort) deadline.removeEventListener('abort', onAbort);
  }
}
