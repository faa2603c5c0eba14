import type { Step } from '@rungate/contracts';
import { type Executor, steps } from '@rungate/db';
import { asc, count, desc, type SQL } from 'drizzle-orm';
import { toStep } from './presenter.ts';
import { stepSortColumn } from './sorts.ts';

export interface StepPageQuery {
  sort?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
  limit: number;
  offset: number;
}

/**
 * One page of steps and their total, sorted as asked (step order by default, ascending): the
 * dashboard's and the agent's step listings alike, each with its own `where`.
 */
export async function stepPage(
  executor: Executor,
  where: SQL | undefined,
  query: StepPageQuery,
): Promise<{ data: Step[]; total: number }> {
  const column = stepSortColumn(query.sort);
  const direction = query.order === 'desc' ? desc : asc;
  const [rows, [totals]] = await Promise.all([
    executor
      .select()
      .from(steps)
      .where(where)
      .orderBy(direction(column), asc(steps.stepNumber))
      .limit(query.limit)
      .offset(query.offset),
    executor.select({ total: count() }).from(steps).where(where),
  ]);
  return { data: rows.map(toStep), total: totals?.total ?? 0 };
}
