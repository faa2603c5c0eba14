/**
 * Who made a change, as domain events carry it: ids only (never a secret or an email), so a
 * receiver can tell an admin token's change from a signed-in member's. Both are null for the
 * bootstrap token and for changes the system makes itself (registration).
 */
export interface EventActor {
  token_id: string | null;
  member_id: string | null;
}

export const eventActor = (audit: { tokenId: string | null; memberId: string | null }): EventActor => ({
  token_id: audit.tokenId,
  member_id: audit.memberId,
});
