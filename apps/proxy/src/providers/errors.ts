import { FailureKind } from '@rungate/contracts';
import { isObject, objectField, stringField } from './json.ts';
import type { HeaderMap } from './types.ts';

/** Failure categories recorded on steps (`response.error.kind`), as the spec lists them. */
export const UPSTREAM_ERROR_KINDS = FailureKind.options;

export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

/** Upstream error bodies are kept for diagnosis, not in full. */
export const MAX_ERROR_BODY_CHARS = 1000;

const TIMEOUT_KINDS: ReadonlySet<UpstreamErrorKind> = new Set([
  'tcp_connect_timeout',
  'request_timeout',
  'first_events_timeout',
]);

/** undici error codes (and system errno codes) by the kind they mean. */
const KIND_BY_CODE: Readonly<Record<string, UpstreamErrorKind>> = {
  UND_ERR_CONNECT_TIMEOUT: 'tcp_connect_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'request_timeout',
  UND_ERR_BODY_TIMEOUT: 'request_timeout',
  UND_ERR_SOCKET: 'network_error',
  UND_ERR_CLOSED: 'network_error',
  UND_ERR_INFO: 'network_error',
  ECONNREFUSED: 'network_error',
  ECONNRESET: 'network_error',
  EPIPE: 'network_error',
  ENOTFOUND: 'network_error',
  EAI_AGAIN: 'network_error',
  EHOSTUNREACH: 'network_error',
  ENETUNREACH: 'network_error',
  ETIMEDOUT: 'tcp_connect_timeout',
};

export interface UpstreamErrorInit {
  provider: string;
  kind: UpstreamErrorKind;
  /** Upstream status for `http_error`; otherwise defaults to 504 for timeouts and 502 for the rest. */
  status?: number;
  message: string;
  /** The provider's own error type (`server_error`, `overloaded_error`, ...), when it sent one. */
  errorType?: string | null;
  body?: string | null;
  retryAfterMs?: number | null;
  cause?: unknown;
}

/** The one normalised upstream failure, whatever the provider or the way it failed. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly provider: string;
  readonly kind: UpstreamErrorKind;
  /** HTTP status: the provider's for `http_error`, 504 for timeouts, 502 otherwise. */
  readonly status: number;
  readonly errorType: string | null;
  /** The response body, truncated to `MAX_ERROR_BODY_CHARS`. */
  readonly body: string | null;
  /** From `retry-after-ms` / `retry-after` on 429 and 503 answers. */
  readonly retryAfterMs: number | null;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.provider = init.provider;
    this.kind = init.kind;
    this.status = init.status ?? (TIMEOUT_KINDS.has(init.kind) ? 504 : 502);
    this.errorType = init.errorType ?? null;
    this.body = init.body == null ? null : truncate(init.body);
    this.retryAfterMs = init.retryAfterMs ?? null;
  }

  /** A non-2xx answer. Both formats nest `{ type, message }` under `error`. */
  static fromResponse(provider: string, status: number, bodyText: string, headers: HeaderMap = {}): UpstreamError {
    const error = errorObject(bodyText);
    const message = (error && stringField(error, 'message')) ?? (truncate(bodyText) || `HTTP ${status}`);
    return new UpstreamError({
      provider,
      kind: 'http_error',
      status,
      message,
      errorType: error && (stringField(error, 'type') ?? stringField(error, 'code')),
      body: bodyText,
      retryAfterMs: parseRetryAfter(headers),
    });
  }

  /** A thrown network or timeout error from undici or fetch (the cause chain is searched). */
  static fromNetwork(provider: string, cause: unknown): UpstreamError {
    const kind = networkKind(cause);
    const message = cause instanceof Error ? cause.message : String(cause);
    return new UpstreamError({ provider, kind, message, cause });
  }

  /** The entry recorded in a step's `response.errors[]` and a 502's `details`. */
  toDetail(): { provider: string; status: number; message: string; kind: UpstreamErrorKind } {
    return { provider: this.provider, status: this.status, message: this.message, kind: this.kind };
  }
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_BODY_CHARS ? `${text.slice(0, MAX_ERROR_BODY_CHARS)}…` : text;
}

function errorObject(bodyText: string) {
  try {
    const body: unknown = JSON.parse(bodyText);
    return isObject(body) ? objectField(body, 'error') : null;
  } catch {
    return null;
  }
}

function networkKind(cause: unknown): UpstreamErrorKind {
  for (let error = cause, depth = 0; isObject(error) && depth < 5; error = error.cause, depth++) {
    const code = stringField(error, 'code');
    if (code && Object.hasOwn(KIND_BY_CODE, code)) return KIND_BY_CODE[code] as UpstreamErrorKind;
    // AbortSignal.timeout() rejects with a TimeoutError: the whole-request deadline passed.
    if (error instanceof Error && error.name === 'TimeoutError') return 'request_timeout';
  }
  return cause instanceof Error ? 'network_error' : 'unknown';
}

/** `retry-after-ms` (OpenAI) first, then `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: HeaderMap, now: number = Date.now()): number | null {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const msValue = first('retry-after-ms');
  const ms = Number(msValue);
  if (msValue && Number.isFinite(ms) && ms >= 0) return ms;
  const value = first('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
