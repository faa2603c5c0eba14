import { Agent, type Dispatcher } from 'undici';

/**
 * Keep-alive connection pools to providers, one per connect timeout in use (undici applies the
 * connect timeout per pool). A test can pin a single dispatcher for everything instead.
 */
export class UpstreamPools {
  readonly #pools = new Map<number, Agent>();
  readonly #pinned: Dispatcher | undefined;

  constructor(pinned?: Dispatcher) {
    this.#pinned = pinned;
  }

  for(connectTimeoutMs: number): Dispatcher {
    if (this.#pinned) return this.#pinned;
    let pool = this.#pools.get(connectTimeoutMs);
    if (!pool) {
      pool = new Agent({ connect: { timeout: connectTimeoutMs }, keepAliveTimeout: 30_000, connections: 256 });
      this.#pools.set(connectTimeoutMs, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }
}
