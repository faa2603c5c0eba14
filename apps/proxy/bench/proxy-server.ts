import { serveForParent } from './child.ts';
import { startProxyStack } from './proxy-stack.ts';

/** Child process: the seeded proxy in front of the fake provider at `argv[2]`. */
serveForParent(async () => {
  const fakeUrl = process.argv[2];
  if (!fakeUrl) throw new Error('usage: proxy-server.ts <fake provider url>');
  const stack = await startProxyStack(fakeUrl);
  return { info: { url: stack.url, agentKey: stack.agentKey, description: stack.description }, close: () => stack.close() };
});
