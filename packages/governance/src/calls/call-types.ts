import type { FailureKind } from '@rungate/contracts';
import type { WireFormat } from '../providers/registry.ts';
import type { AgentRow } from '../resources/agents/presenter.ts';
import type { PolicyView } from '../resources/policies/presenter.ts';
import type { RoutableProviderKey } from '../resources/provider-keys/routing.ts';
import type { BlockContext } from './block-context.ts';
import type { RunControls } from './controls.ts';
import type { RunState } from './ledger/reserve-budget.ts';
import type { TokenUsage } from './pricing/usage.ts';
import type { RoutePlan } from './routing/index.ts';
import type { Blocked } from './rules/decision.ts';

/** What a governed call brings, what admission answers, and what settlement records. */
export interface CallRequest {
  agent: AgentRow;
  format: WireFormat;
  controls: RunControls;
  model: string | null;
  maxTokens: number | null;
  toolsOffered: string[];
  toolsUsed: string[];
  bodyBytes: number;
  /** The provider body (controls stripped), for approval snapshots and content logging. */
  body: Record<string, unknown>;
  stream: boolean;
}

export interface AdmittedCall {
  stepId: string;
  agent: AgentRow;
  policy: PolicyView;
  policyFallback: 'not_found' | 'not_allowed' | null;
  run: RunState;
  requestedModel: string;
  model: string;
  modelOverridden: boolean;
  /** The first provider of the route: named on blocks and in headers before an attempt answers. */
  provider: string;
  /** Providers to try in order, each with its model and its active keys only. */
  plan: RoutePlan;
  keysById: ReadonlyMap<string, RoutableProviderKey>;
  reservationId: string | null;
  /** Output cap Rungate imposed because the budget could not pay for more. */
  maxTokensCap: number | null;
  dryRun: boolean;
  request: CallRequest;
}

export type Admission =
  | { kind: 'admitted'; call: AdmittedCall }
  | {
      kind: 'blocked';
      blocked: Blocked;
      runId: string | null;
      context: BlockContext | null;
      policyFallback: 'not_found' | 'not_allowed' | null;
    }
  | { kind: 'awaiting_approval'; runId: string; requests: { id: string; tool: string }[] }
  | { kind: 'run_ended'; runId: string; message: string }
  | { kind: 'foreign_run' }
  | { kind: 'invalid'; message: string; field: string };

export interface CallOutcome {
  status: 'success' | 'error' | 'timeout';
  type?: 'llm_call' | 'dry_run';
  usage: TokenUsage | null;
  response: Record<string, unknown> | null;
  errorKind?: FailureKind | null;
  errorMessage?: string | null;
  latencyMs: number;
  /** Key that served (or last failed) the call. */
  providerKeyId: string | null;
  /** Provider and model that served (or last failed) the call; the route's first when none was tried. */
  attempt?: { provider: string; model: string };
  /** Attempts that failed before this outcome (failover). */
  failedAttempts?: number;
}

export interface Settlement {
  stepId: string;
  costUsd: string;
  tokens: number;
  priceMissing: boolean;
  remainingUsd: string | null;
  remainingTokens: number | null;
}
