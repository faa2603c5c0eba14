import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StepRecord } from './calls/ledger/record-step.ts';

/** A fresh, migrated, private database (PostgreSQL with `DATABASE_URL`, else PGlite in memory). */
export { createTestDatabase, type TestDatabase } from '@rungate/db/testing';

/** A request as the receiver got it: the raw body, so signatures can be checked byte for byte. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers, optionally after `delayMs`; `hang` never answers (for timeouts). */
export type ReceiverReply =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | { hang: true };

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Sets how the next requests are answered (default 200 `ok`). */
  replyWith(reply: (request: ReceivedRequest) => ReceiverReply): void;
  /** Resolves once `count` requests have arrived in total. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 and a free port, for webhook delivery tests. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let reply: (request: ReceivedRequest) => ReceiverReply = () => ({ status: 200, body: 'ok' });
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      for (const wake of waiters) wake();
      const answer = reply(request);
      if ('hang' in answer) return;
      setTimeout(() => {
        res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    replyWith(next) {
      reply = next;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${received.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A successful gpt-4o-mini step of the seeded run (135 input and output tokens, 10 cached). */
export function stepRecord(
  ids: { orgId: string; runId: string; agentId: string },
  now: Date,
  overrides: Partial<StepRecord> = {},
): StepRecord {
  return {
    ...ids,
    type: 'llm_call',
    status: 'success',
    provider: 'openai',
    model: 'gpt-4o-mini',
    providerKeyId: null,
    streaming: false,
    request: null,
    response: null,
    usage: { input: 100, output: 50, cacheRead: 10, cacheCreation: 0 },
    costUsd: '0.0000465000',
    priceMissing: false,
    latencyMs: 12,
    routedFrom: null,
    failoverAttempts: 0,
    failoverContext: null,
    errorKind: null,
    errorMessage: null,
    governanceBlock: false,
    reservationId: null,
    now,
    ...overrides,
  };
}
