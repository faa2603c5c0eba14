import { describe, expect, it } from 'vitest';
import { addUsd } from '../pricing/money.ts';
import {
  budgetHeadroom,
  checkAlertThreshold,
  checkBudget,
  evaluateAlertThreshold,
  exceededLimit,
  spendableUsd,
} from './budget.ts';

const spent = (costUsd: string, tokens = 0) => ({ costUsd, tokens });
const NOTHING = '0.0000000000';

describe('budgetHeadroom', () => {
  it('is null under every limit the policy does not set', () => {
    expect(budgetHeadroom({}, spent('5', 100), '5')).toEqual({ usd: null, tokens: null, hourlyUsd: null });
    expect(budgetHeadroom(undefined, spent('5'), '5')).toEqual({ usd: null, tokens: null, hourlyUsd: null });
    expect(budgetHeadroom({ hard_limit_usd: null }, spent('5'), '5')).toEqual({
      usd: null,
      tokens: null,
      hourlyUsd: null,
    });
  });

  it('is what is left under each limit, exactly', () => {
    const budget = { hard_limit_usd: 1, hard_limit_tokens: 10_000, max_cost_per_hour_usd: 0.3 };
    expect(budgetHeadroom(budget, spent('0.1234567891', 2500), '0.1')).toEqual({
      usd: '0.8765432109',
      tokens: 7500,
      hourlyUsd: '0.2000000000',
    });
  });

  it('never goes negative when spend passed a limit', () => {
    const budget = { hard_limit_usd: 1, hard_limit_tokens: 10, max_cost_per_hour_usd: 0.5 };
    expect(budgetHeadroom(budget, spent('1.5', 20), '0.7')).toEqual({ usd: NOTHING, tokens: 0, hourlyUsd: NOTHING });
  });

  it('treats a zero limit as nothing to spend', () => {
    expect(budgetHeadroom({ hard_limit_usd: 0, hard_limit_tokens: 0 }, spent(NOTHING), NOTHING)).toMatchObject({
      usd: NOTHING,
      tokens: 0,
    });
  });
});

describe('spendableUsd', () => {
  it('is the smaller of the run and hourly headroom, or whichever is set', () => {
    expect(spendableUsd({ usd: '0.5', tokens: null, hourlyUsd: '0.2' })).toBe('0.2000000000');
    expect(spendableUsd({ usd: '0.1', tokens: null, hourlyUsd: '0.2' })).toBe('0.1000000000');
    expect(spendableUsd({ usd: null, tokens: 5, hourlyUsd: '0.2' })).toBe('0.2');
    expect(spendableUsd({ usd: '0.5', tokens: null, hourlyUsd: null })).toBe('0.5');
    expect(spendableUsd({ usd: null, tokens: null, hourlyUsd: null })).toBeNull();
  });
});

