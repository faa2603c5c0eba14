import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { anthropicErrorType, anthropicResponse, anthropicStreamEvents } from './fake/anthropic.ts';
import { openAIErrorType, openAIResponse, openAIStreamEvents } from './fake/openai.ts';
import {
  endsWithToolResult,
  type FakeFormat,
  type FakeUsage,
  isObject,
  type Json,
  offeredTools,
  type Reply,
} from './fake/reply.ts';

export type { FakeFormat, FakeUsage } from './fake/reply.ts';

/**
 * A local provider speaking OpenAI Chat Completions (`POST /v1/chat/completions`) and Anthropic
 * Messages (`POST /v1/messages`), streaming and not, with tool calls, cached-token usage and
 * fault injection. It is written independently of `src/providers` so that tests of the adapters
 * against it prove something: its output is checked against the official SDKs in
 * `fake-provider.test.ts`.
 */

export interface FakeBehavior {
  /** Assistant text. */
  text?: string;
  /** Response model; defaults to the request's. */
  model?: string;
  usage?: Partial<FakeUsage>;
  /**
   * When the request offers tools (and the conversation does not end with a tool result), the
   * reply calls one: by default the first offered tool with `{ "query": "rungate" }`. `false`
   * answers with text instead.
   */
  toolCall?: false | { name?: string; arguments?: Record<string, unknown> };
  /** Answer with this error status and the format's error body. */
  status?: number;
  errorType?: string;
  errorMessage?: string;
  /** `retry-after` header value sent with `status`. */
  retryAfter?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Wait this long before the first byte. */
  delayMs?: number;
  /** Never answer (the socket stays open until the client gives up or the fake closes). */
  hang?: boolean;
  /** Streaming: close the connection after this many events. Non-streaming: before answering. */
  dropAfterChunks?: number;
  /** Streaming: 200 with SSE headers, then end without a single event. */
  emptyStream?: boolean;
  /** Streaming: pause between events. */
  chunkDelayMs?: number;
  /** Streaming: send the format's error event after this many events, then end. */
  streamError?: { afterChunks: number; type?: string; message?: string };
  /** Anthropic streaming: spread the output count over this many cumulative `message_delta` events. */
  messageDeltas?: number;
  /** Send exactly these bytes (e.g. a recorded stream or a mock response to check with an SDK). */
  replay?: { status?: number; contentType: string; body: string | Uint8Array };
}

export interface RecordedRequest {
  method: string;
  path: string;
  format: FakeFormat | null;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

export interface FakeProviderOptions {
  behavior?: FakeBehavior | BehaviorFn;
  /** When set, requests must carry this key (`Authorization: Bearer` / `x-api-key`), else 401. */
  apiKey?: string;
  /** Keep every request in `requests` (turn off for load tests). Default true. */
  record?: boolean;
}

type BehaviorFn = (request: RecordedRequest) => FakeBehavior;

const DEFAULT_TEXT = 'Hello from the fake provider.';
const DEFAULT_USAGE: FakeUsage = { input: 20, output: 10, cacheRead: 0, cacheCreation: 0 };
const DEFAULT_TOOL_ARGUMENTS = { query: 'rungate' };

export class FakeProvider {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private behavior: FakeBehavior | BehaviorFn;
  private queue: FakeBehavior[] = [];
  private counter = 0;
  private port = 0;

