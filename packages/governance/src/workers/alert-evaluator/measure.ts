import type { AlertConditionConfigs } from '@rungate/contracts';
import { agents, approvalRequests, type Executor, ledgerEntries, policies, runs, steps } from '@rungate/db';
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { compareUsd, usdToNumber } from '../../calls/pricing/money.ts';
import { readConditionConfig } from '../../resources/alert-rules/conditions.ts';
import type { AlertRuleRow } from '../../resources/alert-rules/presenter.ts';

/** What an evaluation saw for one rule; `fired` when the value is at or above the threshold. */
export interface Measurement {
  fired: boolean;
  /** In `unit`: USD spent, a percentage, or minutes. */
  value: number;
  threshold: number;
  unit: 'usd' | 'percent' | 'minutes';
  /** The time span measured; null for conditions about the present (pending approvals). */
  window: { minutes: number; start: string; end: string } | null;
  /** The counts behind the value. */
  details: Record<string, unknown>;
}

interface Scope {
  orgId: string;
  agentId: string | null;
}

const MINUTE_MS = 60_000;
const round2 = (value: number) => Math.round(value * 100) / 100;

const windowOf = (minutes: number, now: Date) => {
  const start = new Date(now.getTime() - minutes * MINUTE_MS);
  return { start, range: { minutes, start: start.toISOString(), end: now.toISOString() } };
};

/** Calls that reached a provider: governance blocks are decisions, not failures, and failover_transition rows are not calls. */
const FORWARDED = ['success', 'error', 'timeout'] as const;

async function costThreshold(
  db: Executor,
  scope: Scope,
  config: AlertConditionConfigs['cost_threshold'],
  now: Date,
): Promise<Measurement> {
  const { start, range } = windowOf(config.window_minutes, now);
  const [row] = await db
    .select({ spent: sql<string>`coalesce(sum(${ledgerEntries.costUsd}), 0)::text` })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.orgId, scope.orgId),
        scope.agentId ? eq(ledgerEntries.agentId, scope.agentId) : undefined,
        gt(ledgerEntries.createdAt, start),
        lte(ledgerEntries.createdAt, now),
      ),
    );
  const spent = row?.spent ?? '0';
  return {
    fired: compareUsd(spent, config.threshold_usd) >= 0,
    value: usdToNumber(spent),
    threshold: config.threshold_usd,
    unit: 'usd',
    window: range,
    details: {},
  };
}

/** Forwarded calls in the window: how many, how many failed, how many failed over. */
async function callCounts(db: Executor, scope: Scope, start: Date, now: Date) {
  const [row] = await db
    .select({
      calls: sql<number>`count(*)::int`,
      failed: sql<number>`(count(*) filter (where ${steps.status} in ('error', 'timeout')))::int`,
      failedOver: sql<number>`(count(*) filter (where ${steps.failoverAttempts} > 0))::int`,
    })
    .from(steps)
    .where(
      and(
        eq(steps.orgId, scope.orgId),
        scope.agentId ? eq(steps.agentId, scope.agentId) : undefined,
        eq(steps.type, 'llm_call'),
        inArray(steps.status, [...FORWARDED]),
        gt(steps.createdAt, start),
        lte(steps.createdAt, now),
      ),
    );
  return { calls: Number(row?.calls ?? 0), failed: Number(row?.failed ?? 0), failedOver: Number(row?.failedOver ?? 0) };
}

/** `part` of `calls` as a percentage, fired at or above `threshold` once there are `min_calls`. */
function share(part: number, calls: number, config: { threshold_percent: number; min_calls: number }) {
  return {
    fired: calls >= config.min_calls && part * 100 >= config.threshold_percent * calls,
    value: calls === 0 ? 0 : round2((part * 100) / calls),
    threshold: config.threshold_percent,
    unit: 'percent' as const,
  };
}

async function errorRate(
  db: Executor,
  scope: Scope,
  config: AlertConditionConfigs['error_rate'],
  now: Date,
): Promise<Measurement> {
  const { start, range } = windowOf(config.window_minutes, now);
  const counts = await callCounts(db, scope, start, now);
  return {
    ...share(counts.failed, counts.calls, config),
    window: range,
    details: { calls: counts.calls, failed_calls: counts.failed, min_calls: config.min_calls },
  };
}

async function failoverRate(
  db: Executor,
  scope: Scope,
  config: AlertConditionConfigs['failover_rate'],
  now: Date,
): Promise<Measurement> {
  const { start, range } = windowOf(config.window_minutes, now);
  const counts = await callCounts(db, scope, start, now);
  return {
    ...share(counts.failedOver, counts.calls, config),
    window: range,
    details: { calls: counts.calls, failed_over_calls: counts.failedOver, min_calls: config.min_calls },
  };
}

/**
 * Use of the agent's policy `rate_limits` over the last 60 s: requests the limiter let through
 * (forwarded and dry-run calls of runs under that policy, as the limiter counts per agent and
 * policy) and their tokens. The value is the larger share; null when the policy sets no limit.
 */
