import { describe, expect, it } from 'vitest';
import { naturalBatches, type Waiting } from './natural-batches.ts';

/** A writer whose batches finish when the test says so, recording what each batch held. */
function controlledWriter() {
  const batches: string[][] = [];
  const finishers: (() => void)[] = [];
  const write = async (batch: Waiting<string, string>[]) => {
    batches.push(batch.map((w) => w.item));
    await new Promise<void>((resolve) => finishers.push(resolve));
    for (const waiting of batch) waiting.resolve(`${waiting.item}!`);
  };
  const finishNext = async () => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { write, batches, finishNext };
}

describe('naturalBatches', () => {
  it('writes a lone item at once and groups what arrives while a batch is in flight', async () => {
    const writer = controlledWriter();
    const add = naturalBatches(writer.write);
    const answers = [add('a'), add('b'), add('c')];
    expect(writer.batches).toEqual([['a']]);
    await writer.finishNext();
    expect(writer.batches).toEqual([['a'], ['b', 'c']]);
    await writer.finishNext();
    expect(await Promise.all(answers)).toEqual(['a!', 'b!', 'c!']);
  });

  it('fails the items a throwing writer left unsettled, and goes on with the next batch', async () => {
    let calls = 0;
    const add = naturalBatches<string, string>(async (batch) => {
      calls++;
      if (calls === 1) {
        batch[0]!.resolve('kept');
        throw new Error('statement failed');
      }
      for (const waiting of batch) waiting.resolve('later');
    });
    const first = add('x');
    const results = await Promise.allSettled([first]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'kept' });
    const second = await Promise.allSettled([add('y'), add('z')]);
    expect(second.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('rejects every item of a batch whose writer throws before settling any', async () => {
    const add = naturalBatches<string, string>(async () => {
      throw new Error('connection lost');
    });
    const results = await Promise.allSettled([add('a'), add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
