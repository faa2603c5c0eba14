import { randomBytes } from 'node:crypto';
import type { MemberRole } from '@rungate/contracts';
import { members, sessions } from '@rungate/db';
import { sha256Hex } from '@rungate/governance';
import type { Harness } from './harness.ts';

export type MemberRow = typeof members.$inferSelect;

/** A member of `orgId` with a live dashboard session; `cookie` is the header value to send. */
export async function addMember(
  h: Harness,
  orgId: string,
  role: MemberRole,
  name = role,
): Promise<{ member: MemberRow; cookie: string; sessionId: string }> {
  const db = h.services.deps.db;
  const [member] = await db
    .insert(members)
    .values({ orgId, email: `${name}-${randomBytes(3).toString('hex')}@acme.test`, displayName: name, role })
    .returning();
  const secret = randomBytes(24).toString('hex');
  const [session] = await db
    .insert(sessions)
    .values({
      accountId: orgId,
      memberId: member!.id,
      email: member!.email,
      tokenHash: sha256Hex(secret),
      expiresAt: new Date(h.clock.now().getTime() + 3_600_000),
    })
    .returning();
  return { member: member!, cookie: `rungate_session=${secret}`, sessionId: session!.id };
}
