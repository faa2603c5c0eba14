import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** drizzle-kit output, committed next to `src/`. */
export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Arbitrary fixed key for `pg_advisory_lock` around start-up migrations. */
export const MIGRATION_LOCK_KEY = 7_251_180_001;

/** Short hash of every migration file; changes whenever a migration is added or edited. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')),
    join('meta', '_journal.json'),
  ].sort();
  for (const file of files) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 8);
}
