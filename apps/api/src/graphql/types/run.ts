import { IdParams, ListRunsQuery, type Run, RunStatus } from '@rungate/contracts';
import { parseArgs } from '../args.ts';
import { builder } from '../builder.ts';

const RunStatusEnum = builder.enumType('RunStatus', { values: RunStatus.options });
const SortOrderEnum = builder.enumType('RunSortOrder', { values: ['asc', 'desc'] as const });

const TokenTotalsRef = builder.objectRef<Run['tokens_used']>('RunTokenTotals').implement({
  description: 'Tokens in four buckets; total = input + output + cache_read + cache_creation',
  fields: (t) => ({
    input: t.exposeInt('input'),
    output: t.exposeInt('output'),
    cache_read: t.exposeInt('cache_read'),
    cache_creation: t.exposeInt('cache_creation'),
    total: t.exposeInt('total'),
  }),
});

export const RunRef = builder.objectRef<Run>('Run').implement({
  description: 'The LLM calls of one agent session',
  fields: (t) => ({
    id: t.exposeID('id'),
    agent_id: t.exposeID('agent_id'),
    org_id: t.string({ nullable: true, resolve: (r) => r.org_id ?? null }),
    agent_name: t.string({ nullable: true, resolve: (r) => r.agent_name ?? null }),
    name: t.string({ nullable: true, resolve: (r) => r.name ?? null }),
    primary_model: t.string({ nullable: true, resolve: (r) => r.primary_model ?? null }),
    status: t.field({ type: RunStatusEnum, resolve: (r) => r.status }),
    creation_method: t.exposeString('creation_method'),
    ended_reason: t.string({ nullable: true, resolve: (r) => r.ended_reason ?? null }),
    completion_reason: t.string({ nullable: true, resolve: (r) => r.completion_reason ?? null }),
    budget: t.field({ type: 'JSON', resolve: (r) => r.budget }),
    alert_threshold_exceeded: t.boolean({ resolve: (r) => r.alert_threshold_exceeded ?? false }),
    alert_sent_at: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.alert_sent_at ?? null }),
    tokens_used: t.field({ type: TokenTotalsRef, resolve: (r) => r.tokens_used }),
    cost_usd: t.exposeFloat('cost_usd'),
    policy_name: t.string({ nullable: true, resolve: (r) => r.policy_name ?? null }),
    policy_snapshot: t.field({ type: 'JSON', resolve: (r) => r.policy_snapshot ?? {} }),
    step_count: t.exposeInt('step_count'),
    last_step_at: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.last_step_at ?? null }),
    started_at: t.field({ type: 'DateTime', resolve: (r) => r.started_at }),
    ended_at: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.ended_at ?? null }),
    force_stop_lifted_at: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.force_stop_lifted_at ?? null }),
    has_governance_block: t.boolean({ resolve: (r) => r.has_governance_block ?? false }),
    outcome: t.string({ nullable: true, resolve: (r) => r.outcome ?? null }),
    outcome_reason: t.string({ nullable: true, resolve: (r) => r.outcome_reason ?? null }),
    metadata: t.field({ type: 'JSON', resolve: (r) => r.metadata ?? {} }),
  }),
});

const RunPageRef = builder.objectRef<{ data: Run[]; total: number }>('RunPage').implement({
  fields: (t) => ({
    data: t.field({ type: [RunRef], resolve: (page) => page.data }),
    total: t.exposeInt('total'),
  }),
});

const RunFilters = builder.inputType('RunFilters', {
  fields: (t) => ({
    agent_id: t.id(),
    status: t.field({ type: RunStatusEnum }),
    since: t.field({ type: 'DateTime' }),
    until: t.field({ type: 'DateTime' }),
    sort: t.string(),
    order: t.field({ type: SortOrderEnum }),
    limit: t.int(),
    offset: t.int(),
    had_governance_block: t.boolean(),
    had_failover: t.boolean(),
  }),
});

/** GraphQL booleans become the REST query's 'true'/'false' so one contract validates both. */
const flag = (value: boolean | null | undefined) => (value === null || value === undefined ? undefined : String(value));

builder.queryFields((t) => ({
  runs: t.field({
    type: RunPageRef,
    args: { filters: t.arg({ type: RunFilters }) },
    resolve: (_root, { filters }, { services, auth }) =>
      services.runs.list(
        auth,
        parseArgs(ListRunsQuery, {
          agent_id: filters?.agent_id ?? undefined,
          status: filters?.status ?? undefined,
          since: filters?.since ?? undefined,
          until: filters?.until ?? undefined,
          sort: filters?.sort ?? undefined,
          order: filters?.order ?? undefined,
          limit: filters?.limit ?? undefined,
          offset: filters?.offset ?? undefined,
          had_governance_block: flag(filters?.had_governance_block),
          had_failover: flag(filters?.had_failover),
        }),
      ),
  }),
  run: t.field({
    type: RunRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { services, auth }) =>
      services.runs.get(auth, parseArgs(IdParams, { id: String(args.id) }).id),
  }),
}));
