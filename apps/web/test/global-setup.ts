import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** The browser test drives the built bundle the API serves; rebuild it when a source is newer. */
export default async function buildDashboardIfStale(): Promise<void> {
  const builtIndex = join(root, 'dist', 'index.html');
  const sourcesChanged = Math.max(
    ...['src', 'index.html', 'vite.config.ts'].map((path) => newestChange(join(root, path))),
  );
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sourcesChanged) return;
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
