import { describe, expect, it } from 'vitest';
import { POLICY_DEFAULTS } from '../../resources/policies/defaults.ts';
import {
  type AttemptFailure,
  type AttemptRecord,
  firstStep,
  isRetryable,
  nextStep,
  type RetrySettings,
} from './retry.ts';

const plan = { attempts: [{ keyIds: ['a1', 'a2'] }, { keyIds: ['b1'] }, { keyIds: ['c1'] }] };
const settings: RetrySettings = {
  retry_on: [429, 500, 502, 503, 504],
  max_retries: 2,
  on_rate_limit: 'failover_first',
};

const http = (status: number, retryAfterMs: number | null = null): AttemptFailure => ({
  kind: 'http_error',
  status,
  retryAfterMs,
});
const kind = (k: AttemptFailure['kind']): AttemptFailure => ({ kind: k, status: null, retryAfterMs: null });
const at = (providerIndex: number, keyId: string, failure: AttemptFailure): AttemptRecord => ({
  providerIndex,
  keyId,
  failure,
});

describe('isRetryable', () => {
  it('retries the statuses in retry_on and failures before the first byte', () => {
    expect(isRetryable(http(503), settings.retry_on)).toBe(true);
    expect(isRetryable(http(400), settings.retry_on)).toBe(false);
    expect(isRetryable(http(401), [401])).toBe(true);
    for (const k of [
      'tcp_connect_timeout',
      'request_timeout',
      'network_error',
      'empty_stream',
      'first_events_timeout',
      'first_events_error',
    ] as const) {
      expect(isRetryable(kind(k), []), k).toBe(true);
    }
    expect(isRetryable(kind('mid_stream_error'), settings.retry_on)).toBe(false);
    expect(isRetryable(kind('stream_processing_error'), settings.retry_on)).toBe(false);
  });
});

