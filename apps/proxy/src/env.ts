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

/** The standalone proxy's configuration (scale-out); single-node mode uses the api's. */
const EnvSchema = z.object({
  PORT: port.default(8081),
  HOST: host,
  LOG_LEVEL: logLevel,
  DATABASE_URL: databaseUrl('proxies share one database'),
  REDIS_URL: redisUrl.optional(),
  RUNGATE_REDIS_FAILURE: redisFailure,
  RUNGATE_ENCRYPTION_KEY: encryptionKey,
  RUNGATE_BODY_LIMIT_BYTES: bodyLimitBytes,
});

export type ProxyEnv = z.infer<typeof EnvSchema>;

export function loadProxyEnv(source: NodeJS.ProcessEnv = process.env): ProxyEnv {
  return parseEnv(EnvSchema, source);
}
