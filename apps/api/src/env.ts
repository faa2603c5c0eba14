import {
  bodyLimitBytes,
  databaseUrl,
  encryptionKey,
  host,
  logLevel,
  parseEnv,
  port,
  redisFailure,
  redisUrl,
} from '@rungate/http';
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: port.default(8080),
  HOST: host,
  LOG_LEVEL: logLevel,
  RUNGATE_DATA_DIR: z.string().min(1).default('./.rungate'),
  DATABASE_URL: databaseUrl().optional(),
  REDIS_URL: redisUrl.optional(),
  RUNGATE_REDIS_FAILURE: redisFailure,
  RUNGATE_ENCRYPTION_KEY: encryptionKey.optional(),
  RUNGATE_BOOTSTRAP_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  RUNGATE_BODY_LIMIT_BYTES: bodyLimitBytes,
  RUNGATE_WEB_DIR: z.string().optional(),
  /** Refuse webhook receivers at loopback, private and link-local addresses (off: self-hosted receivers are often internal). */
  RUNGATE_WEBHOOK_BLOCK_PRIVATE_ADDRESSES: z
    .enum(['true', 'false', '1', '0'], 'must be true or false')
    .transform((value) => value === 'true' || value === '1')
    .default(false),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses the environment once at boot; a bad value stops the process with a readable message. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseEnv(EnvSchema, source);
}
