import { timingSafeEqual } from 'node:crypto';
import { accounts, adminTokens, members, sessions } from '@rungate/db';
import { and, eq, isNull } from 'drizzle-orm';
import type { ServiceDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { sha256Hex } from '../secrets/crypto.ts';
import { type AuthContext, requireScope } from './context.ts';
import { ADMIN_TOKEN_PREFIX } from './token-prefixes.ts';

export interface DashboardCredentials {
  bearer: string | null;
  sessionToken: string | null;
  /** Account the bootstrap token acts for (`X-Rungate-Account-Id`). */
  orgHint: string | null;
}

/** `last_used_at` is a hint, not an audit log: refresh it at most once a minute per token. */
const LAST_USED_RESOLUTION_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(sha256Hex(a), 'hex');
  const right = Buffer.from(sha256Hex(b), 'hex');
  return timingSafeEqual(left, right);
}

export function createAuthService({ db, clock, bootstrapToken }: ServiceDeps) {
  async function viaBootstrap(orgHint: string | null): Promise<AuthContext> {
    if (!orgHint || !UUID.test(orgHint)) {
      throw new AppError('forbidden', 'Account context required: send X-Rungate-Account-Id with the bootstrap token');
    }
    const [account] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, orgHint));
    if (!account) throw new AppError('forbidden', 'Account context required: unknown X-Rungate-Account-Id');
    return { orgId: account.id, actor: { kind: 'bootstrap' } };
  }

  async function viaAdminToken(token: string): Promise<AuthContext | null> {
    const [row] = await db
      .select()
      .from(adminTokens)
      .where(eq(adminTokens.tokenHash, sha256Hex(token)));
    const now = clock.now();
    if (row?.status !== 'active' || (row.expiresAt && row.expiresAt <= now)) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await db.update(adminTokens).set({ lastUsedAt: now }).where(eq(adminTokens.id, row.id));
    }
    return { orgId: row.accountId, actor: { kind: 'token', tokenId: row.id, scopes: row.scopes } };
  }

  async function viaSession(token: string): Promise<AuthContext | null> {
    const [row] = await db
      .select({ session: sessions, member: members })
      .from(sessions)
      .innerJoin(members, eq(members.id, sessions.memberId))
      .where(and(eq(sessions.tokenHash, sha256Hex(token)), isNull(sessions.revokedAt)));
    const now = clock.now();
    if (!row || row.session.expiresAt <= now || row.member.status !== 'active') return null;
    return {
      orgId: row.session.accountId,
      actor: {
        kind: 'member',
        memberId: row.member.id,
        role: row.member.role,
        email: row.member.email,
        sessionId: row.session.id,
      },
    };
  }

  return {
    /** Resolves the caller of a dashboard route, or null when the credentials prove nothing. */
    async authenticateDashboard(credentials: DashboardCredentials): Promise<AuthContext | null> {
      const { bearer } = credentials;
      if (bearer) {
        if (bootstrapToken && sameSecret(bearer, bootstrapToken)) return viaBootstrap(credentials.orgHint);
        if (bearer.startsWith(ADMIN_TOKEN_PREFIX)) return viaAdminToken(bearer);
        return null;
      }
      if (credentials.sessionToken) return viaSession(credentials.sessionToken);
      return null;
    },

    requireScope,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
