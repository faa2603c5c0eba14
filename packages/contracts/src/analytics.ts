import { z } from 'zod';
import { dataEnvelope, dateRangeQuery, limitQuery, listEnvelope, OffsetQuery, Uuid } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const Granularity = z.enum(['hour', 'day', 'week']);
export type Granularity = z.infer<typeof Granularity>;

/** Filters shared by every analytics query. */
const analyticsFilters = {
  agent_id: Uuid.optional(),
  ...dateRangeQuery,
  limit: limitQuery(50, 1000),
  offset: OffsetQuery,
};

const dimensionFilters = {
  ...analyticsFilters,
  provider: z.string().optional(),
  model: z.string().optional(),
  granularity: Granularity.optional().describe('Time bucket; without it, one row per group'),
};

export const CostAnalyticsQuery = z.object({
  group_by: z.enum(['agent', 'provider', 'model', 'day']),
  ...dimensionFilters,
});
export type CostAnalyticsQuery = z.infer<typeof CostAnalyticsQuery>;

/** Grouping used by latency, error and throughput analytics. */
export const MetricsGroupBy = z.enum(['provider', 'model', 'agent', 'provider_key']);

export const MetricsAnalyticsQuery = z.object({ group_by: MetricsGroupBy, ...dimensionFilters });
export type MetricsAnalyticsQuery = z.infer<typeof MetricsAnalyticsQuery>;

export const ProviderReliabilityQuery = z.object(analyticsFilters);
export type ProviderReliabilityQuery = z.infer<typeof ProviderReliabilityQuery>;

export const RunAnalyticsQuery = z.object({ ...analyticsFilters, granularity: Granularity.optional() });
export type RunAnalyticsQuery = z.infer<typeof RunAnalyticsQuery>;

export const TopNQuery = z.object({
  metric: z.enum(['spend', 'requests', 'tokens', 'latency_p95', 'errors']),
  entity: z.enum(['agent', 'model', 'provider']),
  ...dateRangeQuery,
  limit: limitQuery(10, 100),
  agent_id: z.string().optional(),
});
export type TopNQuery = z.infer<typeof TopNQuery>;

export const CleanupPreviewQuery = z.object({
  days: z.coerce.number().int().min(1).default(30).describe('Retention period in days'),
});

export const CleanupInput = z
  .object({ days: z.number().int().min(1).describe('Delete data older than this many days') })
  .describe('Retention cleanup');
export type CleanupInput = z.infer<typeof CleanupInput>;

// ---- results --------------------------------------------------------------

const bucket = { group: z.string(), period: z.string().nullable().describe('Time bucket; null without granularity') };

export const CostAnalyticsResult = z
  .object({
    ...bucket,
    total_cost_usd: z.number(),
    total_tokens: z.number().int(),
    request_count: z.number().int(),
  })
  .describe('One group of a cost breakdown');
export type CostAnalyticsResult = z.infer<typeof CostAnalyticsResult>;

export const LatencyAnalyticsResult = z.object({
  ...bucket,
  p50_ms: z.number(),
  p95_ms: z.number(),
  p99_ms: z.number(),
  avg_ms: z.number(),
  request_count: z.number().int(),
});
export type LatencyAnalyticsResult = z.infer<typeof LatencyAnalyticsResult>;

export const ErrorAnalyticsResult = z.object({
  ...bucket,
  total_requests: z.number().int(),
  success_count: z.number().int(),
  error_count: z.number().int(),
  timeout_count: z.number().int(),
  budget_blocked_count: z.number().int(),
  policy_blocked_count: z.number().int(),
  approval_pending_count: z.number().int(),
  error_rate_pct: z.number(),
  failover_count: z.number().int(),
  avg_failover_attempts: z.number(),
});
export type ErrorAnalyticsResult = z.infer<typeof ErrorAnalyticsResult>;

export const ThroughputAnalyticsResult = z.object({
  ...bucket,
  request_count: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_creation_tokens: z.number().int(),
  total_tokens: z.number().int(),
  total_cost_usd: z.number(),
});
export type ThroughputAnalyticsResult = z.infer<typeof ThroughputAnalyticsResult>;

export const ProviderReliabilityResult = z.object({
  provider: z.string(),
  total_requests: z.number().int(),
  success_count: z.number().int(),
  error_count: z.number().int(),
  success_rate_pct: z.number(),
  avg_latency_ms: z.number(),
  p50_latency_ms: z.number(),
  p95_latency_ms: z.number(),
  failover_count: z.number().int(),
  total_cost_usd: z.number(),
});
export type ProviderReliabilityResult = z.infer<typeof ProviderReliabilityResult>;