describe('nextStep', () => {
  it('starts at the first key of the first provider', () => {
    expect(firstStep(plan)).toEqual({ providerIndex: 0, keyId: 'a1' });
    expect(firstStep({ attempts: [] })).toBeNull();
  });

  it('stops at once on a status outside retry_on, and after a mid-stream error', () => {
    expect(nextStep(plan, settings, [at(0, 'a1', http(400))])).toEqual({ action: 'stop', reason: 'not_retryable' });
    expect(nextStep(plan, settings, [at(0, 'a1', kind('mid_stream_error'))])).toEqual({
      action: 'stop',
      reason: 'not_retryable',
    });
  });

  it("tries the provider's next key at once, then fails over when attempts are used up", () => {
    const h1 = [at(0, 'a1', http(500))];
    expect(nextStep(plan, settings, h1)).toEqual({ action: 'next_key', providerIndex: 0, keyId: 'a2', delayMs: 0 });
    const h2 = [...h1, at(0, 'a2', http(502))];
    expect(nextStep(plan, settings, h2)).toEqual({
      action: 'next_provider',
      providerIndex: 1,
      keyId: 'b1',
      delayMs: 0,
    });
  });

  it('retries the same key with exponential backoff while attempts remain', () => {
    const three = { ...settings, max_retries: 3 };
    const h = [at(1, 'b1', kind('network_error'))];
    expect(nextStep(plan, three, h)).toEqual({ action: 'retry', providerIndex: 1, keyId: 'b1', delayMs: 500 });
    h.push(at(1, 'b1', kind('request_timeout')));
    expect(nextStep(plan, three, h)).toEqual({ action: 'retry', providerIndex: 1, keyId: 'b1', delayMs: 1000 });
    h.push(at(1, 'b1', kind('tcp_connect_timeout')));
    expect(nextStep(plan, three, h)).toEqual({ action: 'next_provider', providerIndex: 2, keyId: 'c1', delayMs: 0 });
  });

  it('cycles through the keys of a provider when retrying past them', () => {
    const h = [at(0, 'a1', http(500)), at(0, 'a2', http(500))];
    expect(nextStep(plan, { ...settings, max_retries: 3 }, h)).toMatchObject({
      action: 'retry',
      keyId: 'a1',
      delayMs: 1000,
    });
  });

  it('stops as exhausted after the last provider', () => {
    expect(nextStep(plan, settings, [at(2, 'c1', http(503)), at(2, 'c1', http(503))])).toEqual({
      action: 'stop',
      reason: 'exhausted',
    });
  });

  it('treats max_retries 0 as the single first attempt', () => {
    expect(nextStep(plan, { ...settings, max_retries: 0 }, [at(1, 'b1', http(500))])).toMatchObject({
      action: 'next_provider',
      providerIndex: 2,
    });
  });

  it('uses the defaults (two attempts per provider)', () => {
    const defaults = POLICY_DEFAULTS.routing;
    expect(nextStep({ attempts: [{ keyIds: ['x'] }] }, defaults, [at(0, 'x', http(503))])).toMatchObject({
      action: 'retry',
      delayMs: 500,
    });
  });

  describe('rate limits', () => {
    const single = { attempts: [{ keyIds: ['a1'] }, { keyIds: ['b1'] }] };

    it('failover_first: next provider before waiting on the limited one', () => {
      expect(nextStep(single, settings, [at(0, 'a1', http(429, 2_000))])).toEqual({
        action: 'next_provider',
        providerIndex: 1,
        keyId: 'b1',
        delayMs: 0,
      });
    });

    it('failover_first: waits retry-after on the last provider when attempts remain', () => {
      expect(nextStep(single, settings, [at(1, 'b1', http(429, 2_000))])).toEqual({
        action: 'retry',
        providerIndex: 1,
        keyId: 'b1',
        delayMs: 2_000,
      });
    });

    it('failover_first: another key of the same provider goes first (no wait)', () => {
      expect(nextStep(plan, settings, [at(0, 'a1', http(429, 2_000))])).toMatchObject({
        action: 'next_key',
        keyId: 'a2',
      });
    });

    it('backoff_first: waits retry-after on the same provider, then fails over', () => {
      const backoff = { ...settings, on_rate_limit: 'backoff_first' as const };
      const h = [at(0, 'a1', http(429, 3_000))];
      expect(nextStep(single, backoff, h)).toEqual({ action: 'retry', providerIndex: 0, keyId: 'a1', delayMs: 3_000 });
      h.push(at(0, 'a1', http(429, 3_000)));
      expect(nextStep(single, backoff, h)).toMatchObject({ action: 'next_provider', providerIndex: 1 });
    });

    it('backoff_first: backs off exponentially when no retry-after came', () => {
      const backoff = { ...settings, on_rate_limit: 'backoff_first' as const };
      expect(nextStep(single, backoff, [at(0, 'a1', http(429))])).toMatchObject({ action: 'retry', delayMs: 500 });
    });

    it('moves on rather than wait longer than maxDelayMs', () => {
      const backoff = { ...settings, on_rate_limit: 'backoff_first' as const };
      expect(nextStep(single, backoff, [at(0, 'a1', http(429, 60_000))])).toMatchObject({
        action: 'next_provider',
        providerIndex: 1,
      });
      expect(nextStep(single, backoff, [at(1, 'b1', http(429, 60_000))])).toEqual({
        action: 'stop',
        reason: 'exhausted',
      });
      expect(nextStep(single, backoff, [at(1, 'b1', http(429, 60_000))], { maxDelayMs: 60_000 })).toMatchObject({
        action: 'retry',
        delayMs: 60_000,
      });
    });

    it('stops on a 429 that retry_on leaves out', () => {
      expect(nextStep(single, { ...settings, retry_on: [500] }, [at(0, 'a1', http(429))])).toEqual({
        action: 'stop',
        reason: 'not_retryable',
      });
    });
  });

  describe('open circuits', () => {
    it('skips an open key without counting an attempt', () => {
      const h = [at(0, 'a1', kind('circuit_open'))];
      expect(nextStep(plan, settings, h)).toEqual({ action: 'next_key', providerIndex: 0, keyId: 'a2', delayMs: 0 });
      h.push(at(0, 'a2', http(500)));
      // a2 made the one real attempt; a1 is open, so a2 is retried for the second.
      expect(nextStep(plan, settings, h)).toEqual({ action: 'retry', providerIndex: 0, keyId: 'a2', delayMs: 500 });
    });

    it('fails over when every key of the provider is open', () => {
      const h = [at(0, 'a1', kind('circuit_open')), at(0, 'a2', kind('circuit_open'))];
      expect(nextStep(plan, settings, h)).toEqual({
        action: 'next_provider',
        providerIndex: 1,
        keyId: 'b1',
        delayMs: 0,
      });
      expect(nextStep(plan, settings, [at(2, 'c1', kind('circuit_open'))])).toEqual({
        action: 'stop',
        reason: 'exhausted',
      });
    });
  });

  it('refuses an empty history', () => {
    expect(() => nextStep(plan, settings, [])).toThrow(RangeError);
  });
});
