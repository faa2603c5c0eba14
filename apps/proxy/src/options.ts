import type { Services } from '@rungate/governance';
import type { Dispatcher } from 'undici';

/**
 * Collaborators of the proxy; the api passes its own in single-node mode. Governance (rate
 * limiter, prices, caches) lives in `services`; the dispatcher is the upstream keep-alive pool.
 */
export interface ProxyOptions {
  services: Services;
  dispatcher: Dispatcher;
}
