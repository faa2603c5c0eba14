import { createDatabase } from '@rungate/db';
import { createServices, resolveEncryptionKey } from '@rungate/governance';
import { buildApp } from './app.ts';
import { loadEnv } from './env.ts';

const env = loadEnv();
const database = await createDatabase({ url: env.DATABASE_URL, dataDir: env.RUNGATE_DATA_DIR });
const encryptionKey = await resolveEncryptionKey({
  configured: env.RUNGATE_ENCRYPTION_KEY,
  dataDir: env.DATABASE_URL ? undefined : env.RUNGATE_DATA_DIR,
});
const services = createServices({ db: database.db, encryptionKey: encryptionKey.key, bootstrapToken: env.RUNGATE_BOOTSTRAP_TOKEN });
const app = await buildApp({
  services,
  bodyLimit: env.RUNGATE_BODY_LIMIT_BYTES,
  logger: { level: env.LOG_LEVEL },
  webDir: env.RUNGATE_WEB_DIR ?? new URL('../../web/dist', import.meta.url).pathname,
});
if (encryptionKey.generated) app.log.warn(`generated an encryption key in ${env.RUNGATE_DATA_DIR}; set RUNGATE_ENCRYPTION_KEY in production`);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  await app.close();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: env.PORT, host: env.HOST });