  constructor(private readonly options: FakeProviderOptions = {}) {
    this.behavior = options.behavior ?? {};
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What an OpenAI SDK or an `openai`-compatible key's `base_url` takes. */
  get openAIBaseUrl(): string {
    return `${this.url}/v1`;
  }

  /** What the Anthropic SDK or an `anthropic` key's `base_url` takes. */
  get anthropicBaseUrl(): string {
    return this.url;
  }

  /** The behaviour of every request not served from the queue. */
  setBehavior(behavior: FakeBehavior | BehaviorFn): void {
    this.behavior = behavior;
  }

  /** One-shot behaviours, used in order by the next requests before falling back to the default. */
  enqueue(...behaviors: FakeBehavior[]): void {
    this.queue.push(...behaviors);
  }

  /** Forgets recorded requests and queued behaviours and restores the constructor's default. */
  reset(): void {
    this.requests.length = 0;
    this.queue = [];
    this.behavior = this.options.behavior ?? {};
  }

  /** Open client connections, for socket-leak assertions. */
  openConnections(): number {
    return this.sockets.size;
  }

  /** Stops listening and destroys open sockets, including hung requests. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = [
      new Promise<void>((resolve) => server.close(() => resolve())),
      ...[...this.sockets].map(
        (socket) => new Promise<void>((resolve) => socket.destroy().once('close', () => resolve())),
      ),
    ];
    await Promise.all(closed);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const format: FakeFormat | null =
      req.method === 'POST' && path === '/v1/chat/completions'
        ? 'openai'
        : req.method === 'POST' && path === '/v1/messages'
          ? 'anthropic'
          : null;
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      format,
      headers: req.headers,
      body: parseBody(raw),
    };
    if (this.options.record !== false) this.requests.push(request);
    if (!format) return sendJson(res, 404, { error: { type: 'not_found', message: `No route ${req.method} ${path}` } });

    const behavior =
      this.queue.shift() ?? (typeof this.behavior === 'function' ? this.behavior(request) : this.behavior);
    if (behavior.hang) return;
    if (behavior.delayMs) await this.sleep(behavior.delayMs);
    if (res.destroyed) return;
    if (behavior.replay) {
      const { status = 200, contentType, body } = behavior.replay;
      res.writeHead(status, { 'content-type': contentType, ...behavior.headers });
      res.end(body);
      return;
    }
    if (this.options.apiKey !== undefined && presentedKey(format, req.headers) !== this.options.apiKey) {
      return sendError(res, format, 401, { errorMessage: 'Incorrect API key provided' });
    }
    if (behavior.status && behavior.status >= 400) return sendError(res, format, behavior.status, behavior);
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
      return sendError(res, format, 400, { errorMessage: 'Request body must be a JSON object' });
    }
    const body = request.body as Json;
    const reply = this.reply(format, body, behavior);
    if (body.stream !== true) {
      if (behavior.dropAfterChunks !== undefined) {
        res.socket?.destroy();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        ...requestIdHeader(format, reply.id),
        ...behavior.headers,
      });
      res.end(JSON.stringify(format === 'openai' ? openAIResponse(reply) : anthropicResponse(reply)));
      return;
    }
    const events =
      format === 'openai'
        ? openAIStreamEvents(reply, isObject(body.stream_options) && body.stream_options.include_usage === true)
        : anthropicStreamEvents(reply, behavior.messageDeltas ?? 1);
    await this.stream(res, format, reply.id, events, behavior);
  }

  private reply(format: FakeFormat, body: Json, behavior: FakeBehavior): Reply {
    this.counter += 1;
    const offered = offeredTools(format, body);
    const wanted = behavior.toolCall === false ? null : (behavior.toolCall ?? {});
    const name = wanted?.name ?? offered[0];
    const callTool = wanted !== null && name !== undefined && offered.length > 0 && !endsWithToolResult(format, body);
    return {
      id: `${format === 'openai' ? 'chatcmpl-fake' : 'msg_fake'}_${this.counter}`,
      toolCallId: `${format === 'openai' ? 'call_fake' : 'toolu_fake'}_${this.counter}`,
      model: behavior.model ?? (typeof body.model === 'string' ? body.model : 'fake-model'),
      text: behavior.text ?? DEFAULT_TEXT,
      toolCall: callTool ? { name, arguments: wanted.arguments ?? DEFAULT_TOOL_ARGUMENTS } : null,
      usage: { ...DEFAULT_USAGE, ...behavior.usage },
    };
  }

  private async stream(res: ServerResponse, format: FakeFormat, id: string, events: string[], behavior: FakeBehavior) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...requestIdHeader(format, id),
      ...behavior.headers,
    });
    if (behavior.emptyStream) {
      res.end();
      return;
    }
    for (const [index, event] of events.entries()) {
      if (behavior.streamError && index === behavior.streamError.afterChunks) {
        res.end(streamErrorEvent(format, behavior.streamError));
        return;
      }
      if (behavior.dropAfterChunks !== undefined && index === behavior.dropAfterChunks) {
        // Closing after the written events flush: the client sees them, then a truncated body.
        res.socket?.end();
        return;
      }
      if (behavior.chunkDelayMs && index > 0) await this.sleep(behavior.chunkDelayMs);
      if (res.destroyed) return;
      res.write(event);
    }
    res.end();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** Starts a fake provider on 127.0.0.1 with an ephemeral port. */
export function startFakeProvider(options?: FakeProviderOptions): Promise<FakeProvider> {
  return new FakeProvider(options).start();
}

function streamErrorEvent(format: FakeFormat, error: { type?: string; message?: string }): string {
  const type = error.type ?? (format === 'openai' ? 'server_error' : 'overloaded_error');
  const message = error.message ?? 'The provider failed mid-stream';
  return format === 'openai'
    ? `data: ${JSON.stringify({ error: { message, type, param: null, code: null } })}\n\n`
    : `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`;
}

/** Error bodies the way each provider sends them. */
function sendError(res: ServerResponse, format: FakeFormat, status: number, behavior: FakeBehavior): void {
  const message = behavior.errorMessage ?? `Fake provider error ${status}`;
  const headers: Record<string, string> = { ...behavior.headers };
  if (behavior.retryAfter !== undefined) headers['retry-after'] = behavior.retryAfter;
  const body =
    format === 'openai'
      ? { error: { message, type: behavior.errorType ?? openAIErrorType(status), param: null, code: null } }
      : { type: 'error', error: { type: behavior.errorType ?? anthropicErrorType(status), message } };
  sendJson(res, status, body, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function requestIdHeader(format: FakeFormat, id: string): Record<string, string> {
  return format === 'openai' ? { 'x-request-id': `req_${id}` } : { 'request-id': `req_${id}` };
}

/** Anthropic takes `x-api-key`, and its SDK (1.x) sends `Authorization: Bearer` instead. */
function presentedKey(format: FakeFormat, headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (format === 'anthropic' && typeof apiKey === 'string') return apiKey;
  return headers.authorization?.replace(/^Bearer /, '');
}

function parseBody(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
