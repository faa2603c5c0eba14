/** Socket-level failures: the server is down, restarting or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);

/** PostgreSQL's own "going away" codes: admin_shutdown, crash_shutdown, cannot_connect_now. */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03']);

/** What `pg` says when a connection dies or a connection attempt times out. */
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error/i;

/**
 * True when `error` (or a cause it wraps, as drizzle wraps driver errors) means the database
 * could not be reached, as opposed to a statement it refused. Such a failure is an outage the
 * caller may retry (503), never a bug (500).
 */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) {
      return true;
    }
    if (LOST_CONNECTION.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
