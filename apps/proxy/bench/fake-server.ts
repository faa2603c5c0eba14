import { startFakeProvider } from '../test/support/fake-provider.ts';
import { serveForParent } from './child.ts';

/** Child process: the fake provider, answering with its defaults and recording nothing. */
serveForParent(async () => {
  const fake = await startFakeProvider({ record: false });
  return { info: { url: fake.url }, close: () => fake.close() };
});
