import { uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';

/**
 * `org_id` + `workspace_id` for tenant tables. Kept apart from columns.ts because it refers to
 * `accounts`: the reference is lazy, so schema files can import each other in any order.
 * Workspaces are reserved (no table yet).
 */
export const tenantColumns = () => ({
  orgId: uuid()
    .notNull()
    .references(() => accounts.id),
  workspaceId: uuid(),
});
