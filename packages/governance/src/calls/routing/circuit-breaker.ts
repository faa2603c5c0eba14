import type { CircuitState, ProviderKeyHealth } from '@rungate/contracts';
import type { RoutingSettings } from './chain.ts';

export type BreakerSettings = RoutingSettings['circuit_breaker'];

/** A provider key as the breaker tracks it; the provider is reported by the health endpoint. */
export interface BreakerKey {
  keyId: string;
  provider: string;
}

/** One key's circuit, times in epoch ms. */
export interface BreakerState {
  keyId: string;
  provider: string;
  state: CircuitState;
  /** Consecutive failures; reset by a success. */
  failures: number;
  openedAt: number | null;
  /** When an open circuit lets a probe through. */
  nextAttemptAt: number | null;
  /** The current cool-down: `recovery_timeout_ms`, doubled per failed probe up to the cap. */
  recoveryTimeoutMs: number | null;
  /** While half-open: until when the probe in flight holds the only pass. */
  probeUntil: number | null;
  lastFailureAt: number | null;
  lastSuccessAt: number | null;
}

/** What `GET /api/providers/health` reports for a key, in epoch ms. */
export interface BreakerSnapshot {
  keyId: string;
  provider: string;
  state: CircuitState;
  failureCount: number;
  openedAt: number | null;
  /** When the next probe may go (open), or went free (half-open); null when closed. */
  recoveryAt: number | null;
  recoveryTimeoutMs: number | null;
  lastFailureAt: number | null;
  lastSuccessAt: number | null;
}

/**
 * Circuit state per provider key, shared by every caller of the store. `canAttempt` is asked
 * right before a key is used: an open circuit refuses until its cool-down ends, then grants a
 * single probe (half-open); the probe's success closes the circuit, its failure reopens it for
 * twice as long (capped). With `failure_threshold` 0 the breaker never refuses, but failures
 * are still counted for health reporting.
 */
export interface BreakerStore {
  canAttempt(keyId: string, settings: BreakerSettings, nowMs: number): Promise<boolean>;
  recordSuccess(key: BreakerKey, nowMs: number): Promise<void>;
  /** Returns the circuit's state after the failure (`open` when it just opened). */
  recordFailure(key: BreakerKey, settings: BreakerSettings, nowMs: number): Promise<CircuitState>;
  /** Every tracked key, as of `nowMs`. */
  snapshot(nowMs: number): Promise<BreakerSnapshot[]>;
}

/** Never shorter than the first cool-down, whatever the two settings say. */
const capOf = (s: BreakerSettings) => Math.max(s.max_recovery_timeout_ms, s.recovery_timeout_ms);

export function closedState(key: BreakerKey): BreakerState {
  const { keyId, provider } = key;
  return {
    keyId,
    provider,
    state: 'closed',
    failures: 0,
    openedAt: null,
    nextAttemptAt: null,
    recoveryTimeoutMs: null,
    probeUntil: null,
    lastFailureAt: null,
    lastSuccessAt: null,
  };
}

/**
 * Whether the key may be tried now, and the state to store when asking changed it (a probe
 * granted). A probe holds its pass for one cool-down: if its outcome is never recorded (the
 * instance died mid-call), the next caller after that may probe instead of the key staying
 * half-open forever.
 */
export function attemptTransition(
  state: BreakerState | undefined,
  settings: BreakerSettings,
  nowMs: number,
): { allowed: boolean; next?: BreakerState } {
  if (settings.failure_threshold === 0 || !state || state.state === 'closed') return { allowed: true };
  const lease = state.recoveryTimeoutMs ?? settings.recovery_timeout_ms;
  if (state.state === 'open') {
    if (nowMs < (state.nextAttemptAt ?? 0)) return { allowed: false };
    return { allowed: true, next: { ...state, state: 'half_open', probeUntil: nowMs + lease } };
  }
  if (state.probeUntil !== null && nowMs < state.probeUntil) return { allowed: false };
  return { allowed: true, next: { ...state, probeUntil: nowMs + lease } };
}

export function failureTransition(
  state: BreakerState | undefined,
  key: BreakerKey,
  settings: BreakerSettings,
  nowMs: number,
): BreakerState {
  const s = { ...(state ?? closedState(key)), provider: key.provider };
  s.failures += 1;
  s.lastFailureAt = nowMs;
  if (settings.failure_threshold === 0) return s;
  if (s.state === 'half_open') {
    const timeout = Math.min((s.recoveryTimeoutMs ?? settings.recovery_timeout_ms) * 2, capOf(settings));
    return open(s, nowMs, timeout);
  }
  if (s.state === 'closed' && s.failures >= settings.failure_threshold)
    return open(s, nowMs, settings.recovery_timeout_ms);
  return s;
}

function open(s: BreakerState, nowMs: number, timeoutMs: number): BreakerState {
  return {
    ...s,
    state: 'open',
    openedAt: nowMs,
    recoveryTimeoutMs: timeoutMs,
    nextAttemptAt: nowMs + timeoutMs,
    probeUntil: null,
  };
}

export function successTransition(state: BreakerState | undefined, key: BreakerKey, nowMs: number): BreakerState {
  return { ...closedState(key), lastFailureAt: state?.lastFailureAt ?? null, lastSuccessAt: nowMs };
}

/** An open circuit whose cool-down is over is reported half-open: the next call probes it. */
export function snapshotOf(s: BreakerState, nowMs: number): BreakerSnapshot {
  const due = s.state === 'open' && s.nextAttemptAt !== null && nowMs >= s.nextAttemptAt;
  return {
    keyId: s.keyId,
    provider: s.provider,
    state: due ? 'half_open' : s.state,
    failureCount: s.failures,
    openedAt: s.openedAt,
    recoveryAt: s.nextAttemptAt,
    recoveryTimeoutMs: s.recoveryTimeoutMs,
    lastFailureAt: s.lastFailureAt,
    lastSuccessAt: s.lastSuccessAt,
  };
}

const isoOf = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The spec's `ProviderKeyHealth` item for a snapshot. */
export function toProviderKeyHealth(s: BreakerSnapshot): ProviderKeyHealth {
  return {
    provider_key_id: s.keyId,
    provider: s.provider,
    state: s.state,
    failure_count: s.failureCount,
    last_failure_at: isoOf(s.lastFailureAt),
    last_success_at: isoOf(s.lastSuccessAt),
    opened_at: isoOf(s.openedAt),
    recovery_at: isoOf(s.recoveryAt),
  };
}
