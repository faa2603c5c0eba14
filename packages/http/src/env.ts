import { z } from 'zod';

/** Request bodies above this are refused (413) unless RUNGATE_BODY_LIMIT_BYTES says otherwise. */
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The configuration both apps read, one schema per variable; each app composes its own
 * environment from these (with its own defaults and which ones it requires).
 */
export const port = z.coerce.number().int().min(0).max(65535);
export const host = z.string().min(1).default('0.0.0.0');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
/** `why` is appended to the message, for an app that cannot run on anything else. */
export const databaseUrl = (why?: string) =>
  z.string().regex(/^postgres(ql)?:\/\//, `must be a postgres:// or postgresql:// URL${why ? ` (${why})` : ''}`);
export const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');
/** While Redis is unreachable: `open` counts limits and breakers per process, `closed` answers 503. */
export const redisFailure = z.enum(['open', 'closed'], 'must be open or closed').default('open');
export const encryptionKey = z
  .string()
  .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex characters or base64');
export const bodyLimitBytes = z.coerce.number().int().positive().default(DEFAULT_BODY_LIMIT_BYTES);

/** Parses the environment once at boot; blank values count as unset, a bad value stops the process with a readable message. */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.output<S> {
  const blankAsUnset = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(blankAsUnset);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
