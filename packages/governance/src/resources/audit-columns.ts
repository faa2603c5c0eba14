import type { AuditIdentity } from '../auth/context.ts';
import { isoRequired } from '../time/dates.ts';

/** The audit columns every owned resource row carries. */
interface AuditedRow {
  memberId: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdByTokenId: string | null;
  updatedByTokenId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Audit columns for a row being created now by `who` (creator and last editor alike). */
export function createdBy(who: AuditIdentity, now: Date) {
  return {
    memberId: who.memberId,
    createdBy: who.by,
    updatedBy: who.by,
    createdByTokenId: who.tokenId,
    updatedByTokenId: who.tokenId,
    createdAt: now,
    updatedAt: now,
  };
}

/** The audit fields of an API object, from its row. */
export function auditFields(row: AuditedRow) {
  return {
    member_id: row.memberId,
    created_by: row.createdBy,
    updated_by: row.updatedBy,
    created_by_token_id: row.createdByTokenId,
    updated_by_token_id: row.updatedByTokenId,
    created_at: isoRequired(row.createdAt),
    updated_at: isoRequired(row.updatedAt),
  };
}
