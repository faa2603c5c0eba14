import type { CircuitState } from '@rungate/contracts';
import type { Redis, Result } from 'ioredis';
import {
  type BreakerKey,
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerStore,
  snapshotOf,
} from './circuit-breaker.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rungateBreakerAttempt(
      stateKey: string,
      threshold: number,
      recoveryMs: number,
      nowMs: number,
    ): Result<number, Context>;
    rungateBreakerFailure(
      stateKey: string,
      indexKey: string,
      keyId: string,
      provider: string,
      threshold: number,
      recoveryMs: number,
      maxRecoveryMs: number,
      nowMs: number,
    ): Result<string, Context>;
  }
}

// The scripts are the transitions of circuit-breaker.ts, run inside Redis so concurrent
// instances never interleave a read and a write of one key's circuit. `%.0f` keeps epoch ms
// integral (Lua's default number format would write 13-digit values in exponent form).
// ATTEMPT answers 2 for a healthy circuit (closed, no failures), 1 for another pass, 0 for no.
const ATTEMPT = `
local threshold, recovery, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if threshold == 0 then return 1 end
local f = redis.call('HMGET', KEYS[1], 'state', 'next_attempt_at', 'probe_until', 'recovery_timeout_ms', 'failures')
local state = f[1]
if not state or (state == 'closed' and (tonumber(f[5]) or 0) == 0) then return 2 end
if state == 'closed' then return 1 end
local lease = tonumber(f[4]) or recovery
if state == 'open' then
  if now < (tonumber(f[2]) or 0) then return 0 end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_until', string.format('%.0f', now + lease))
  return 1
end
local probeUntil = tonumber(f[3])
if probeUntil and now < probeUntil then return 0 end
redis.call('HSET', KEYS[1], 'probe_until', string.format('%.0f', now + lease))
return 1
`;

const FAILURE = `
local threshold, recovery, cap, now = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local f = redis.call('HMGET', KEYS[1], 'state', 'failures', 'recovery_timeout_ms')
local state = f[1] or 'closed'
local failures = (tonumber(f[2]) or 0) + 1
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'key_id', ARGV[1], 'provider', ARGV[2], 'state', state, 'failures', failures, 'last_failure_at', string.format('%.0f', now))
if threshold == 0 then return state end
if cap < recovery then cap = recovery end
local timeout = nil
if state == 'half_open' then
  timeout = math.min((tonumber(f[3]) or recovery) * 2, cap)
elseif state == 'closed' and failures >= threshold then
  timeout = recovery
end
if not timeout then return state end
redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', string.format('%.0f', now),
  'recovery_timeout_ms', string.format('%.0f', timeout), 'next_attempt_at', string.format('%.0f', now + timeout))
redis.call('HDEL', KEYS[1], 'probe_until')
return 'open'
`;

const num = (value: string | undefined): number | null => (value === undefined || value === '' ? null : Number(value));

/**
 * Breaker state shared by every proxy instance through Redis (used when REDIS_URL is set).
 *
 * A healthy circuit (closed, no failures) is the common case, and asking Redis about it on every
 * attempt, then writing every success back, would cost two round trips per call. So an instance
 * trusts a healthy answer for `freshnessMs` and writes a success to a healthy circuit at most
 * once per `freshnessMs` (for `last_success_at`). Its own failures go to Redis at once and end
 * the trust; another instance's failures reach it within `freshnessMs`.
 */
export class RedisBreakerStore implements BreakerStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #freshnessMs: number;
  /** Per key id: until when a healthy answer from Redis is trusted. */
  readonly #healthyUntil = new Map<string, number>();
  /** Per key id: when this instance last wrote a success. */
  readonly #successWrittenAt = new Map<string, number>();

  constructor(redis: Redis, prefix = 'rungate:cb', options: { freshnessMs?: number } = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#freshnessMs = options.freshnessMs ?? 1_000;
    redis.defineCommand('rungateBreakerAttempt', { numberOfKeys: 1, lua: ATTEMPT });
    redis.defineCommand('rungateBreakerFailure', { numberOfKeys: 2, lua: FAILURE });
  }

  #stateKey(keyId: string): string {
    return `${this.#prefix}:key:${keyId}`;
  }

  get #indexKey(): string {
    return `${this.#prefix}:keys`;
  }

  #trustsHealthy(keyId: string, nowMs: number): boolean {
    const until = this.#healthyUntil.get(keyId);
    return until !== undefined && nowMs < until;
  }

  async canAttempt(keyId: string, settings: BreakerSettings, nowMs: number): Promise<boolean> {
    if (settings.failure_threshold === 0) return true;
    if (this.#trustsHealthy(keyId, nowMs)) return true;
    const answer = await this.#redis.rungateBreakerAttempt(
      this.#stateKey(keyId),
      settings.failure_threshold,
      settings.recovery_timeout_ms,
      nowMs,
    );
    if (answer === 2) this.#healthyUntil.set(keyId, nowMs + this.#freshnessMs);
    return answer !== 0;
  }

  async recordSuccess(key: BreakerKey, nowMs: number): Promise<void> {
    const writtenAt = this.#successWrittenAt.get(key.keyId);
    if (this.#trustsHealthy(key.keyId, nowMs) && writtenAt !== undefined && nowMs - writtenAt < this.#freshnessMs)
      return;
    this.#successWrittenAt.set(key.keyId, nowMs);
    this.#healthyUntil.set(key.keyId, nowMs + this.#freshnessMs);
    const stateKey = this.#stateKey(key.keyId);
    // Nothing is read, so one MULTI is atomic enough: a success closes whatever the state was.
    await this.#redis
      .multi()
      .hset(stateKey, {
        key_id: key.keyId,
        provider: key.provider,
        state: 'closed',
        failures: 0,
        last_success_at: nowMs,
      })
      .hdel(stateKey, 'opened_at', 'next_attempt_at', 'recovery_timeout_ms', 'probe_until')
      .sadd(this.#indexKey, key.keyId)
      .exec();
  }

  async recordFailure(key: BreakerKey, settings: BreakerSettings, nowMs: number): Promise<CircuitState> {
    const { failure_threshold, recovery_timeout_ms, max_recovery_timeout_ms } = settings;
    this.#healthyUntil.delete(key.keyId);
    const state = await this.#redis.rungateBreakerFailure(
      this.#stateKey(key.keyId),
      this.#indexKey,
      key.keyId,
      key.provider,
      failure_threshold,
      recovery_timeout_ms,
      max_recovery_timeout_ms,
      nowMs,
    );
    return state as CircuitState;
  }

  async snapshot(nowMs: number): Promise<BreakerSnapshot[]> {
    const ids = await this.#redis.smembers(this.#indexKey);
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#stateKey(id));
    const results = (await pipeline.exec()) ?? [];
    const snapshots: BreakerSnapshot[] = [];
    for (const [error, hash] of results) {
      if (error) throw error;
      const h = hash as Record<string, string>;
      if (!h.key_id) continue;
      snapshots.push(snapshotOf(fromHash(h), nowMs));
    }
    return snapshots;
  }
}

function fromHash(h: Record<string, string>): BreakerState {
  return {
    keyId: h.key_id ?? '',
    provider: h.provider ?? '',
    state: (h.state ?? 'closed') as CircuitState,
    failures: num(h.failures) ?? 0,
    openedAt: num(h.opened_at),
    nextAttemptAt: num(h.next_attempt_at),
    recoveryTimeoutMs: num(h.recovery_timeout_ms),
    probeUntil: num(h.probe_until),
    lastFailureAt: num(h.last_failure_at),
    lastSuccessAt: num(h.last_success_at),
  };
}
