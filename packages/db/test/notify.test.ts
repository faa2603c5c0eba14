import { setImmediate as tick } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { openNotifyChannel } from '../src/notify.ts';

const url = process.env.DATABASE_URL;
const quiet = { onError: () => undefined };

it.runIf(url)(
  'closing a channel lets a publish in flight finish: its NOTIFY went out, so it must not fail',
  async () => {
    // The race is narrow (the listener may hear the NOTIFY before the publisher's reply arrives),
    // so it is run often enough to hit it.
    const failures: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      let heard = false;
      const listener = await openNotifyChannel(url!, 'rungate_notify_test', {
        ...quiet,
        onMessage: () => {
          heard = true;
        },
      });
      const publisher = await openNotifyChannel(url!, 'rungate_notify_test', { ...quiet, onMessage: () => undefined });
      const sent = publisher.publish('hello').catch((error: unknown) => void failures.push(error));
      while (!heard) await tick();
      await publisher.close();
      await sent;
      await listener.close();
    }
    expect(failures).toEqual([]);
  },
);
