import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { healthOperations as ops } from '@rungate/contracts';
import { notFound } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

/** `docs/guides/` at the repo root, found from this file so the server's working directory never matters. */
export const GUIDES_DIR = fileURLToPath(new URL('../../../../docs/guides/', import.meta.url));

const GUIDE_FILE = /^([a-zA-Z0-9_-]+)\.md$/;

/**
 * Every `<name>.md` of the folder, read once. Requests only look names up in this map, so no
 * request value ever becomes a file path.
 */
export function loadGuides(dir: string = GUIDES_DIR): ReadonlyMap<string, string> {
  const guides = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.isFile() ? GUIDE_FILE.exec(entry.name)?.[1] : undefined;
    if (name) guides.set(name, readFileSync(join(dir, entry.name), 'utf8'));
  }
  return guides;
}

/** Read on first use and kept for the process: every app built in it (tests build many) shares it. */
let bundled: ReadonlyMap<string, string> | null = null;

/** `GET /docs/guides/{name}`: the integration guides as Markdown, without authentication. */
export function guideRoutes(app: FastifyInstance): void {
  bundled ??= loadGuides();
  const guides = bundled;
  addRoute(app, ops.guide, async ({ params }) => {
    const guide = guides.get(params.name);
    if (guide === undefined) throw notFound(`Guide '${params.name}'`);
    return guide;
  });
}
