import { type AdminToken, type CreateAdminTokenInput, expiresInToMs } from '@rungate/contracts';
import { adminTokens, type Executor, returnedRow } from '@rungate/db';
import { and, desc, eq } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../../auth/context.ts';
import { ADMIN_TOKEN_PREFIX } from '../../auth/token-prefixes.ts';
import type { ServiceDeps } from '../../deps.ts';
import { conflict, notFound } from '../../errors.ts';
import { type EventActor, eventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { issueSecret } from '../../secrets/crypto.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { toAdminToken } from './presenter.ts';

/** Tokens issued by the system itself (registration, seeding) have no acting token or member. */
const SYSTEM: EventActor = { token_id: null, member_id: null };

export function createAdminTokenService({ db, clock }: ServiceDeps) {
  /**
   * Inserts a token for `orgId` and queues `admin_token.created` (never with the secret); also
   * used by registration inside its transaction.
   */
  async function issue(
    executor: Executor,
    orgId: string,
    input: CreateAdminTokenInput,
    createdBy: string | null,
    actor: EventActor = SYSTEM,
  ) {
    const { secret, hash, displayPrefix } = issueSecret(ADMIN_TOKEN_PREFIX);
    const expiresAt = input.expires_in ? new Date(clock.now().getTime() + expiresInToMs(input.expires_in)) : null;
    try {
      const row = returnedRow(
        await executor
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
          .returning(),
      );
      const token = toAdminToken(row);
      await recordEvent(
        executor,
        { orgId, type: 'admin_token.created', data: { admin_token: token, actor } },
        clock.now(),
      );
      return { token, secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`An admin token named '${input.name}' already exists`);
      throw error;
    }
  }

  return {
    issue,

    async create(ctx: AuthContext, input: CreateAdminTokenInput): Promise<{ data: AdminToken; token: string }> {
      const audit = auditIdentity(ctx.actor);
      const { token, secret } = await db.transaction((tx) => issue(tx, ctx.orgId, input, audit.by, eventActor(audit)));
      return { data: token, token: secret };
    },

    async list(ctx: AuthContext, filter: { status?: 'active' | 'revoked' | undefined }): Promise<AdminToken[]> {
      const rows = await db
        .select()
        .from(adminTokens)
        .where(
          and(eq(adminTokens.accountId, ctx.orgId), filter.status ? eq(adminTokens.status, filter.status) : undefined),
        )
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

    /** Idempotent: revoking a revoked token answers the same (and queues no second event). */
    async revoke(ctx: AuthContext, id: string): Promise<{ message: string }> {
      const row = await db.transaction(async (tx) => {
        const now = clock.now();
        const [revoked] = await tx
          .update(adminTokens)
          .set({ status: 'revoked', revokedAt: now, updatedAt: now })
          .where(and(eq(adminTokens.id, id), eq(adminTokens.accountId, ctx.orgId), eq(adminTokens.status, 'active')))
          .returning();
        if (revoked) {
          const data = { admin_token: toAdminToken(revoked), actor: eventActor(auditIdentity(ctx.actor)) };
          await recordEvent(tx, { orgId: ctx.orgId, type: 'admin_token.revoked', data }, now);
        }
        return revoked;
      });
      if (!row) await this.get(ctx, id);
      return { message: 'Admin token revoked' };
    },
  };
}

export type AdminTokenService = ReturnType<typeof createAdminTokenService>;
