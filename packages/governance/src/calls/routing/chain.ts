import type { AgentProviderKeys, RoutingOverride } from '@rungate/contracts';
import { type WireFormat, wireFormatOf } from '../../providers/registry.ts';
import type { PolicySettings } from '../../resources/policies/defaults.ts';
import { globMatch } from '../rules/glob.ts';

export type RoutingSettings = PolicySettings['routing'];
type Route = RoutingSettings['model_routes'][number];

/** Where a call's provider chain came from, recorded so routing decisions can be explained. */
export type ChainSource = 'agent_route' | 'agent_chain' | 'policy_route' | 'policy_chain' | 'agent_keys';

export interface ResolvedChain {
  providers: string[];
  source: ChainSource;
  /** The `model_routes` pattern that matched the model (agent's first, then the policy's). */
  matchedPattern: string | null;
  timeoutMs: number;
}

function firstRoute(routes: readonly Route[] | undefined, model: string): Route | undefined {
  if (!routes) return undefined;
  for (const route of routes) if (globMatch(route.pattern, model)) return route;
  return undefined;
}

/**
 * The chain for one call. The agent's override outranks the policy (issue 4) and, at each
 * level, a matching route outranks the default chain; an empty chain defers to the next
 * source, so a route may set only a timeout. The timeout is the most specific one: a matching
 * route's, then the agent's, then the policy's. With no chain anywhere, the call goes to the
 * providers the agent has keys for.
 */
export function resolveChain(
  routing: RoutingSettings,
  override: RoutingOverride | null | undefined,
  providerKeys: AgentProviderKeys,
  requestFormat: WireFormat,
  model: string,
): ResolvedChain {
  const agentRoute = firstRoute(override?.model_routes, model);
  const policyRoute = firstRoute(routing.model_routes, model);
  const timeoutMs = agentRoute?.timeout_ms ?? policyRoute?.timeout_ms ?? override?.timeout_ms ?? routing.timeout_ms;
  const matchedPattern = agentRoute?.pattern ?? policyRoute?.pattern ?? null;
  const candidates: [string[] | undefined, ChainSource][] = [
    [agentRoute?.chain, 'agent_route'],
    [override?.default_chain, 'agent_chain'],
    [policyRoute?.chain, 'policy_route'],
    [routing.default_chain, 'policy_chain'],
  ];
  for (const [chain, source] of candidates) {
    if (chain && chain.length > 0) return { providers: unique(chain), source, matchedPattern, timeoutMs };
  }
  return { providers: keyedProviders(providerKeys, requestFormat), source: 'agent_keys', matchedPattern, timeoutMs };
}

function unique(chain: readonly string[]): string[] {
  return chain.length < 2 ? [...chain] : [...new Set(chain)];
}

/**
 * The agent's keyed providers, those speaking the request's format first so no translation is
 * needed when one will do; among them the provider named like the format (`openai`,
 * `anthropic`) leads, then the rest in the order the agent lists them.
 */
function keyedProviders(providerKeys: AgentProviderKeys, format: WireFormat): string[] {
  const providers = Object.keys(providerKeys);
  const rank = (p: string) => (p === format ? 0 : wireFormatOf(p) === format ? 1 : 2);
  return providers
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.p);
}
