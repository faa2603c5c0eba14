import { startFakeProvider } from '../test/support/fake-provider.ts';
import { serveForParent } from './child.ts';

/**
 * Child process: the fake provider, answering with its defaults and recording nothing; with
 * `argv[2]` = a status (`500`), a provider that fails every call with it (the failover scenario).
 */
serveForParent(async () => {
  const status = Number(process.argv[2]) || undefined;
  const fake = await startFakeProvider({ record: false, ...(status ? { behavior: { status } } : {}) });
  return { info: { url: fake.url }, close: () => fake.close() };
});
