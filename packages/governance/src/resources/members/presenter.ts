import type { Member } from '@rungate/contracts';
import type { members } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';

export type MemberRow = typeof members.$inferSelect;

export function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    org_id: row.orgId,
    email: row.email,
    display_name: row.displayName,
    role: row.role,
    status: row.status,
    invited_by: row.invitedBy,
    accepted_at: iso(row.acceptedAt),
    created_at: isoRequired(row.createdAt),
    updated_at: isoRequired(row.updatedAt),
  };
}
