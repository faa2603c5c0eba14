import type { Account } from '@rungate/contracts';
import type { accounts } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';

export function toAccount(row: typeof accounts.$inferSelect): Account {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    tier: row.tier,
    email: row.email,
    status: row.status,
    is_hosted: row.isHosted,
    monthly_step_count: row.monthlyStepCount,
    monthly_step_count_reset_at: iso(row.monthlyStepCountResetAt),
    step_limit_override: row.stepLimitOverride,
    created_at: isoRequired(row.createdAt),
    updated_at: isoRequired(row.updatedAt),
  };
}
