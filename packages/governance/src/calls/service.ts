import { randomUUID } from 'node:crypto';
import type { FailoverContext } from '@rungate/contracts';
import { type Database, runs } from '@rungate/db';
import { and, eq } from 'drizzle-orm';
import { TtlCache } from '../config-cache/ttl-cache.ts';
import type { ServiceDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { recordEvent } from '../events/outbox.ts';
import type { WireFormat } from '../providers/registry.ts';
import type { AgentRow } from '../resources/agents/presenter.ts';
import type { PolicyView } from '../resources/policies/presenter.ts';
import type { RoutableProviderKey } from '../resources/provider-keys/routing.ts';
import { resolveForRouting } from '../resources/provider-keys/routing.ts';
import { completeRun } from '../resources/runs/lifecycle.ts';
import { toRun } from '../resources/runs/presenter.ts';
import { approvalGate } from './approval-gate.ts';
import { blockContext } from './block-context.ts';
import type { Admission, AdmittedCall, CallOutcome, CallRequest, Settlement } from './call-types.ts';
import type { RunControls } from './controls.ts';
import { createRunHolds } from './ledger/hold-on-run.ts';
import { recordStep } from './ledger/record-step.ts';
import {
  type BudgetLimits,
  type Headroom,
  hasBudgetLimits,
  headroomFrom,
  type RunSpendSeen,
  type RunState,
  releaseReservation,
  reserveBudget,
} from './ledger/reserve-budget.ts';
import { createStepWriter } from './ledger/step-writer.ts';
import { createPolicyLookup } from './policy-lookup.ts';
import { affordableOutputTokens, BYTES_PER_TOKEN_ESTIMATE, costOf, worstCaseCost } from './pricing/cost.ts';
import type { ModelPrice } from './pricing/model-price.ts';
import { compareUsd, subtractUsd, ZERO_USD } from './pricing/money.ts';
import type { PriceBook } from './pricing/price-book.ts';
import { NO_USAGE, totalTokens } from './pricing/usage.ts';
import { createRateAdmissions, type SpeculativeAdmission } from './rate-admission.ts';
import { type RateDecision, type RateLimiter, rateLimitKey } from './rate-limit/limiter.ts';
import { resolveRun } from './resolve-run.ts';
import { type LatencyTracker, planRoute, type RoundRobinCounters, type RoutePlan } from './routing/index.ts';
import { evaluateAlertThreshold, exceededLimit, spendableUsd } from './rules/budget.ts';
import { type Blocked, block } from './rules/decision.ts';
import { checkModel } from './rules/models.ts';
import { checkRunaway } from './rules/runaway.ts';
import { checkTools, toolsNeedingApproval } from './rules/tools.ts';
import { type PolicySelection, selectPolicy } from './select-policy.ts';

const NO_MODEL = {
  kind: 'invalid',
  message: 'The request names no model and the policy has no default_model',
  field: 'model',
} as const;

/** Output cap Rungate sets when a budgeted call names none: valid for every current model. */
export const DEFAULT_OUTPUT_CAP = 4096;
/** A hold outlives any sane call; a crashed process's holds stop counting after this. */
const HOLD_TTL_MS = 15 * 60_000;

interface CallCollaborators {
  rateLimiter: RateLimiter;
  priceBook: PriceBook;
  counters: RoundRobinCounters;
  latency: LatencyTracker;
  /** Store request and response bodies when the policy says `default`. */
  contentLoggingDefault?: boolean;
}

const budgetLimits = (policy: PolicyView): BudgetLimits => ({
  hardLimitUsd: policy.budget.hard_limit_usd,
  hardLimitTokens: policy.budget.hard_limit_tokens,
  maxCostPerHourUsd: policy.budget.max_cost_per_hour_usd,
});

/** The governed call: admission in the order users expect, then exact settlement. */
export function createCallService(
  deps: ServiceDeps,
  { rateLimiter, priceBook, counters, latency, contentLoggingDefault = true }: CallCollaborators,
) {
  const { db, clock } = deps;
  const findPolicy = createPolicyLookup(deps);
  const stepWriter = createStepWriter(db);
  const holdOnRun = createRunHolds(db);
  const { speculativeAdmission, rateDecision } = createRateAdmissions(rateLimiter);
  const keyCache = new TtlCache<string, RoutableProviderKey[]>({
    ttlMs: 5_000,
    clock,
    generation: () => deps.configGeneration.value,
  });

  const logsContent = (policy: PolicyView) =>
    policy.content_logging === 'default' ? contentLoggingDefault : policy.content_logging === 'enabled';

  async function recordBlock(
    call: { agent: AgentRow; policy: PolicyView; run: RunState; provider: string; model: string; request: CallRequest },
    blocked: Blocked,
  ) {
    const now = clock.now();
    await recordStep(db, {
      orgId: call.agent.orgId,
      runId: call.run.id,
      agentId: call.agent.id,
      type: 'llm_call',
      status:
        blocked.code === 'budget_exceeded' || blocked.code === 'budget_alert_exceeded'
          ? 'budget_blocked'
          : 'policy_blocked',
      provider: call.provider,
      model: call.model,
      providerKeyId: null,
      streaming: call.request.stream,
      request: logsContent(call.policy) ? call.request.body : { redacted: true },
      response: { error: { code: blocked.code, message: blocked.message, details: blocked.details } },
      usage: NO_USAGE,
      costUsd: ZERO_USD,
      priceMissing: false,
      latencyMs: 0,
      routedFrom: null,
      failoverAttempts: 0,
      failoverContext: null,
      errorKind: null,
      errorMessage: blocked.message,
      governanceBlock: true,
      reservationId: null,
      now,
    });
  }

  /**
   * Sizes the hold from the headroom; `refusal` says which limit did not fit. With failover the
   * call may end at any provider of its route, so the hold covers the dearest of them.
   */
  function planHold(request: CallRequest, prices: readonly (ModelPrice | null)[]) {
    const inputEstimate = Math.ceil(request.bodyBytes / BYTES_PER_TOKEN_ESTIMATE);
    const known = prices.filter((p): p is ModelPrice => p !== null);
    const state: { cap: number | null; refusal: ReturnType<typeof exceededLimit> } = { cap: null, refusal: null };
    const plan = (headroom: Headroom) => {
      let maxTokens = request.maxTokens;
      if (maxTokens === null) {
        const affordable: number[] = [DEFAULT_OUTPUT_CAP];
        const spendable = spendableUsd(headroom);
        if (spendable !== null)
          for (const price of known) affordable.push(affordableOutputTokens(spendable, inputEstimate, price));
        if (headroom.tokens !== null) affordable.push(headroom.tokens - inputEstimate);
        maxTokens = Math.floor(Math.min(...affordable));
        state.cap = maxTokens;
      }
      const output = Math.max(maxTokens, 0);
      const usd = known
        .map((price) => worstCaseCost(inputEstimate, output, price))
        .reduce((a, b) => (compareUsd(a, b) >= 0 ? a : b), ZERO_USD);
      const worst = { usd, tokens: inputEstimate + output };
      state.refusal =
        maxTokens < 1
          ? headroom.tokens !== null && headroom.tokens - inputEstimate < 1
            ? 'hard_limit_tokens'
            : 'hard_limit_usd'
          : exceededLimit(headroom, worst);
      return state.refusal ? null : { amountUsd: worst.usd, tokens: worst.tokens };
    };
    return { plan, state };
  }

  /** The route for a call with the agent's active keys only; providers left without one drop out. */
  async function routeFor(agent: AgentRow, policy: PolicyView, format: WireFormat, model: string, now: Date) {
    const planned = planRoute(
      {
        policy,
        agentOverride: agent.routingOverride,
        providerKeys: agent.providerKeys,
        requestFormat: format,
        model,
        counterScope: agent.id,
        orgId: agent.orgId,
        nowMs: now.getTime(),
      },
      { counters, priceBook, latency },
    );
    const ids = [...new Set(planned.attempts.flatMap((a) => a.keyIds))].sort();
    const keys =
      ids.length === 0
        ? []
        : await keyCache.get(`${agent.orgId}:${ids.join(',')}`, () =>
            resolveForRouting(db, deps.secretBox, agent.orgId, ids),
          );
    const keysById = new Map(keys.map((key) => [key.id, key]));
    const attempts = planned.attempts
      .map((attempt) => ({ ...attempt, keyIds: attempt.keyIds.filter((id) => keysById.has(id)) }))
      .filter((attempt) => attempt.keyIds.length > 0);
    return { plan: { ...planned, attempts }, keysById };
  }

  function budgetBlock(
    limit: NonNullable<ReturnType<typeof exceededLimit>>,
    policy: PolicyView,
    headroom: Headroom,
  ): Blocked {
    const labels = {
      hard_limit_usd: 'cost',
      hard_limit_tokens: 'token',
      max_cost_per_hour_usd: 'hourly cost',
    } as const;
    return block('budget_exceeded', `The run's ${labels[limit]} budget cannot pay for this call (${limit})`, {
      limit,
      limit_value:
        limit === 'hard_limit_usd'
          ? policy.budget.hard_limit_usd
          : limit === 'hard_limit_tokens'
            ? policy.budget.hard_limit_tokens
            : policy.budget.max_cost_per_hour_usd,
      remaining_usd: headroom.usd === null ? null : Number(headroom.usd),
      remaining_tokens: headroom.tokens,
      remaining_hourly_usd: headroom.hourlyUsd === null ? null : Number(headroom.hourlyUsd),
    });
  }

  const pricesOf = (plan: RoutePlan, orgId: string) =>
    plan.attempts.map((attempt) => priceBook.priceFor(attempt.provider, attempt.resolvedModel, orgId));

  /**
   * What each run spent and held when this process last settled a call on it, by the run's
   * handle (its id, or the agent+policy of an implicit run): sizes `holdFirst`'s hold. A stale
   * or missing entry only means the hold may not fit and the call takes the ordinary path.
   */
  const lastSeenSpend = new Map<string, RunSpendSeen>();
  const SPEND_MEMORY = 10_000;
  const handleOf = (agentId: string, policyId: string, controls: RunControls) =>
    controls.runId ?? `${agentId}:${policyId}`;

  /**
   * The common case in one round trip: a budgeted call (hard limits only) joining a running run
   * finds the run and takes its hold in one statement. Null when the call starts a run, an
   * hourly cap applies, or the statement finds no running run under this policy or no room.
   */
  async function holdFirst(request: CallRequest, policy: PolicyView, plan: RoutePlan, now: Date) {
    const limits = budgetLimits(policy);
    const { agent, controls } = request;
    if (!hasBudgetLimits(limits) || limits.maxCostPerHourUsd != null || policy.dry_run || controls.newRun) return null;
    const seen = lastSeenSpend.get(handleOf(agent.id, policy.id, controls)) ?? {
      totalCostUsd: ZERO_USD,
      totalTokens: 0,
      reservedUsd: ZERO_USD,
      reservedTokens: 0,
    };
    const { plan: sizeHold, state } = planHold(request, pricesOf(plan, agent.orgId));
    const size = sizeHold(headroomFrom(limits, seen));
    if (!size) return null;
    const windowMs = policy.implicit_run_grouping.time_window_seconds * 1000;
    const held = await holdOnRun({
      orgId: agent.orgId,
      agentId: agent.id,
      policyId: policy.id,
      run: controls.runId ? { runId: controls.runId } : { activeSince: new Date(now.getTime() - windowMs) },
      limits,
      hold: size,
      now,
      ttlMs: HOLD_TTL_MS,
    });
    return held && { ...held, cap: state.cap };
  }

  /**
   * Everything after the policy is chosen: the run and its hold, the rules in order, the budget
   * and the rate limit, whose answer `early` may already be on its way.
   */
  async function admitWithRun(
    request: CallRequest,
    selected: PolicySelection,
    early: SpeculativeAdmission | null,
    now: Date,
  ): Promise<Admission> {
    const { agent } = request;
    const { fallbackReason } = selected;
    let policy = selected.policy;
    const modelUnder = (p: PolicyView) => {
      const requestedModel = request.model ?? p.default_model ?? '';
      return { requestedModel, model: p.model_override ?? requestedModel };
    };
    let { requestedModel, model } = modelUnder(policy);
    let route = await routeFor(agent, policy, request.format, model, now);
    const hold = await holdFirst(request, policy, route.plan, now);
    let run: RunState;
    if (hold) {
      run = hold.run;
    } else {
      const resolved = await resolveRun(
        db,
        { orgId: agent.orgId, agentId: agent.id },
        selected.policy,
        request.controls,
        now,
      );
      if (!resolved.ok) {
        if ('foreign' in resolved) return { kind: 'foreign_run' };
        if ('conflict' in resolved) return { kind: 'run_ended', runId: resolved.run.id, message: resolved.conflict };
        return {
          kind: 'blocked',
          blocked: resolved.blocked,
          runId: resolved.run?.id ?? null,
          context: blockContext(agent, selected.policy, resolved.run),
          policyFallback: fallbackReason,
        };
      }
      run = resolved.run;
      // A run keeps the policy it started under: a later call naming the run is governed by that
      // policy (and its budget), not by whatever policy the call itself would have selected.
      const runPolicy =
        run.policyId && run.policyId !== selected.policy.id
          ? await findPolicy(agent.orgId, { id: run.policyId })
          : null;
      if (runPolicy) {
        policy = runPolicy;
        if (!request.model && !policy.default_model) return NO_MODEL;
        ({ requestedModel, model } = modelUnder(policy));
        route = await routeFor(agent, policy, request.format, model, now);
      }
    }
    const { plan, keysById } = route;
    const provider = plan.attempts[0]?.provider ?? request.format;
    const base = { agent, policy, run, provider, model, request };
    let reservationId = hold?.reservationId ?? null;
    let maxTokensCap = hold?.cap ?? null;
    const releaseHold = async () => {
      if (reservationId) await releaseReservation(db, reservationId);
      reservationId = null;
    };
    const refuse = async (blocked: Blocked): Promise<Admission> => {
      await releaseHold();
      await recordBlock(base, blocked);
      return {
        kind: 'blocked',
        blocked,
        runId: run.id,
        context: blockContext(agent, policy, run),
        policyFallback: fallbackReason,
      };
    };

    const modelDecision = checkModel(policy, requestedModel);
    if (!modelDecision.allowed) return refuse(modelDecision);
    const toolDecision = checkTools(policy, [...request.toolsOffered, ...request.toolsUsed]);
    if (!toolDecision.allowed) return refuse(toolDecision);
    const needApproval = toolsNeedingApproval(policy, request.toolsOffered);
    if (needApproval.length > 0) {
      const gate = await approvalGate(db, {
        orgId: agent.orgId,
        runId: run.id,
        agentId: agent.id,
        policyId: policy.id,
        tools: needApproval,
        expiryMs: policy.approval_expiry_ms,
        requestSnapshot: logsContent(policy) ? request.body : { redacted: true },
        now,
      });
      if (gate.state === 'rejected') return refuse(gate.blocked);
      if (gate.state === 'awaiting') {
        await releaseHold();
        await recordBlock(
          base,
          block('tool_approval_required', `Awaiting approval for: ${gate.requests.map((r) => r.tool).join(', ')}`, {
            approval_request_ids: gate.requests.map((r) => r.id),
          }),
        );
        return { kind: 'awaiting_approval', runId: run.id, requests: gate.requests };
      }
    }
    // Counts the steps recorded before this call; a hold taken first counts this call in flight
    // only in `reserved_*`, so the count is the same on both paths.
    const runaway = checkRunaway(policy, run.stepCount);
    if (!runaway.allowed) return refuse(runaway);

    const limits = budgetLimits(policy);
    if (!hold && hasBudgetLimits(limits) && !policy.dry_run) {
      const { plan: sizeHold, state } = planHold(request, pricesOf(plan, agent.orgId));
      const reserved = await reserveBudget(
        db,
        { orgId: agent.orgId, runId: run.id, agentId: agent.id, limits, now, ttlMs: HOLD_TTL_MS, seen: run },
        sizeHold,
      );
      if (!reserved.reserved) {
        const blocked = budgetBlock(state.refusal ?? 'hard_limit_usd', policy, reserved.headroom);
        await recordBlock(base, blocked);
        if (state.refusal === 'hard_limit_usd' || state.refusal === 'hard_limit_tokens') {
          const endedReason = state.refusal === 'hard_limit_tokens' ? 'token_limit' : 'cost_limit';
          // A concurrent call may have ended the run already (409); the run is over either way.
          await db
            .transaction((tx) => completeRun(tx, run.id, { endedReason }, now))
            .catch((error: unknown) => {
              if (!(error instanceof AppError && error.code === 'conflict')) throw error;
            });
        }
        return {
          kind: 'blocked',
          blocked,
          runId: run.id,
          context: blockContext(agent, policy, run),
          policyFallback: fallbackReason,
        };
      }
      reservationId = reserved.reservationId;
      maxTokensCap = state.cap;
    }

    let rate: RateDecision | null;
    try {
      rate = await rateDecision(early, agent, policy, now.getTime());
    } catch (error) {
      // No answer from the limiter (Redis unreachable in closed mode): the call goes no further, nor does its hold.
      await releaseHold();
      throw error;
    }
    if (rate) {
      if (!rate.allowed) {
        return refuse(
          block('rate_limited', `Rate limit reached: ${rate.max} ${rate.limit} per minute`, {
            limit: rate.limit === 'requests' ? 'max_requests_per_minute' : 'max_tokens_per_minute',
            limit_value: rate.max,
            retry_after_seconds: Math.ceil(rate.retryAfterMs / 1000),
          }),
        );
      }
    }
    return {
      kind: 'admitted',
      call: {
        stepId: randomUUID(),
        agent,
        policy,
        policyFallback: fallbackReason,
        run,
        requestedModel,
        model,
        modelOverridden: policy.model_override !== null && policy.model_override !== requestedModel,
        provider,
        plan,
        keysById,
        reservationId,
        maxTokensCap,
        dryRun: policy.dry_run,
        request,
      },
    };
  }

  return {
    async admit(request: CallRequest): Promise<Admission> {
      const { agent } = request;
      const now = clock.now();
      const defaultPolicy = await findPolicy(agent.orgId, { id: agent.policyId });
      if (!defaultPolicy) throw new Error(`agent ${agent.id} has no live policy ${agent.policyId}`);
      if (agent.status !== 'active') {
        return {
          kind: 'blocked',
          blocked: block('agent_disabled', 'This agent is disabled'),
          runId: null,
          context: blockContext(agent, defaultPolicy, null),
          policyFallback: null,
        };
      }
      const selected = await selectPolicy({
        requested: request.controls.runPolicy,
        defaultPolicy,
        allowedPolicies: agent.allowedPolicies,
        findPolicy: (by) => findPolicy(agent.orgId, by),
      });
      if (!request.model && !selected.policy.default_model) return NO_MODEL;
      const early = speculativeAdmission(agent, selected.policy, now.getTime());
      let admitted = false;
      try {
        const admission = await admitWithRun(request, selected, early, now);
        admitted = admission.kind === 'admitted';
        return admission;
      } finally {
        if (!admitted) await early?.giveBack();
      }
    },

    /** Records the call's step, ledger entry and run totals, and releases its hold, in one statement. */
    async settle(call: AdmittedCall, outcome: CallOutcome): Promise<Settlement> {
      const now = clock.now();
      const usage = outcome.usage ?? NO_USAGE;
      const tokens = totalTokens(usage);
      const served = outcome.attempt ?? { provider: call.provider, model: call.model };
      const price = priceBook.priceFor(served.provider, served.model, call.agent.orgId);
      const costUsd = price ? costOf(usage, price) : ZERO_USD;
      const priceMissing = price === null && tokens > 0;
      const logged = logsContent(call.policy);
      const recorded = await stepWriter.write({
        id: call.stepId,
        orgId: call.agent.orgId,
        runId: call.run.id,
        agentId: call.agent.id,
        type: outcome.type ?? 'llm_call',
        status: outcome.status,
        provider: served.provider,
        model: served.model,
        providerKeyId: outcome.providerKeyId,
        streaming: call.request.stream,
        request: logged ? call.request.body : { redacted: true },
        response:
          outcome.response === null
            ? null
            : logged || outcome.status !== 'success'
              ? outcome.response
              : { redacted: true },
        usage,
        costUsd,
        priceMissing,
        latencyMs: outcome.latencyMs,
        routedFrom: served.model !== call.requestedModel ? call.requestedModel : null,
        failoverAttempts: outcome.failedAttempts ?? 0,
        failoverContext: null,
        errorKind: outcome.errorKind ?? null,
        errorMessage: outcome.errorMessage ?? null,
        governanceBlock: false,
        reservationId: call.reservationId,
        now,
      });
      // Only a token limit reads these counts; a request limit alone needs no second round trip.
      if (tokens > 0 && call.policy.rate_limits.max_tokens_per_minute != null) {
        await rateLimiter.recordTokens(rateLimitKey(call.agent.id, call.policy.id), tokens, now.getTime());
      }
      if (lastSeenSpend.size >= SPEND_MEMORY) lastSeenSpend.clear();
      lastSeenSpend.set(handleOf(call.agent.id, call.policy.id, call.request.controls), {
        totalCostUsd: recorded.runTotalCostUsd,
        totalTokens: recorded.runTotalTokens,
        reservedUsd: recorded.runReservedUsd,
        reservedTokens: recorded.runReservedTokens,
      });
      await noteAlertThreshold(db, call, { costUsd: recorded.runTotalCostUsd, tokens: recorded.runTotalTokens }, now);
      const budget = call.policy.budget;
      return {
        stepId: recorded.stepId,
        costUsd,
        tokens,
        priceMissing,
        remainingUsd:
          budget.hard_limit_usd === null ? null : subtractUsd(budget.hard_limit_usd, recorded.runTotalCostUsd),
        remainingTokens: budget.hard_limit_tokens === null ? null : budget.hard_limit_tokens - recorded.runTotalTokens,
      };
    },

    /**
     * A `failover_transition` step: which attempts failed (provider, key, status, truncated
     * error, kind) and where the call went next. It costs nothing; the answering step follows.
     */
    async recordFailover(call: AdmittedCall, context: FailoverContext): Promise<void> {
      await recordStep(db, {
        orgId: call.agent.orgId,
        runId: call.run.id,
        agentId: call.agent.id,
        type: 'failover_transition',
        status: 'error',
        provider: String(context.resolved_provider ?? call.provider),
        model: String(context.resolved_model ?? call.model),
        providerKeyId: null,
        streaming: call.request.stream,
        request: null,
        response: null,
        usage: NO_USAGE,
        costUsd: ZERO_USD,
        priceMissing: false,
        latencyMs: 0,
        routedFrom: call.requestedModel !== call.model ? call.requestedModel : null,
        failoverAttempts: context.attempted.length,
        failoverContext: context,
        errorKind: context.attempted.at(-1)?.kind ?? null,
        errorMessage: `Failed over after ${context.attempted.length} failed attempt(s)`,
        governanceBlock: false,
        reservationId: null,
        now: clock.now(),
      });
    },
  };
}

/** Marks the run the first time it crosses an alert threshold; `stop_and_alert` also ends it. */
async function noteAlertThreshold(
  db: Database,
  call: AdmittedCall,
  spend: { costUsd: string; tokens: number },
  now: Date,
): Promise<void> {
  const alert = evaluateAlertThreshold(call.policy.budget, spend);
  if (!alert.exceeded) return;
  await db.transaction(async (tx) => {
    const [marked] = await tx
      .update(runs)
      .set({ alertThresholdExceeded: true, alertSentAt: now, updatedAt: now })
      .where(and(eq(runs.id, call.run.id), eq(runs.alertThresholdExceeded, false)))
      .returning();
    if (!marked) return;
    await recordEvent(
      tx,
      {
        orgId: marked.orgId,
        agentId: marked.agentId,
        type: 'run.alert_threshold',
        data: { run: toRun(marked), thresholds: alert.crossed, action: alert.action },
      },
      now,
    );
    if (alert.action === 'stop_and_alert' && marked.status === 'running') {
      await completeRun(tx, marked.id, { endedReason: 'alert_threshold_stop' }, now);
    }
  });
}

export type CallService = ReturnType<typeof createCallService>;
