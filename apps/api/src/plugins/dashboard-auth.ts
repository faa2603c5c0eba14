import type { AuthContext, Scope, Services } from '@rungate/governance';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext;
  }
  interface FastifyContextConfig {
    /** Scope a route needs; defaults to read for GET/HEAD and write for everything else. */
    scope?: Scope;
  }
}

export const SESSION_COOKIE = 'rungate_session';

export function readCredentials(request: FastifyRequest): {
  bearer: string | null;
  sessionToken: string | null;
  orgHint: string | null;
} {
  const header = request.headers.authorization;
  const bearer = header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : null;
  const orgHeader = request.headers['x-rungate-account-id'];
  return {
    bearer: bearer || null,
    sessionToken: readCookie(request.headers.cookie, SESSION_COOKIE),
    orgHint: typeof orgHeader === 'string' ? orgHeader : null,
  };
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * One hook authenticates every dashboard route (admin token or session cookie) and enforces the
 * route's scope. Failures answer the spec's flat `DashboardAuthError` (401) or `forbidden` (403).
 */
export const dashboardAuth = fp(
  async (app: FastifyInstance, opts: { services: Services }) => {
    app.decorateRequest('auth', null as unknown as AuthContext);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config.auth !== 'dashboard') return;
      const auth = await opts.services.auth.authenticateDashboard(readCredentials(request));
      if (!auth) return reply.status(401).send({ error: 'Authentication required' });
      const needed =
        request.routeOptions.config.scope ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
      opts.services.auth.requireScope(auth, needed);
      request.auth = auth;
    });
  },
  { name: 'rungate-dashboard-auth' },
);
