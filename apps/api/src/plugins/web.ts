import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Prefixes owned by the API: an unknown path there stays the JSON 404, never the dashboard's HTML. */
const API_PREFIXES = ['/api', '/v1', '/trpc', '/graphql', '/health', '/docs'];

export function hasWebBuild(webDir: string): boolean {
  return existsSync(join(webDir, 'index.html'));
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** A missing `/assets/x.js` should be a 404, not an HTML page the browser then fails to parse. */
function looksLikeFile(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes('.');
}

/**
 * Serves the built dashboard at `/`. Files are listed once at boot (the build does not change under a
 * running server), and any other GET that is not an API path gets index.html so client-side routes
 * such as `/agents` survive a reload.
 */
export async function registerWeb(app: FastifyInstance, webDir: string): Promise<void> {
  const root = resolve(webDir);
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    setHeaders(reply, path) {
      // Vite fingerprints everything under assets/; index.html must be revalidated to pick up a new build.
      const immutable = path.startsWith(join(root, 'assets'));
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (isApiPath(path) || looksLikeFile(path)) return reply.callNotFound();
    return reply.sendFile('index.html', root);
  });
}
