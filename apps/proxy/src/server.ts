import {
  broadcastConfigChanges,
  createDatabase,
  createServices,
  decodeKey,
  REDIS_CLIENT_OPTIONS,
  sharedStateOverRedis,
} from '@rungate/governance';
import { closeOnSignals } from '@rungate/http';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { buildProxyApp } from './app.ts';
import { loadProxyEnv } from './env.ts';

const env = loadProxyEnv();
// Dependency errors (a lost database connection, Redis going away) are logged, never fatal;
// until the app's logger exists they go to stderr.
let warn = (error: unknown, message: string) => console.error(message, error);
const database = await createDatabase({
  url: env.DATABASE_URL,
  onError: (error) => warn(error, 'database connection lost'),
});
const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, REDIS_CLIENT_OPTIONS) : null;
redis?.on('error', (error) => warn(error, 'redis connection failed'));
const shared = redis && sharedStateOverRedis(redis, { mode: env.RUNGATE_REDIS_FAILURE, warn });
const services = createServices({
  db: database.db,
  encryptionKey: decodeKey(env.RUNGATE_ENCRYPTION_KEY),
  ...(shared ? { rateLimiter: shared.rateLimiter, breakers: shared.breakers, redisHealth: shared.health } : {}),
});
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
const app = await buildProxyApp({
  services,
  dispatcher,
  bodyLimit: env.RUNGATE_BODY_LIMIT_BYTES,
  logger: { level: env.LOG_LEVEL },
});
warn = (error, message) => app.log.warn({ err: error }, message);
// The api processes announce configuration changes; this proxy drops its cached agents, policies and keys on each.
const stopBroadcast = await broadcastConfigChanges(services.deps.configGeneration, {
  redisUrl: env.REDIS_URL,
  databaseUrl: env.DATABASE_URL,
  onError: (error) => app.log.error({ err: error }, 'configuration change channel failed'),
});

closeOnSignals(app.log, [
  () => app.close(),
  stopBroadcast,
  () => dispatcher.close(),
  async () => redis?.quit(),
  () => database.close(),
]);

await app.listen({ port: env.PORT, host: env.HOST });
