import { alertRules, type Database, type Executor } from '@rungate/db';
import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { recordEvent } from '../../events/outbox.ts';
import { type AlertRuleRow, toAlertRule } from '../../resources/alert-rules/presenter.ts';
import { startPeriodic, type WorkerOptions, withTryLock } from '../exclusive.ts';
import { type Measurement, measure } from './measure.ts';

/** How often the api evaluates alert rules. */
export const ALERT_EVALUATION_INTERVAL_MS = 60_000;

export interface AlertRuleEvaluation {
  /** Active rules past their cooldown that were measured. */
  evaluated: number;
  /** Ids of the rules that fired (each recorded one `alert.triggered`). */
  triggered: string[];
}

/** Active and out of cooldown: never fired, or fired at least `cooldown_seconds` before `now`. */
const dueAt = (now: Date) =>
  and(
    eq(alertRules.status, 'active'),
    or(
      isNull(alertRules.lastTriggeredAt),
      lte(alertRules.lastTriggeredAt, sql`${now}::timestamptz - ${alertRules.cooldownSeconds} * interval '1 second'`),
    ),
  );

/** The `alert.triggered` event's `data`. */
function triggeredPayload(rule: AlertRuleRow, measurement: Measurement, now: Date): Record<string, unknown> {
  return {
    alert_rule: toAlertRule(rule),
    condition_type: rule.conditionType,
    agent_id: rule.agentId,
    measured_value: measurement.value,
    threshold: measurement.threshold,
    unit: measurement.unit,
    window: measurement.window,
    details: measurement.details,
    triggered_at: now.toISOString(),
  };
}

/**
 * Marks the rule triggered and records `alert.triggered` in one transaction. The UPDATE repeats
 * the due condition, so when two evaluators measured the same rule only one of them fires it.
 */
async function fire(db: Executor, rule: AlertRuleRow, measurement: Measurement, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [marked] = await tx
      .update(alertRules)
      // Firing is not an edit: updated_at keeps its value.
      .set({ lastTriggeredAt: now, updatedAt: sql`${alertRules.updatedAt}` })
      .where(and(eq(alertRules.id, rule.id), dueAt(now)))
      .returning();
    if (!marked) return false;
    await recordEvent(
      tx,
      {
        orgId: marked.orgId,
        agentId: marked.agentId,
        type: 'alert.triggered',
        data: triggeredPayload(marked, measurement, now),
      },
      now,
    );
    return true;
  });
}

/** Measures every due rule once and fires those at or above their threshold. Safe to run concurrently. */
export async function evaluateAlertRules(db: Executor, now: Date): Promise<AlertRuleEvaluation> {
  const due = await db.select().from(alertRules).where(dueAt(now)).orderBy(asc(alertRules.id));
  const triggered: string[] = [];
  for (const rule of due) {
    const measurement = await measure(db, rule, now);
    if (measurement?.fired && (await fire(db, rule, measurement, now))) triggered.push(rule.id);
  }
  return { evaluated: due.length, triggered };
}

/** One pass under the evaluator's advisory lock; null when another instance is evaluating. */
export function evaluateAlertRulesOnce(db: Database, now: Date): Promise<AlertRuleEvaluation | null> {
  return withTryLock(db, 'alert-evaluator', (tx) => evaluateAlertRules(tx, now));
}

/** Evaluates every `intervalMs` (default 60 s); the returned `stop` resolves once a pass in flight ends. */
export function startAlertEvaluator(options: WorkerOptions): () => Promise<void> {
  return startPeriodic({
    name: 'alert-evaluator',
    intervalMs: options.intervalMs ?? ALERT_EVALUATION_INTERVAL_MS,
    run: () => evaluateAlertRulesOnce(options.db, options.now()),
    onError: options.onError,
  });
}
