import type { AgentProviderKeys, LoadBalancing, RoutingOverride, RoutingPreference } from '@rungate/contracts';
import { type WireFormat, wireFormatOf } from '../../providers/registry.ts';
import type { PolicySettings } from '../../resources/policies/defaults.ts';
import type { PriceBook } from '../pricing/price-book.ts';
import { type ChainSource, resolveChain } from './chain.ts';
import { MemoryRoundRobinCounters, orderKeys, type Random, type RoundRobinCounters } from './keys.ts';
import type { LatencyTracker } from './latency.ts';
import { orderByPreference } from './preference.ts';

/** One provider's place in a call's plan: where to send it, in what shape, and with which keys. */
export interface RouteAttempt {
  provider: string;
  /** The wire format the provider speaks; differs from the request's when translation is needed. */
  format: WireFormat;
  originalModel: string;
  /** `model_mapping[originalModel][provider]`, else the original model. */
  resolvedModel: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Key ids in the order to try them (see `orderKeys`); never empty. */
  keyIds: string[];
}

export interface RoutePlan {
  /** Providers in the order to try them; empty when the agent has no key for any of them. */
  attempts: RouteAttempt[];
  source: ChainSource;
  matchedPattern: string | null;
  loadBalancing: LoadBalancing;
  preference: RoutingPreference;
}

export interface PlanInput {
  policy: Pick<PolicySettings, 'routing' | 'model_mapping'>;
  agentOverride: RoutingOverride | null | undefined;
  providerKeys: AgentProviderKeys;
  requestFormat: WireFormat;
  model: string;
  /** Names the round robin counters, so each agent rotates its own keys (the agent id). */
  counterScope?: string;
  /** Whose price overrides rank providers for `cost`. */
  orgId?: string | null;
  nowMs?: number;
}

export interface PlanDeps {
  counters?: RoundRobinCounters;
  random?: Random;
  priceBook?: PriceBook;
  latency?: LatencyTracker;
}

const defaultCounters = new MemoryRoundRobinCounters();

// Model and provider names are user text: `constructor` must not find Object.prototype's.
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The routing decision for one call, without I/O: the provider chain (see `resolveChain`),
 * reordered by the routing preference, each provider with its mapped model, wire format,
 * timeouts and keys in load-balancing order. Providers the agent holds no key for are left out.
 * Whether a key is active or its circuit open is checked by the caller as it reaches it.
 */
export function planRoute(input: PlanInput, deps: PlanDeps = {}): RoutePlan {
  const { routing, model_mapping: mapping } = input.policy;
  const override = input.agentOverride ?? null;
  const chain = resolveChain(routing, override, input.providerKeys, input.requestFormat, input.model);
  const loadBalancing = override?.load_balancing ?? routing.load_balancing;
  const preference = override?.routing_preference ?? routing.routing_preference;
  // Connect is part of the request's budget, so it never exceeds a shorter route or agent timeout.
  const connectTimeoutMs = Math.min(routing.connect_timeout_ms, chain.timeoutMs);
  const targets = own(mapping, input.model);
  const keyDeps = { counters: deps.counters ?? defaultCounters, random: deps.random ?? Math.random };
  const scope = input.counterScope ?? '';

  const candidates: RouteAttempt[] = [];
  for (const provider of chain.providers) {
    const binding = own(input.providerKeys, provider);
    if (binding === undefined || (Array.isArray(binding) && binding.length === 0)) continue;
    candidates.push({
      provider,
      format: wireFormatOf(provider),
      originalModel: input.model,
      resolvedModel: own(targets, provider) ?? input.model,
      timeoutMs: chain.timeoutMs,
      connectTimeoutMs,
      keyIds: [],
    });
  }
  const ordered = orderByPreference(candidates, preference, deps, input.orgId ?? null, input.nowMs ?? Date.now());
  // Keys are ordered last so round robin counts only providers that made it into the plan.
  for (const attempt of ordered) {
    attempt.keyIds = orderKeys(
      own(input.providerKeys, attempt.provider),
      loadBalancing,
      `${scope}\u0000${attempt.provider}`,
      keyDeps,
    );
  }
  return { attempts: ordered, source: chain.source, matchedPattern: chain.matchedPattern, loadBalancing, preference };
}
