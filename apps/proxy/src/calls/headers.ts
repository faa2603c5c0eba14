import type { AdmittedCall, Settlement } from '@rungate/governance';

/** Headers every admitted call gets, streaming or not (docs/decisions.md: known before the first byte). */
export function callHeaders(call: AdmittedCall): Record<string, string> {
  const headers: Record<string, string> = {
    'x-rungate-run-id': call.run.id,
    'x-rungate-step-id': call.stepId,
    'x-rungate-provider': call.provider,
    'x-rungate-model': call.model,
  };
  if (call.modelOverridden) headers['x-rungate-model-override'] = call.requestedModel;
  if (call.policyFallback) {
    headers['x-rungate-policy-fallback'] = 'true';
    headers['x-rungate-policy-fallback-reason'] = call.policyFallback;
  }
  if (call.maxTokensCap !== null) headers['x-rungate-max-tokens-capped'] = String(call.maxTokensCap);
  return headers;
}

/** Headers that need the call's usage: only on complete (non-streaming) answers. */
export function usageHeaders(settlement: Settlement): Record<string, string> {
  const headers: Record<string, string> = {
    'x-rungate-tokens-used': String(settlement.tokens),
    'x-rungate-cost-usd': String(Number(settlement.costUsd)),
  };
  if (settlement.remainingUsd !== null)
    headers['x-rungate-budget-remaining-usd'] = String(Number(settlement.remainingUsd));
  if (settlement.remainingTokens !== null)
    headers['x-rungate-budget-remaining-tokens'] = String(settlement.remainingTokens);
  return headers;
}

export const overheadHeader = (totalMs: number, upstreamMs: number) => ({
  'x-rungate-overhead-ms': Math.max(0, totalMs - upstreamMs).toFixed(3),
});
