import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local provider speaking OpenAI Chat Completions (`POST /v1/chat/completions`) and Anthropic
 * Messages (`POST /v1/messages`), streaming and not, with tool calls, cached-token usage and
 * fault injection. It is written independently of `src/providers` so that tests of the adapters
 * against it prove something: its output is checked against the official SDKs in
 * `fake-provider.test.ts`.
 */

export type FakeFormat = 'openai' | 'anthropic';

export interface FakeUsage {
  /** Uncached input tokens (OpenAI's `prompt_tokens` is this plus `cacheRead`). */
  input: number;
  output: number;
  cacheRead: number;
  /** Anthropic only: OpenAI has no cache-creation field. */
  cacheCreation: number;
}

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
type Json = Record<string, unknown>;

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
      ...[...this.sockets].map((socket) => new Promise<void>((resolve) => socket.destroy().once('close', () => resolve()))),
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
    const request: RecordedRequest = { method: req.method ?? 'GET', path, format, headers: req.headers, body: parseBody(raw) };
    if (this.options.record !== false) this.requests.push(request);
    if (!format) return sendJson(res, 404, { error: { type: 'not_found', message: `No route ${req.method} ${path}` } });

    const behavior = this.queue.shift() ?? (typeof this.behavior === 'function' ? this.behavior(request) : this.behavior);
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
      res.writeHead(200, { 'content-type': 'application/json', ...requestIdHeader(format, reply.id), ...behavior.headers });
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

interface Reply {
  id: string;
  toolCallId: string;
  model: string;
  text: string;
  toolCall: { name: string; arguments: Record<string, unknown> } | null;
  usage: FakeUsage;
}

const created = () => Math.floor(Date.now() / 1000);

function openAIUsage(usage: FakeUsage) {
  const prompt = usage.input + usage.cacheRead;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function openAIResponse(reply: Reply): Json {
  const toolCalls = reply.toolCall && [
    { id: reply.toolCallId, type: 'function', function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) } },
  ];
  return {
    id: reply.id,
    object: 'chat.completion',
    created: created(),
    model: reply.model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: toolCalls ? null : reply.text,
          refusal: null,
          annotations: [],
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: openAIUsage(reply.usage),
  };
}

function openAIStreamEvents(reply: Reply, includeUsage: boolean): string[] {
  const base = { id: reply.id, object: 'chat.completion.chunk', created: created(), model: reply.model, system_fingerprint: 'fp_fake' };
  const chunk = (delta: Json, finishReason: string | null = null): Json => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: Json[] = [chunk({ role: 'assistant', content: reply.toolCall ? null : '', refusal: null })];
  if (reply.toolCall) {
    const args = JSON.stringify(reply.toolCall.arguments);
    chunks.push(
      chunk({ tool_calls: [{ index: 0, id: reply.toolCallId, type: 'function', function: { name: reply.toolCall.name, arguments: '' } }] }),
      ...slices(args).map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
      chunk({}, 'tool_calls'),
    );
  } else {
    chunks.push(...pieces(reply.text).map((piece) => chunk({ content: piece })), chunk({}, 'stop'));
  }
  if (includeUsage) chunks.push({ ...base, choices: [], usage: openAIUsage(reply.usage) });
  return [...chunks.map((data) => `data: ${JSON.stringify(data)}\n\n`), 'data: [DONE]\n\n'];
}

function anthropicUsage(usage: FakeUsage, output: number) {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheCreation,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: output,
  };
}

function anthropicContent(reply: Reply): Json[] {
  if (!reply.toolCall) return [{ type: 'text', text: reply.text }];
  return [
    { type: 'text', text: `Calling ${reply.toolCall.name}.` },
    { type: 'tool_use', id: reply.toolCallId, name: reply.toolCall.name, input: reply.toolCall.arguments },
  ];
}

function anthropicResponse(reply: Reply): Json {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: anthropicContent(reply),
    stop_reason: reply.toolCall ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(reply.usage, reply.usage.output),
  };
}

function anthropicStreamEvents(reply: Reply, messageDeltas: number): string[] {
  const event = (data: Json) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
  const events = [
    event({
      type: 'message_start',
      message: { ...anthropicResponse(reply), content: [], stop_reason: null, usage: anthropicUsage(reply.usage, 1) },
    }),
  ];
  for (const [index, block] of anthropicContent(reply).entries()) {
    if (block.type === 'text') {
      events.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(event({ type: 'ping' }));
      for (const piece of pieces(String(block.text))) {
        events.push(event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }));
      }
    } else {
      events.push(event({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
      for (const piece of slices(JSON.stringify(block.input))) {
        events.push(event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }));
      }
    }
    events.push(event({ type: 'content_block_stop', index }));
  }
  // `message_delta` usage is cumulative: each one carries the running total, the last the final.
  const deltas = Math.max(1, messageDeltas);
  for (let n = 1; n <= deltas; n++) {
    const last = n === deltas;
    events.push(
      event({
        type: 'message_delta',
        delta: { stop_reason: last ? (reply.toolCall ? 'tool_use' : 'end_turn') : null, stop_sequence: null },
        usage: { output_tokens: Math.round((reply.usage.output * n) / deltas) },
      }),
    );
  }
  events.push(event({ type: 'message_stop' }));
  return events;
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

function openAIErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_exceeded';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    429: 'rate_limit_error',
    503: 'overloaded_error',
    529: 'overloaded_error',
  };
  return types[status] ?? 'api_error';
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

function offeredTools(format: FakeFormat, body: Json): string[] {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  return tools
    .map((tool) => (format === 'openai' ? (isObject(tool.function) ? tool.function.name : undefined) : tool.name))
    .filter((name): name is string => typeof name === 'string');
}

/** After a tool result the model answers in text, so agent loops terminate. */
function endsWithToolResult(format: FakeFormat, body: Json): boolean {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last: unknown = messages[messages.length - 1];
  if (!isObject(last)) return false;
  if (format === 'openai') return last.role === 'tool';
  return last.role === 'user' && Array.isArray(last.content) && last.content.some((block) => isObject(block) && block.type === 'tool_result');
}

/** Splits text into word-sized streaming deltas (spaces kept). */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/** Splits JSON into fixed-size deltas, the way tool arguments stream. */
function slices(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [text];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
