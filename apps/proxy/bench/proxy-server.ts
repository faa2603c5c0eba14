import { serveForParent } from './child.ts';
import { startProxyStack } from './proxy-stack.ts';

/** Child process: the seeded proxy in front of the fake provider at `argv[2]` (and the failing one at `argv[3]`). */
serveForParent(async () => {
  const [fakeUrl, failingUrl] = process.argv.slice(2);
  if (!fakeUrl || !failingUrl) throw new Error('usage: proxy-server.ts <fake provider url> <failing provider url>');
  const stack = await startProxyStack(fakeUrl, failingUrl);
  return {
    info: {
      url: stack.url,
      agentKey: stack.agentKey,
      failoverAgentKey: stack.failoverAgentKey,
      hourlyAgentKey: stack.hourlyAgentKey,
      description: stack.description,
    },
    close: () => stack.close(),
  };
});
