import { type AdminToken, type CreateAdminTokenInput, expiresInToMs } from '@rungate/contracts';
import { adminTokens, type Executor } from '@rungate/db';
import { and, desc, eq } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../auth/context.ts';
import { issueSecret } from '../common/crypto.ts';
import { conflict, notFound } from '../common/errors.ts';
import { isUniqueViolation } from '../common/pg-errors.ts';
import type { ServiceDeps } from '../deps.ts';
import { toAdminToken } from './presenter.ts';

export const ADMIN_TOKEN_PREFIX = 'rg_adm_';

export function createAdminTokenService({ db, clock }: ServiceDeps) {
  /** Inserts a token for `orgId`; also used by registration inside its transaction. */
  async function issue(executor: Executor, orgId: string, input: CreateAdminTokenInput, createdBy: string | null) {
    const { secret, hash, displayPrefix } = issueSecret(ADMIN_TOKEN_PREFIX);
    const expiresAt = input.expires_in ? new Date(clock.now().getTime() + expiresInToMs(input.expires_in)) : null;
    try {
      const [row] = await executor
        .insert(adminTokens)
        .values({
          accountId: orgId,
          name: input.name,
          description: input.description ?? null,
          scopes: [...new Set(input.scopes)],
          tokenHash: hash,
          tokenPrefix: displayPrefix,
          expiresAt,
          createdBy,
        })
        .returning();
      return { token: toAdminToken(row!), secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`An admin token named '${input.name}' already exists`);
      throw error;
    }
  }

  return {
    issue,

    async create(ctx: AuthContext, input: CreateAdminTokenInput): Promise<{ data: AdminToken; token: string }> {
      const { token, secret } = await issue(db, ctx.orgId, input, auditIdentity(ctx.actor).by);
      return { data: token, token: secret };
    },

    async list(ctx: AuthContext, filter: { status?: 'active' | 'revoked' | undefined }): Promise<AdminToken[]> {
      const rows = await db
        .select()
        .from(adminTokens)
        .where(and(eq(adminTokens.accountId, ctx.orgId), filter.status ? eq(adminTokens.status, filter.status) : undefined))
        .orderBy(desc(adminTokens.createdAt));
      return rows.map(toAdminToken);
    },

    async get(ctx: AuthContext, id: string): Promise<AdminToken> {
      const [row] = await db
        .select()
        .from(adminTokens)
        .where(and(eq(adminTokens.id, id), eq(adminTokens.accountId, ctx.orgId)));
      if (!row) throw notFound('Admin token');
      return toAdminToken(row);
    },

    /** Idempotent: revoking a revoked token answers the same. */
    async revoke(ctx: AuthContext, id: string): Promise<{ message: string }> {
      const now = clock.now();
      const [row] = await db
        .update(adminTokens)
        .set({ status: 'revoked', revokedAt: now, updatedAt: now })
        .where(and(eq(adminTokens.id, id), eq(adminTokens.accountId, ctx.orgId), eq(adminTokens.status, 'active')))
        .returning({ id: adminTokens.id });
      if (!row) await this.get(ctx, id);
      return { message: 'Admin token revoked' };
    },
  };
}

export type AdminTokenService = ReturnType<typeof createAdminTokenService>;
