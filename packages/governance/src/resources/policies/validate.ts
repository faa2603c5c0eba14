import { ApprovalExpiryMs } from '@rungate/contracts';
import { invalid } from '../../errors.ts';
import type { PolicySettings } from './defaults.ts';

/**
 * Rules that span fields, checked on the policy as it will be stored (after defaults and
 * merging), so a PUT that changes one side of a pair is still checked against the other.
 * Keys are dotted paths, like the transport's field errors.
 */
export function settingsErrors(settings: PolicySettings): Record<string, string> {
  const fields: Record<string, string> = {};
  const { routing, budget } = settings;
  if (routing.connect_timeout_ms > routing.timeout_ms) {
    fields['routing.connect_timeout_ms'] = `must not exceed routing.timeout_ms (${routing.timeout_ms})`;
  }
  const breaker = routing.circuit_breaker;
  if (breaker.recovery_timeout_ms > breaker.max_recovery_timeout_ms) {
    fields['routing.circuit_breaker.recovery_timeout_ms'] =
      `must not exceed max_recovery_timeout_ms (${breaker.max_recovery_timeout_ms})`;
  }
  if (!ApprovalExpiryMs.safeParse(settings.approval_expiry_ms).success) {
    fields.approval_expiry_ms = 'must be an integer between 60000 and 604800000';
  }
  if (
    budget.alert_threshold_usd != null &&
    budget.hard_limit_usd != null &&
    budget.alert_threshold_usd > budget.hard_limit_usd
  ) {
    fields['budget.alert_threshold_usd'] = 'must not exceed budget.hard_limit_usd';
  }
  if (
    budget.alert_threshold_tokens != null &&
    budget.hard_limit_tokens != null &&
    budget.alert_threshold_tokens > budget.hard_limit_tokens
  ) {
    fields['budget.alert_threshold_tokens'] = 'must not exceed budget.hard_limit_tokens';
  }
  return fields;
}

export function assertValidSettings(settings: PolicySettings): void {
  const fields = settingsErrors(settings);
  const keys = Object.keys(fields);
  if (keys.length > 0)
    throw invalid(`Invalid policy: ${keys.map((key) => `${key} ${fields[key]}`).join('; ')}`, fields);
}
