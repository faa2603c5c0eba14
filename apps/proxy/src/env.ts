import { z } from 'zod';

/** The standalone proxy's configuration (scale-out); single-node mode uses the api's. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL (proxies share one database)'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  RUNGATE_ENCRYPTION_KEY: z.string().regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex characters or base64'),
  RUNGATE_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
});

export type ProxyEnv = z.infer<typeof EnvSchema>;

export function loadProxyEnv(source: NodeJS.ProcessEnv = process.env): ProxyEnv {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new Error(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}
