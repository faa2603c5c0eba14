import type { DeleteOldDataResult, OldDataCount } from '@rungate/contracts';
import type { AuthContext } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { invalid } from '../../errors.ts';
import { countOldData, PURGE_BATCH_ROWS, purgeOldData } from './old-runs.ts';

const DAY_MS = 86_400_000;

/** The moment data must predate to be removed; a period reaching before 1970 removes nothing. */
function cutoffFor(now: Date, days: number): Date {
  if (!Number.isSafeInteger(days) || days < 1)
    throw invalid('Invalid retention period', { days: 'must be an integer of at least 1' });
  return new Date(Math.max(0, now.getTime() - days * DAY_MS));
}

/** Data retention for the caller's org: runs, steps and ledger entries older than a number of days. */
export function createRetentionService({ db, clock }: ServiceDeps, options: { batchRows?: number } = {}) {
  const batchRows = options.batchRows ?? PURGE_BATCH_ROWS;
  return {
    async preview(ctx: AuthContext, days: number): Promise<OldDataCount> {
      return countOldData(db, ctx.orgId, cutoffFor(clock.now(), days));
    },

    async cleanup(ctx: AuthContext, days: number): Promise<DeleteOldDataResult> {
      const purged = await purgeOldData(db, ctx.orgId, cutoffFor(clock.now(), days), batchRows);
      return { runsDeleted: purged.runs, stepsDeleted: purged.steps, ledgerEntriesDeleted: purged.ledgerEntries };
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