async function rateLimitApproaching(
  db: Executor,
  scope: Scope,
  config: AlertConditionConfigs['rate_limit_approaching'],
  now: Date,
): Promise<Measurement | null> {
  if (!scope.agentId) return null;
  const [agent] = await db
    .select({ policyId: agents.policyId, limits: policies.rateLimits })
    .from(agents)
    .innerJoin(policies, eq(policies.id, agents.policyId))
    .where(and(eq(agents.id, scope.agentId), eq(agents.orgId, scope.orgId)));
  const maxRequests = agent?.limits.max_requests_per_minute ?? null;
  const maxTokens = agent?.limits.max_tokens_per_minute ?? null;
  if (!agent || (maxRequests === null && maxTokens === null)) return null;

  const { start, range } = windowOf(1, now);
  const [used] = await db
    .select({
      requests: sql<number>`count(*)::int`,
      tokens: sql<string>`coalesce(sum(${steps.inputTokens} + ${steps.outputTokens} + ${steps.cacheReadTokens} + ${steps.cacheCreationTokens}), 0)::text`,
    })
    .from(steps)
    .innerJoin(runs, eq(runs.id, steps.runId))
    .where(
      and(
        eq(steps.agentId, scope.agentId),
        eq(steps.orgId, scope.orgId),
        eq(runs.policyId, agent.policyId),
        inArray(steps.type, ['llm_call', 'dry_run']),
        inArray(steps.status, [...FORWARDED]),
        gt(steps.createdAt, start),
        lte(steps.createdAt, now),
      ),
    );
  const requests = Number(used?.requests ?? 0);
  const tokens = Number(used?.tokens ?? 0);
  const shares = [
    maxRequests === null ? 0 : (requests * 100) / maxRequests,
    maxTokens === null ? 0 : (tokens * 100) / maxTokens,
  ];
  const fired =
    (maxRequests !== null && requests * 100 >= config.threshold_percent * maxRequests) ||
    (maxTokens !== null && tokens * 100 >= config.threshold_percent * maxTokens);
  return {
    fired,
    value: round2(Math.max(...shares)),
    threshold: config.threshold_percent,
    unit: 'percent',
    window: range,
    details: {
      policy_id: agent.policyId,
      requests,
      max_requests_per_minute: maxRequests,
      tokens,
      max_tokens_per_minute: maxTokens,
    },
  };
}

/** Pending approval requests (not yet past `expires_at`) waiting at least `threshold_minutes`; the value is the oldest one's wait. */
async function approvalPendingTimeout(
  db: Executor,
  scope: Scope,
  config: AlertConditionConfigs['approval_pending_timeout'],
  now: Date,
): Promise<Measurement> {
  const cutoff = new Date(now.getTime() - config.threshold_minutes * MINUTE_MS);
  const [oldest] = await db
    .select({
      id: approvalRequests.id,
      createdAt: approvalRequests.createdAt,
      overdue: sql<number>`(count(*) over ())::int`,
    })
    .from(approvalRequests)
    .where(
      and(
        eq(approvalRequests.orgId, scope.orgId),
        eq(approvalRequests.status, 'pending'),
        scope.agentId ? eq(approvalRequests.agentId, scope.agentId) : undefined,
        lte(approvalRequests.createdAt, cutoff),
        gt(approvalRequests.expiresAt, now),
      ),
    )
    .orderBy(asc(approvalRequests.createdAt))
    .limit(1);
  return {
    fired: oldest !== undefined,
    value: oldest ? round2((now.getTime() - oldest.createdAt.getTime()) / MINUTE_MS) : 0,
    threshold: config.threshold_minutes,
    unit: 'minutes',
    window: null,
    details: { overdue_requests: Number(oldest?.overdue ?? 0), oldest_approval_request_id: oldest?.id ?? null },
  };
}

/** Measures a rule's condition at `now`; null when its config no longer parses or there is nothing to measure. */
export async function measure(db: Executor, rule: AlertRuleRow, now: Date): Promise<Measurement | null> {
  const scope = { orgId: rule.orgId, agentId: rule.agentId };
  const raw = rule.conditionConfig;
  switch (rule.conditionType) {
    case 'cost_threshold': {
      const config = readConditionConfig('cost_threshold', raw);
      return config && costThreshold(db, scope, config, now);
    }
    case 'error_rate': {
      const config = readConditionConfig('error_rate', raw);
      return config && errorRate(db, scope, config, now);
    }
    case 'failover_rate': {
      const config = readConditionConfig('failover_rate', raw);
      return config && failoverRate(db, scope, config, now);
    }
    case 'rate_limit_approaching': {
      const config = readConditionConfig('rate_limit_approaching', raw);
      return config && rateLimitApproaching(db, scope, config, now);
    }
    case 'approval_pending_timeout': {
      const config = readConditionConfig('approval_pending_timeout', raw);
      return config && approvalPendingTimeout(db, scope, config, now);
    }
  }
}
