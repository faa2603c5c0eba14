import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function decodeKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('RUNGATE_ENCRYPTION_KEY must decode to 32 bytes');
  return key;
}

/**
 * The configured key wins. Embedded mode (a data dir, no key) generates one once and keeps it
 * beside the data, so a restart can still decrypt; a shared database demands an explicit key.
 */
export async function resolveEncryptionKey(options: {
  configured?: string;
  dataDir?: string;
}): Promise<{ key: Buffer; generated: boolean }> {
  if (options.configured) return { key: decodeKey(options.configured), generated: false };
  if (!options.dataDir) throw new Error('RUNGATE_ENCRYPTION_KEY is required when DATABASE_URL is set');
  const file = join(options.dataDir, 'encryption.key');
  try {
    return { key: decodeKey((await readFile(file, 'utf8')).trim()), generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  return { key, generated: true };
}
