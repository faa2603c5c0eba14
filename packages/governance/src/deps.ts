import type { Database } from '@rungate/db';
import type { Clock } from './common/clock.ts';
import type { SecretBox } from './common/crypto.ts';
import type { ConfigGeneration } from './common/ttl-cache.ts';

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
