import type { Database } from '@rungate/db';
import type { ConfigGeneration } from './config-cache/ttl-cache.ts';
import type { SecretBox } from './secrets/crypto.ts';
import type { Clock } from './time/clock.ts';

/** Collaborators every service receives; passed in so tests and scale-out can swap them. */
export interface ServiceDeps {
  db: Database;
  clock: Clock;
  secretBox: SecretBox;
  /** Bumped on every configuration change, so hot-path caches drop what they hold. */
  configGeneration: ConfigGeneration;
  /** Operator token valid for every account (unscoped until an account is named). */
  bootstrapToken?: string;
}
