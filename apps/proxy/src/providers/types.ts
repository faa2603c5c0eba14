import type { WireFormat } from '@rungate/governance';

/** The wire formats, as governance's provider registry names them (which provider speaks which). */
export type { WireFormat };

/** A parsed JSON request or response body (top level is always an object). */
export type JsonObject = Record<string, unknown>;

/** Token usage in four disjoint buckets: each token is counted in exactly one of them. */
export interface Usage {
  /** Uncached input tokens. */
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

/** What governance needs to know about a request before forwarding it. */
export interface RequestInfo {
  model: string | null;
  stream: boolean;
  /** The output cap the client asked for, or null when it set none. */
  maxTokens: number | null;
  /** Tool names offered in `tools` (and OpenAI's legacy `functions`). */
  toolsOffered: string[];
  /** Tool names the assistant already called in the conversation. */
  toolsUsed: string[];
}

export interface PrepareOptions {
  /** Model to send upstream instead of the client's (override or routing). */
  model?: string;
  /** Upper bound on output tokens, e.g. what the remaining budget can pay for. */
  maxTokensCap?: number;
  /**
   * OpenAI format only: the field to set when the client set no output cap.
   * OpenAI itself wants `max_completion_tokens`; most compatible providers only know `max_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

export interface PreparedRequest {
  /** The body to send upstream (a copy; the client's body is not modified). */
  body: JsonObject;
  stream: boolean;
  /**
   * Whether the client itself asked for usage in the stream (OpenAI `stream_options.include_usage`).
   * Rungate always asks upstream; when the client did not, the usage chunk is hidden from it.
   * Always true for Anthropic, whose streams carry usage anyway.
   */
  clientWantsUsage: boolean;
  /** True when `maxTokensCap` lowered or set the output limit. */
  maxTokensCapped: boolean;
}

/** What accounting needs from a complete (non-streaming) response. */
export interface ResponseSummary {
  id: string | null;
  model: string | null;
  stopReason: string | null;
  /** Null when the response carried no usage at all. */
  usage: Usage | null;
}

export interface StreamErrorInfo {
  type: string | null;
  message: string | null;
}

/** What a stream transformer learned from the events it passed through. */
export interface StreamReport {
  /** At least one complete SSE event arrived. */
  sawEvent: boolean;
  /** Clock reading (see `StreamOptions.clock`) when the first complete event arrived. */
  firstEventAt: number | null;
  events: number;
  id: string | null;
  model: string | null;
  stopReason: string | null;
  usage: Usage | null;
  /** The first `error` event of the stream, if any. */
  error: StreamErrorInfo | null;
  /** Events whose data was not valid JSON. */
  malformedEvents: number;
  /** The stream's own end marker arrived (`data: [DONE]` / `message_stop`). */
  completed: boolean;
}

export interface StreamOptions {
  /** See `PreparedRequest.clientWantsUsage`. */
  clientWantsUsage: boolean;
  /** Time source for `firstEventAt`; defaults to `performance.now`. */
  clock?: () => number;
}

/**
 * An SSE pass-through: upstream chunks in, client bytes out, as they arrive.
 * It never holds more than the current partial line.
 */
export interface StreamTransformer {
  /** Bytes to send to the client for this upstream chunk (may be empty). */
  push(chunk: Uint8Array): Uint8Array;
  /** Upstream ended: whatever is still held for the client. */
  end(): Uint8Array;
  report(): StreamReport;
}

export interface MockOptions {
  model: string;
  /** Defaults to a fresh random id in the format's style. */
  id?: string;
  /** Unix seconds for OpenAI's `created`; defaults to now. */
  created?: number;
}

export interface MockStreamOptions extends MockOptions {
  /** OpenAI only: emit the final usage chunk (the client asked for `include_usage`). */
  includeUsage: boolean;
}

/** A plain header map, as Node's `IncomingHttpHeaders` (lower-case names). */
export type HeaderMap = Record<string, string | string[] | undefined>;

/** Everything format-specific the proxy needs, behind one shape per wire format. */
export interface WireAdapter {
  readonly format: WireFormat;
  /** Full upstream URL for a base URL given the way the official SDK takes it. */
  url(baseUrl: string): string;
  /** Upstream request headers: auth, content type and the client headers the format forwards. */
  headers(apiKey: string, clientHeaders?: HeaderMap): Record<string, string>;
  inspectRequest(body: JsonObject): RequestInfo;
  prepareRequest(body: JsonObject, options?: PrepareOptions): PreparedRequest;
  summarizeResponse(body: unknown): ResponseSummary;
  createStreamTransformer(options: StreamOptions): StreamTransformer;
  mockResponse(options: MockOptions): JsonObject;
  mockStream(options: MockStreamOptions): string;
}
