/** An item waiting for its batch, settled by the batch's writer. */
export interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Natural batching: the first item is written at once, and the items that arrive while a write
 * is in flight go together in the next one. A lone caller never waits for a timer, and under
 * load many callers share one round trip. One write at a time is deliberate: on the bench,
 * four concurrent writers made smaller batches and cost more per call than they saved in
 * waiting. `writeBatch` settles every item of its batch; if it throws, the items it left
 * unsettled fail with its error.
 */
export function naturalBatches<I, O>(writeBatch: (batch: Waiting<I, O>[]) => Promise<void>): (item: I) => Promise<O> {
  let queue: Waiting<I, O>[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      await writeBatch(batch).catch((error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      });
    }
    writing = false;
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