describe('checkBudget', () => {
  const budget = { hard_limit_usd: 1, hard_limit_tokens: 10_000, max_cost_per_hour_usd: 5 };

  it('admits a call whose worst case fits, including one landing exactly on the limit', () => {
    expect(checkBudget(budget, spent('0.5', 100), NOTHING, { usd: '0.4999999999', tokens: 100 })).toEqual({
      allowed: true,
    });
    expect(checkBudget(budget, spent('0.5', 100), NOTHING, { usd: '0.5', tokens: 9900 })).toEqual({ allowed: true });
  });

  it('refuses the call whose worst case would pass hard_limit_usd, by a single unit', () => {
    expect(checkBudget(budget, spent('0.5', 100), NOTHING, { usd: '0.5000000001', tokens: 100 })).toEqual({
      allowed: false,
      code: 'budget_exceeded',
      status: 402,
      message:
        'Run budget exceeded: this call may cost up to $0.5000000001 but $0.5000000000 of hard_limit_usd $1 remains',
      details: {
        limit: 'hard_limit_usd',
        limit_value: 1,
        cost_usd: 0.5,
        remaining_usd: 0.5,
        worst_case_usd: 0.5000000001,
      },
    });
  });

  it('refuses on hard_limit_tokens', () => {
    expect(checkBudget(budget, spent('0', 9000), NOTHING, { usd: '0', tokens: 1001 })).toEqual({
      allowed: false,
      code: 'budget_exceeded',
      status: 402,
      message:
        'Run token budget exceeded: this call may use up to 1001 tokens but 1000 of hard_limit_tokens 10000 remain',
      details: {
        limit: 'hard_limit_tokens',
        limit_value: 10_000,
        tokens_used: 9000,
        remaining_tokens: 1000,
        worst_case_tokens: 1001,
      },
    });
  });

  it('refuses on max_cost_per_hour_usd across runs', () => {
    expect(checkBudget(budget, spent('0'), '4.9', { usd: '0.2', tokens: 10 })).toEqual({
      allowed: false,
      code: 'budget_exceeded',
      status: 402,
      message:
        'Hourly budget exceeded: this call may cost up to $0.2000000000 but $0.1000000000 of max_cost_per_hour_usd $5 remains',
      details: {
        limit: 'max_cost_per_hour_usd',
        limit_value: 5,
        hourly_cost_usd: 4.9,
        remaining_usd: 0.1,
        worst_case_usd: 0.2,
      },
    });
  });

  it('names the run limit first when several are passed', () => {
    expect(exceededLimit({ usd: '0', tokens: 0, hourlyUsd: '0' }, { usd: '1', tokens: 1 })).toBe('hard_limit_usd');
    expect(exceededLimit({ usd: '1', tokens: 0, hourlyUsd: '0' }, { usd: '1', tokens: 1 })).toBe('hard_limit_tokens');
    expect(exceededLimit({ usd: '1', tokens: 1, hourlyUsd: '0' }, { usd: '1', tokens: 1 })).toBe(
      'max_cost_per_hour_usd',
    );
    expect(exceededLimit({ usd: '1', tokens: 1, hourlyUsd: '1' }, { usd: '1', tokens: 1 })).toBeNull();
  });

  it('admits everything without limits', () => {
    expect(checkBudget({}, spent('1000000', 1e9), '1000000', { usd: '1000', tokens: 1e6 })).toEqual({ allowed: true });
    expect(checkBudget(null, spent('1'), '1', { usd: '1', tokens: 1 })).toEqual({ allowed: true });
  });

  it('never lets admitted worst cases add up past the limit', () => {
    // Holds of 0.0003333334 against 0.01: a 30th would pass the limit by 2e-9, so 29 fit.
    const limit = { hard_limit_usd: 0.01 };
    const worst = { usd: '0.0003333334', tokens: 0 };
    let held = NOTHING;
    let admitted = 0;
    for (let i = 0; i < 100; i++) {
      if (checkBudget(limit, spent(held), NOTHING, worst).allowed) {
        held = addUsd(held, worst.usd);
        admitted++;
      }
    }
    expect(admitted).toBe(29);
    expect(Number(held)).toBeLessThanOrEqual(0.01);
  });
});

describe('alert thresholds', () => {
  it('are not exceeded below the thresholds or without any', () => {
    expect(
      evaluateAlertThreshold({ alert_threshold_usd: 1, alert_threshold_tokens: 100 }, spent('0.9999999999', 99)),
    ).toEqual({ exceeded: false });
    expect(evaluateAlertThreshold({}, spent('100', 1e9))).toEqual({ exceeded: false });
    expect(evaluateAlertThreshold(undefined, spent('100', 1e9))).toEqual({ exceeded: false });
  });

  it('are exceeded on reaching a threshold, naming each crossed, with continue_and_alert by default', () => {
    expect(evaluateAlertThreshold({ alert_threshold_usd: 1 }, spent('1'))).toEqual({
      exceeded: true,
      crossed: ['alert_threshold_usd'],
      action: 'continue_and_alert',
    });
    expect(
      evaluateAlertThreshold(
        { alert_threshold_usd: 1, alert_threshold_tokens: 100, on_alert_threshold: 'continue_and_block_new' },
        spent('2', 100),
      ),
    ).toEqual({
      exceeded: true,
      crossed: ['alert_threshold_usd', 'alert_threshold_tokens'],
      action: 'continue_and_block_new',
    });
  });

  it('stop the run only under stop_and_alert, with 402 budget_alert_exceeded', () => {
    const over = spent('0.75', 1200);
    expect(checkAlertThreshold({ alert_threshold_usd: 0.5 }, over)).toEqual({ allowed: true });
    expect(
      checkAlertThreshold({ alert_threshold_usd: 0.5, on_alert_threshold: 'continue_and_block_new' }, over),
    ).toEqual({ allowed: true });
    expect(checkAlertThreshold({ alert_threshold_usd: 0.5, on_alert_threshold: 'stop_and_alert' }, over)).toEqual({
      allowed: false,
      code: 'budget_alert_exceeded',
      status: 402,
      message: 'Run reached its alert threshold (alert_threshold_usd) and the policy stops runs there',
      details: {
        thresholds: ['alert_threshold_usd'],
        action: 'stop_and_alert',
        alert_threshold_usd: 0.5,
        alert_threshold_tokens: null,
        cost_usd: 0.75,
        tokens_used: 1200,
      },
    });
    expect(checkAlertThreshold({ alert_threshold_usd: 1, on_alert_threshold: 'stop_and_alert' }, over)).toEqual({
      allowed: true,
    });
  });
});
