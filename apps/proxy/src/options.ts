import type { Services } from '@rungate/governance';
import type { Dispatcher } from 'undici';

/**
 * Collaborators of the proxy; the api passes its own in single-node mode. Governance (rate
 * limiter, prices, caches, circuit breakers) lives in `services`.
 */
export interface ProxyOptions {
  services: Services;
  /** Pins one upstream pool for every call (tests, benchmarks); by default the proxy keeps a pool per connect timeout. */
  dispatcher?: Dispatcher;
}
