import { steps } from '@rungate/db';
import { invalid } from '../../errors.ts';

/** The column of an API sort key; an unknown key is a 400 rather than an unindexed surprise. */
export function sortColumn<T extends Record<string, unknown>>(
  sorts: T,
  sort: string | undefined,
  fallback: keyof T,
): T[keyof T] {
  const key = sort ?? fallback;
  if (!Object.hasOwn(sorts, key)) {
    throw invalid(`Cannot sort by '${String(key)}'`, { sort: `must be one of ${Object.keys(sorts).join(', ')}` });
  }
  return sorts[key as keyof T];
}

/**
 * Step sorts by their API name, for the dashboard's and the agent's step listings alike. The
 * spec leaves a step listing's `sort` open; these are the indexed-or-cheap ones.
 */
const STEP_SORTS = {
  step_number: steps.stepNumber,
  created_at: steps.createdAt,
  cost_usd: steps.costUsd,
  latency_ms: steps.latencyMs,
} as const;

/** The column a step listing sorts by: `sort`, else the step number. */
export const stepSortColumn = (sort: string | undefined) => sortColumn(STEP_SORTS, sort, 'step_number');
