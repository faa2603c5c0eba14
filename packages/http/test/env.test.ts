import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodyLimitBytes, databaseUrl, encryptionKey, host, logLevel, parseEnv, port, redisUrl } from '../src/env.ts';

const Schema = z.object({
  PORT: port.default(8080),
  HOST: host,
  LOG_LEVEL: logLevel,
  DATABASE_URL: databaseUrl('shared').optional(),
  REDIS_URL: redisUrl.optional(),
  RUNGATE_ENCRYPTION_KEY: encryptionKey.optional(),
  RUNGATE_BODY_LIMIT_BYTES: bodyLimitBytes,
});

describe('parseEnv', () => {
  it('applies the defaults and treats blank values as unset', () => {
    expect(parseEnv(Schema, { PORT: '', LOG_LEVEL: '', REDIS_URL: '' })).toEqual({
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      RUNGATE_BODY_LIMIT_BYTES: 10 * 1024 * 1024,
    });
  });

  it('names every bad variable in one readable message', () => {
    expect(() =>
      parseEnv(Schema, { DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x', RUNGATE_ENCRYPTION_KEY: 'short' }),
    ).toThrow(
      [
        'Invalid configuration:',
        '  DATABASE_URL: must be a postgres:// or postgresql:// URL (shared)',
        '  REDIS_URL: must be a redis:// or rediss:// URL',
        '  RUNGATE_ENCRYPTION_KEY: must be 32 bytes as 64 hex characters or base64',
      ].join('\n'),
    );
  });

  it('words the database URL message without a reason when none is given', () => {
    expect(databaseUrl().safeParse('sqlite://x').error?.issues[0]?.message).toBe(
      'must be a postgres:// or postgresql:// URL',
    );
  });
});
