import { Agent, type Dispatcher, request } from 'undici';
import { isLocalHostname, isPrivateAddress, PrivateAddressError, publicOnlyLookup } from './private-addresses.ts';

/** Receivers' answers are kept up to this many bytes (`response_body`). */
export const RESPONSE_BODY_LIMIT = 4096;

export interface SendResult {
  ok: boolean;
  /** The receiver's HTTP status; null when no answer came (refused, timed out, unreachable). */
  status: number | null;
  /** First 4 KB of the receiver's answer. */
  body: string | null;
  /** Why the attempt failed; null on success. */
  error: string | null;
}

export interface Sender {
  post(url: string, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * Posts deliveries with one connection pool. Redirects are not followed (undici's `request`
 * never follows them), so a 3xx counts as a failure; the whole attempt, body included, must
 * finish within `timeoutMs`.
 */
export function createSender(options: { timeoutMs: number; blockPrivateAddresses: boolean }): Sender {
  const dispatcher: Dispatcher = new Agent({
    connect: { timeout: options.timeoutMs, ...(options.blockPrivateAddresses ? { lookup: publicOnlyLookup } : {}) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  async function post(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    try {
      const { hostname } = new URL(url);
      // Literal addresses never reach the lookup, so they are checked here.
      if (options.blockPrivateAddresses && (isPrivateAddress(hostname) || isLocalHostname(hostname))) {
        throw new PrivateAddressError(hostname, hostname);
      }
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const answer = await readPrefix(response.body);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return {
        ok,
        status: response.statusCode,
        body: answer,
        error: ok ? null : `Receiver answered HTTP ${response.statusCode}`,
      };
    } catch (error) {
      return { ok: false, status: null, body: null, error: describeFailure(error, options.timeoutMs) };
    }
  }

  return { post, close: () => dispatcher.close() };
}

/** Reads the first `RESPONSE_BODY_LIMIT` bytes and drops the rest of the stream. */
async function readPrefix(stream: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (
    error.name === 'TimeoutError' ||
    error.name === 'HeadersTimeoutError' ||
    error.name === 'BodyTimeoutError' ||
    error.name === 'ConnectTimeoutError'
  ) {
    return `No answer within ${timeoutMs} ms`;
  }
  const cause = error.cause instanceof Error ? error.cause : null;
  if (cause instanceof PrivateAddressError) return cause.message;
  const code = (cause as { code?: string } | null)?.code ?? (error as { code?: string }).code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
