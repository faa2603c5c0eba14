import type { AdminTokenScope, MemberRole } from '@rungate/contracts';
import { AppError } from '../errors.ts';

/** What a caller may do: an admin token's scope, or the one a member's role grants. */
export type Scope = AdminTokenScope;

const SCOPE_RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };
const ROLE_SCOPE: Record<MemberRole, Scope> = { owner: 'admin', admin: 'admin', member: 'write', viewer: 'read' };

/** Who is calling, resolved once per request by the transport and passed to every service call. */
export type Actor =
  | { kind: 'token'; tokenId: string; scopes: Scope[] }
  | { kind: 'member'; memberId: string; role: MemberRole; email: string | null; sessionId: string }
  | { kind: 'bootstrap' };

export interface AuthContext {
  orgId: string;
  actor: Actor;
}

/** Highest scope the actor holds; the bootstrap token and owners hold everything. */
export function effectiveScope(actor: Actor): Scope {
  switch (actor.kind) {
    case 'bootstrap':
      return 'admin';
    case 'member':
      return ROLE_SCOPE[actor.role];
    case 'token':
      return actor.scopes.reduce<Scope>((best, s) => (SCOPE_RANK[s] > SCOPE_RANK[best] ? s : best), 'read');
  }
}

export function hasScope(actor: Actor, needed: Scope): boolean {
  return SCOPE_RANK[effectiveScope(actor)] >= SCOPE_RANK[needed];
}

export function requireScope(ctx: AuthContext, needed: Scope): void {
  if (!hasScope(ctx.actor, needed)) {
    throw new AppError('forbidden', `This operation requires the '${needed}' scope`);
  }
}

/** Values for the created_by / updated_by / *_by_token_id audit columns. */
/** Who made a change, as stored in audit columns. */
export interface AuditIdentity {
  by: string;
  tokenId: string | null;
  memberId: string | null;
}

export function auditIdentity(actor: Actor): AuditIdentity {
  switch (actor.kind) {
    case 'token':
      return { by: `token:${actor.tokenId}`, tokenId: actor.tokenId, memberId: null };
    case 'member':
      return { by: actor.email ?? `member:${actor.memberId}`, tokenId: null, memberId: actor.memberId };
    case 'bootstrap':
      return { by: 'bootstrap', tokenId: null, memberId: null };
  }
}
