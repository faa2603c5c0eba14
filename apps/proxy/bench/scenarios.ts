import { randomUUID } from 'node:crypto';
import type { LoadTarget } from './load.ts';

export type Mode = 'non-streaming' | 'streaming';

/** A short agent turn without `max_tokens`, so the proxy also sizes the budget cap itself. */
function chatBody(stream: boolean): string {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a terse assistant used in a load test.' },
      { role: 'user', content: 'Say hello.' },
    ],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** The fake provider with no proxy in between: the baseline. */
export function directTarget(fakeUrl: string, mode: Mode): LoadTarget {
  const stream = mode === 'streaming';
  return {
    origin: fakeUrl,
    path: '/v1/chat/completions',
    body: chatBody(stream),
    headers: () => ({ authorization: 'Bearer sk-fake-openai' }),
    stream,
  };
}

/**
 * Through the proxy. Each worker names its own run: a run's budget hold serialises its calls,
 * and agents running in parallel are separate runs. `sharedRun` sends every call into one run
 * instead, to show what that lock costs.
 */
export function proxyTarget(proxyUrl: string, agentKey: string, mode: Mode, sharedRun = false): LoadTarget {
  const stream = mode === 'streaming';
  const shared = randomUUID();
  const runIds: string[] = [];
  const runIdOf = (index: number) => {
    runIds[index] ??= randomUUID();
    return runIds[index];
  };
  return {
    origin: proxyUrl,
    path: '/v1/chat/completions',
    body: chatBody(stream),
    headers: (index) => ({
      authorization: `Bearer ${agentKey}`,
      'x-rungate-run-id': sharedRun ? shared : runIdOf(index),
    }),
    stream,
  };
}
