import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { withDefaults } from './defaults.ts';
import { assertValidSettings, settingsErrors } from './validate.ts';

describe('settingsErrors', () => {
  it('accepts the defaults', () => {
    expect(settingsErrors(withDefaults({}))).toEqual({});
  });

  it('checks connect_timeout_ms against the (default) timeout_ms', () => {
    expect(settingsErrors(withDefaults({ routing: { connect_timeout_ms: 200_000 } }))).toHaveProperty([
      'routing.connect_timeout_ms',
    ]);
    expect(settingsErrors(withDefaults({ routing: { connect_timeout_ms: 200_000, timeout_ms: 300_000 } }))).toEqual({});
  });

  it('checks the breaker, approval expiry and budget pairs', () => {
    const fields = settingsErrors(
      withDefaults({
        routing: { circuit_breaker: { recovery_timeout_ms: 700_000 } },
        approval_expiry_ms: 1000,
        budget: { alert_threshold_usd: 5, hard_limit_usd: 2, alert_threshold_tokens: 10, hard_limit_tokens: 5 },
      }),
    );
    expect(Object.keys(fields).sort()).toEqual([
      'approval_expiry_ms',
      'budget.alert_threshold_tokens',
      'budget.alert_threshold_usd',
      'routing.circuit_breaker.recovery_timeout_ms',
    ]);
  });

  it('throws a validation AppError carrying the fields', () => {
    try {
      assertValidSettings(withDefaults({ routing: { timeout_ms: 5000 } }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('validation_error');
      expect((error as AppError).fields).toEqual({
        'routing.connect_timeout_ms': 'must not exceed routing.timeout_ms (5000)',
      });
    }
  });
});
