import type { AttemptFailureKind } from '@rungate/contracts';
import type { RoutingSettings } from './chain.ts';

/**
 * How an attempt failed, as routing weighs it: an attempt kind of the contract (`circuit_open`:
 * the key's circuit breaker refused it, skipped, not an attempt) other than `client_disconnect`
 * and `unknown`, which the caller hands over as `network_error`.
 */
export type RoutingFailureKind = Exclude<AttemptFailureKind, 'client_disconnect' | 'unknown'>;

export interface AttemptFailure {
  kind: RoutingFailureKind;
  /** The provider's HTTP status for `http_error`, else null. */
  status: number | null;
  /** The provider's `retry-after`, in ms, when it sent one. */
  retryAfterMs: number | null;
}

/** One tried (or skipped) key of the plan, in call order. */
export interface AttemptRecord {
  providerIndex: number;
  keyId: string;
  failure: AttemptFailure;
}

export type RetrySettings = Pick<RoutingSettings, 'retry_on' | 'max_retries' | 'on_rate_limit'>;

export interface RetryOptions {
  /** First backoff before reusing a key; doubles per attempt on that provider. */
  baseDelayMs?: number;
  /** The longest the proxy waits before a retry, `retry-after` included; longer means move on. */
  maxDelayMs?: number;
}

export type NextStep =
  | { action: 'retry' | 'next_key' | 'next_provider'; providerIndex: number; keyId: string; delayMs: number }
  | { action: 'stop'; reason: 'not_retryable' | 'exhausted' };

interface PlanShape {
  attempts: readonly { keyIds: readonly string[] }[];
}

// Failures before the first byte reached the client: another attempt can still answer it.
const RETRYABLE_KINDS: ReadonlySet<RoutingFailureKind> = new Set([
  'tcp_connect_timeout',
  'request_timeout',
  'network_error',
  'empty_stream',
  'first_events_timeout',
  'first_events_error',
]);

export function isRetryable(failure: AttemptFailure, retryOn: readonly number[]): boolean {
  if (failure.kind === 'http_error') return failure.status !== null && retryOn.includes(failure.status);
  return RETRYABLE_KINDS.has(failure.kind);
}

/** Where a call starts: the plan's first provider and its first key. */
export function firstStep(plan: PlanShape): { providerIndex: number; keyId: string } | null {
  const keyId = plan.attempts[0]?.keyIds[0];
  return keyId === undefined ? null : { providerIndex: 0, keyId };
}

/**
 * What to do after the last entry of `history` failed. `max_retries` is the total number of
 * attempts on one provider (docs/decisions.md; 0 still allows the first); skipped open-circuit keys
 * do not count. Inside a provider an untried key goes first, at once (another key may not
 * share the failure). Then a 429 under `failover_first` moves to the next provider before
 * waiting; anything else (and a 429 under `backoff_first`) waits and reuses a key of the same
 * provider while attempts remain, honouring `retry-after` or else backing off exponentially.
 * A wait longer than `maxDelayMs` is not made: the call moves on instead.
 */
export function nextStep(
  plan: PlanShape,
  settings: RetrySettings,
  history: readonly AttemptRecord[],
  options: RetryOptions = {},
): NextStep {
  const last = history.at(-1);
  if (!last) throw new RangeError('nextStep needs the failed attempt in history');
  const { baseDelayMs = 500, maxDelayMs = 10_000 } = options;
  const p = last.providerIndex;
  const keys = plan.attempts[p]?.keyIds ?? [];

  let attempts = 0;
  let lastReal: AttemptFailure | null = null;
  const tried = new Set<string>();
  const open = new Set<string>();
  for (const h of history) {
    if (h.providerIndex !== p) continue;
    if (h.failure.kind === 'circuit_open') open.add(h.keyId);
    else {
      attempts += 1;
      lastReal = h.failure;
      tried.add(h.keyId);
    }
  }
  if (last.failure.kind !== 'circuit_open' && !isRetryable(last.failure, settings.retry_on))
    return { action: 'stop', reason: 'not_retryable' };

  const room = attempts < Math.max(1, settings.max_retries);
  const usable = keys.filter((k) => !open.has(k));
  const fresh = room ? usable.find((k) => !tried.has(k)) : undefined;
  if (fresh !== undefined) return { action: 'next_key', providerIndex: p, keyId: fresh, delayMs: 0 };

  const stay = (): NextStep | null => {
    if (!room || attempts === 0 || usable.length === 0) return null;
    const delayMs = lastReal?.retryAfterMs ?? Math.min(baseDelayMs * 2 ** (attempts - 1), maxDelayMs);
    if (delayMs > maxDelayMs) return null;
    const keyId = usable[attempts % usable.length];
    return keyId === undefined ? null : { action: 'retry', providerIndex: p, keyId, delayMs };
  };
  const failover = (): NextStep | null => {
    for (let i = p + 1; i < plan.attempts.length; i++) {
      const keyId = plan.attempts[i]?.keyIds[0];
      if (keyId !== undefined) return { action: 'next_provider', providerIndex: i, keyId, delayMs: 0 };
    }
    return null;
  };
  const rateLimitedFailoverFirst = lastReal?.status === 429 && settings.on_rate_limit === 'failover_first';
  const step = rateLimitedFailoverFirst ? (failover() ?? stay()) : (stay() ?? failover());
  return step ?? { action: 'stop', reason: 'exhausted' };
}
