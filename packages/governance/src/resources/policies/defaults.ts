import type { Policy } from '@rungate/contracts';
import { deepMerge } from './merge.ts';

/** Every settable policy field: what create, update and upsert accept besides name and visibility. */
export const SETTING_KEYS = [
  'dry_run',
  'content_logging',
  'budget',
  'allowed_models',
  'blocked_models',
  'allowed_tools',
  'blocked_tools',
  'require_approval',
  'approval_expiry_ms',
  'rate_limits',
  'routing',
  'model_mapping',
  'default_model',
  'model_override',
  'runaway_prevention',
  'implicit_run_grouping',
  'outcome_defaults',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** `T` with every key present (nullable keys stay nullable). */
type Filled<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };
type Section<K extends SettingKey> = Filled<NonNullable<Policy[K]>>;
type Routing = NonNullable<Policy['routing']>;

/** A policy's settings with every default applied: what the proxy reads, never a missing key. */
export interface PolicySettings {
  dry_run: boolean;
  content_logging: NonNullable<Policy['content_logging']>;
  budget: Section<'budget'>;
  allowed_models: string[];
  blocked_models: string[];
  allowed_tools: string[];
  blocked_tools: string[];
  require_approval: string[];
  approval_expiry_ms: number;
  rate_limits: Section<'rate_limits'>;
  routing: Filled<Omit<Routing, 'circuit_breaker'>> & {
    circuit_breaker: Filled<NonNullable<Routing['circuit_breaker']>>;
  };
  model_mapping: Section<'model_mapping'>;
  default_model: string | null;
  model_override: string | null;
  runaway_prevention: Section<'runaway_prevention'>;
  implicit_run_grouping: Section<'implicit_run_grouping'>;
  outcome_defaults: Exclude<Policy['outcome_defaults'], undefined>;
}

/**
 * Defaults applied on create, and under every stored policy on read (rows written before a
 * default existed, or by other code, still come back complete). Values the spec names are
 * quoted from it; the spec leaves retry_on, max_retries, on_rate_limit, runaway_prevention
 * and time_window_seconds open, so those are chosen here with the reason beside each.
 */
export const POLICY_DEFAULTS: Readonly<PolicySettings> = Object.freeze<PolicySettings>({
  dry_run: false,
  content_logging: 'default',
  budget: {
    alert_threshold_tokens: null,
    alert_threshold_usd: null,
    hard_limit_tokens: null,
    hard_limit_usd: null,
    max_cost_per_hour_usd: null,
    on_alert_threshold: 'continue_and_alert',
  },
  allowed_models: [],
  blocked_models: [],
  allowed_tools: [],
  blocked_tools: [],
  require_approval: [],
  approval_expiry_ms: 28_800_000,
  rate_limits: { max_requests_per_minute: null, max_tokens_per_minute: null },
  routing: {
    default_chain: [],
    model_routes: [],
    timeout_ms: 120_000,
    connect_timeout_ms: 10_000,
    // Throttling and transient upstream failures (529 is Anthropic's "overloaded") move on to the next attempt.
    retry_on: [429, 500, 502, 503, 504, 529],
    // Total attempts per provider: one retry before failing over.
    max_retries: 2,
    // A 429 tries the next provider first instead of making the agent wait.
    on_rate_limit: 'failover_first',
    load_balancing: 'failover',
    circuit_breaker: { failure_threshold: 5, recovery_timeout_ms: 30_000, max_recovery_timeout_ms: 600_000 },
    routing_preference: 'default',
  },
  model_mapping: {},
  default_model: null,
  model_override: null,
  // On by default with a cap far above normal agent loops: it only catches a loop gone wrong.
  runaway_prevention: { enabled: true, max_steps_per_run: 500 },
  // Calls a minute apart belong to one implicit run; the idle sweep ends a run after 300 s (spec).
  implicit_run_grouping: { time_window_seconds: 60, run_idle_timeout_seconds: 300, force_stop_cooldown_minutes: 60 },
  outcome_defaults: null,
});

/** Source model maps are user data, not settings: a sent map replaces the stored one whole. */
export const REPLACED_WHOLE: ReadonlySet<string> = new Set(['model_mapping']);

/** Complete settings from a stored (possibly partial) policy or a create input. */
export function withDefaults(partial: Partial<Record<SettingKey, unknown>>): PolicySettings {
  return deepMerge(POLICY_DEFAULTS as PolicySettings, partial, REPLACED_WHOLE);
}

/** The settings part of an input, without name, visibility or tenant fields. */
export function pickSettings(input: Partial<Record<SettingKey, unknown>>): Partial<Record<SettingKey, unknown>> {
  const out: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) if (input[key] !== undefined) out[key] = input[key];
  return out;
}