export const RunAnalyticsResult = z.object({
  period: z.string().nullable(),
  total_runs: z.number().int(),
  completed_count: z.number().int(),
  failed_count: z.number().int(),
  budget_exceeded_count: z.number().int(),
  force_stopped_count: z.number().int(),
  running_count: z.number().int(),
  completion_rate_pct: z.number(),
  avg_duration_ms: z.number(),
  avg_steps_per_run: z.number(),
  avg_cost_per_run: z.number(),
  total_cost_usd: z.number(),
});
export type RunAnalyticsResult = z.infer<typeof RunAnalyticsResult>;

export const TopNEntry = z.object({ rank: z.number().int(), entity: z.string(), value: z.number() });
export type TopNEntry = z.infer<typeof TopNEntry>;

export const OverviewStats = z
  .object({
    active_agents: z.number().int(),
    total_spend_today: z.number(),
    total_runs_today: z.number().int(),
    tokens_processed_today: z.number().int(),
    spend_trend_pct: z.number(),
    runs_trend_pct: z.number(),
    completed_runs_today: z.number().int(),
    completion_rate_pct: z.number(),
  })
  .describe('Dashboard summary for today');
export type OverviewStats = z.infer<typeof OverviewStats>;

export const OldDataCount = z
  .object({ runs: z.number().int(), steps: z.number().int(), ledgerEntries: z.number().int() })
  .describe('Rows a cleanup would delete');
export type OldDataCount = z.infer<typeof OldDataCount>;

export const DeleteOldDataResult = z
  .object({
    runsDeleted: z.number().int(),
    stepsDeleted: z.number().int(),
    ledgerEntriesDeleted: z.number().int(),
  })
  .describe('Rows a cleanup deleted');
export type DeleteOldDataResult = z.infer<typeof DeleteOldDataResult>;

const tag = 'Analytics';
const auth = 'dashboard';

const metricsOperation = <const Id extends string, const Path extends string, R extends z.ZodType>(
  operationId: Id,
  path: Path,
  summary: string,
  row: R,
) =>
  defineOperation({
    operationId,
    method: 'GET',
    path,
    tag,
    summary,
    auth,
    query: MetricsAnalyticsQuery,
    responses: { 200: listEnvelope(row), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  });

export const analyticsOperations = {
  costs: defineOperation({
    operationId: 'getCostAnalytics',
    method: 'GET',
    path: '/api/analytics/costs',
    tag,
    summary: 'Get cost analytics',
    auth,
    query: CostAnalyticsQuery,
    responses: { 200: listEnvelope(CostAnalyticsResult), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
  latency: metricsOperation(
    'getLatencyAnalytics',
    '/api/analytics/latency',
    'Get latency analytics',
    LatencyAnalyticsResult,
  ),
  errors: metricsOperation('getErrorAnalytics', '/api/analytics/errors', 'Get error analytics', ErrorAnalyticsResult),
  throughput: metricsOperation(
    'getThroughputAnalytics',
    '/api/analytics/throughput',
    'Get throughput analytics',
    ThroughputAnalyticsResult,
  ),
  providerReliability: defineOperation({
    operationId: 'getProviderReliability',
    method: 'GET',
    path: '/api/analytics/provider-reliability',
    tag,
    summary: 'Get provider reliability metrics',
    auth,
    query: ProviderReliabilityQuery,
    responses: { 200: listEnvelope(ProviderReliabilityResult), 401: DashboardAuthError },
    successStatus: 200,
  }),
  runs: defineOperation({
    operationId: 'getRunAnalytics',
    method: 'GET',
    path: '/api/analytics/runs',
    tag,
    summary: 'Get run analytics',
    auth,
    query: RunAnalyticsQuery,
    responses: { 200: listEnvelope(RunAnalyticsResult), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
  top: defineOperation({
    operationId: 'getTopN',
    method: 'GET',
    path: '/api/analytics/top',
    tag,
    summary: 'Get top-N rankings',
    auth,
    query: TopNQuery,
    responses: { 200: listEnvelope(TopNEntry), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
  overview: defineOperation({
    operationId: 'getOverviewStats',
    method: 'GET',
    path: '/api/overview/stats',
    tag,
    summary: 'Get overview statistics',
    auth,
    responses: { 200: dataEnvelope(OverviewStats), 401: DashboardAuthError },
    successStatus: 200,
  }),
  cleanupPreview: defineOperation({
    operationId: 'previewCleanup',
    method: 'GET',
    path: '/api/analytics/cleanup-preview',
    tag,
    summary: 'Preview data cleanup',
    auth,
    query: CleanupPreviewQuery,
    responses: { 200: dataEnvelope(OldDataCount), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
  cleanup: defineOperation({
    operationId: 'deleteOldData',
    method: 'POST',
    path: '/api/analytics/cleanup',
    tag,
    summary: 'Delete old data',
    auth,
    body: CleanupInput,
    responses: { 200: dataEnvelope(DeleteOldDataResult), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
};
