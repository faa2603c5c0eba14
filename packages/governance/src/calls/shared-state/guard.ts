import { AppError } from '../../errors.ts';

/** What limits and breakers do while Redis is unreachable (`RUNGATE_REDIS_FAILURE`). */
export type RedisFailureMode = 'open' | 'closed';

export type SharedStateHealth = 'connected' | 'degraded';

export interface SharedStateGuardOptions {
  mode: RedisFailureMode;
  /** Told once when shared state becomes unreachable, and once when it is back. */
  onChange?: (health: SharedStateHealth, error: unknown) => void;
}

/**
 * Redis answered and refused the command (a script error): a bug to surface, not an outage.
 * Everything else a Redis call rejects with (refused or reset connections, a full offline
 * queue, a command timeout) means Redis is unreachable.
 */
const isRedisReply = (error: unknown) => error instanceof Error && error.name === 'ReplyError';

/**
 * Runs each shared-state operation against Redis and decides what an outage means: by default
 * the process falls back to its own state (limits and breakers counted per process, logged);
 * in `closed` mode the call is refused with 503 instead (docs/decisions.md, outages).
 */
export class SharedStateGuard {
  readonly mode: RedisFailureMode;
  readonly #onChange: SharedStateGuardOptions['onChange'];
  #health: SharedStateHealth = 'connected';

  constructor(options: SharedStateGuardOptions) {
    this.mode = options.mode;
    this.#onChange = options.onChange;
  }

  get health(): SharedStateHealth {
    return this.#health;
  }

  /**
   * A failed shared operation marks the state degraded. Only the client's own word that it is
   * ready again marks it connected (`reconnected`): an operation that succeeds may not have
   * reached Redis at all (counts waiting in process, a breaker read from its fresh cache).
   */
  async run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      return await shared();
    } catch (error) {
      if (isRedisReply(error)) throw error;
      this.#set('degraded', error);
      if (this.mode === 'closed') {
        throw new AppError('service_unavailable', 'Shared rate-limit and circuit-breaker state (Redis) is unreachable');
      }
      return local();
    }
  }

  /** The client is connected and ready again. */
  reconnected(): void {
    this.#set('connected', null);
  }

  #set(health: SharedStateHealth, error: unknown): void {
    if (this.#health === health) return;
    this.#health = health;
    this.#onChange?.(health, error);
  }
}
