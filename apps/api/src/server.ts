import { createDatabase } from '@rungate/db';
import {
  broadcastConfigChanges,
  createServices,
  REDIS_CLIENT_OPTIONS,
  resolveEncryptionKey,
  sharedStateOverRedis,
  startAlertEvaluator,
  startSweeper,
  startWebhookEngine,
} from '@rungate/governance';
import { closeOnSignals } from '@rungate/http';
import { Redis } from 'ioredis';
import { buildApp } from './app.ts';
import { loadEnv } from './env.ts';

const env = loadEnv();
// Dependency errors (a lost database connection, Redis going away) are logged, never fatal;
// until the app's logger exists they go to stderr.
let warn = (error: unknown, message: string) => console.error(message, error);
const database = await createDatabase({
  url: env.DATABASE_URL,
  dataDir: env.RUNGATE_DATA_DIR,
  onError: (error) => warn(error, 'database connection lost'),
});
const encryptionKey = await resolveEncryptionKey({
  configured: env.RUNGATE_ENCRYPTION_KEY,
  dataDir: env.DATABASE_URL ? undefined : env.RUNGATE_DATA_DIR,
});
const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, REDIS_CLIENT_OPTIONS) : null;
redis?.on('error', (error) => warn(error, 'redis connection failed'));
const shared = redis && sharedStateOverRedis(redis, { mode: env.RUNGATE_REDIS_FAILURE, warn });
const services = createServices({
  db: database.db,
  encryptionKey: encryptionKey.key,
  bootstrapToken: env.RUNGATE_BOOTSTRAP_TOKEN,
  blockPrivateWebhookAddresses: env.RUNGATE_WEBHOOK_BLOCK_PRIVATE_ADDRESSES,
  ...(shared ? { rateLimiter: shared.rateLimiter, breakers: shared.breakers, redisHealth: shared.health } : {}),
});
const app = await buildApp({
  services,
  bodyLimit: env.RUNGATE_BODY_LIMIT_BYTES,
  logger: { level: env.LOG_LEVEL },
  webDir: env.RUNGATE_WEB_DIR ?? new URL('../../web/dist', import.meta.url).pathname,
});
warn = (error, message) => app.log.warn({ err: error }, message);
if (encryptionKey.generated)
  app.log.warn(`generated an encryption key in ${env.RUNGATE_DATA_DIR}; set RUNGATE_ENCRYPTION_KEY in production`);

const stopBroadcast = await broadcastConfigChanges(services.deps.configGeneration, {
  redisUrl: env.REDIS_URL,
  databaseUrl: env.DATABASE_URL,
  onError: (error) => app.log.error({ err: error }, 'configuration change announcement failed'),
});
const stopSweeper = startSweeper({
  db: database.db,
  now: () => services.deps.clock.now(),
  onError: (error) => app.log.error({ err: error }, 'background sweep failed'),
});
const stopAlertEvaluator = startAlertEvaluator({
  db: database.db,
  now: () => services.deps.clock.now(),
  onError: (error) => app.log.error({ err: error }, 'alert rule evaluation failed'),
});
const stopWebhookEngine = startWebhookEngine({
  db: database.db,
  clock: services.deps.clock,
  secretBox: services.deps.secretBox,
  slot: services.webhookEngine,
  blockPrivateAddresses: env.RUNGATE_WEBHOOK_BLOCK_PRIVATE_ADDRESSES,
  onError: (error) => app.log.error({ err: error }, 'webhook delivery round failed'),
});

closeOnSignals(app.log, [
  stopSweeper,
  stopAlertEvaluator,
  stopWebhookEngine,
  () => app.close(),
  stopBroadcast,
  async () => redis?.quit(),
  () => database.close(),
]);

await app.listen({ port: env.PORT, host: env.HOST });
