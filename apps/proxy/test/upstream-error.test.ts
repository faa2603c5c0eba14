import { errors, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERROR_BODY_CHARS, parseRetryAfter, UpstreamError } from '../src/providers/errors.ts';
import { type FakeProvider, startFakeProvider } from './support/fake-provider.ts';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

/** The error undici actually throws for a call, normalised. */
async function failure(call: () => Promise<unknown>): Promise<UpstreamError> {
  try {
    await call();
  } catch (error) {
    return UpstreamError.fromNetwork('openai', error);
  }
  throw new Error('expected the call to fail');
}

describe('UpstreamError from HTTP answers', () => {
  it('reads both formats of error body, status and retry-after', () => {
    const openai = UpstreamError.fromResponse(
      'openai',
      429,
      '{"error":{"message":"Slow down","type":"requests","code":"rate_limit_exceeded"}}',
      {
        'retry-after-ms': '1500',
        'retry-after': '2',
      },
    );
    expect(openai).toMatchObject({
      provider: 'openai',
      kind: 'http_error',
      status: 429,
      message: 'Slow down',
      errorType: 'requests',
      retryAfterMs: 1500,
    });
    expect(openai.toDetail()).toEqual({ provider: 'openai', status: 429, message: 'Slow down', kind: 'http_error' });

    const anthropic = UpstreamError.fromResponse(
      'anthropic',
      529,
      '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      { 'retry-after': '3' },
    );
    expect(anthropic).toMatchObject({
      status: 529,
      message: 'Overloaded',
      errorType: 'overloaded_error',
      retryAfterMs: 3000,
    });
    expect(anthropic).toBeInstanceOf(Error);
  });

  it('truncates long non-JSON bodies', () => {
    const html = `<html>${'x'.repeat(5000)}</html>`;
    const error = UpstreamError.fromResponse('groq', 502, html);
    expect(error.body).toHaveLength(MAX_ERROR_BODY_CHARS + 1);
    expect(error.message).toBe(error.body);
    expect(error).toMatchObject({ errorType: null, retryAfterMs: null });
    expect(UpstreamError.fromResponse('groq', 500, '').message).toBe('HTTP 500');
  });

  it('parses retry-after as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 00:00:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeNull();
    expect(parseRetryAfter({ 'retry-after': ['4', '9'] })).toBe(4000);
    expect(parseRetryAfter({})).toBeNull();
  });
});

describe('UpstreamError from network failures', () => {
  it('connection refused is a network error (502)', async () => {
    const closed = await startFakeProvider();
    const url = closed.url;
    await closed.close();
    const error = await failure(() => request(`${url}/v1/chat/completions`, { method: 'POST', body: '{}' }));
    expect(error).toMatchObject({ kind: 'network_error', status: 502, provider: 'openai' });
    const viaFetch = await failure(() => fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{}' }));
    expect(viaFetch.kind).toBe('network_error');
  });

  it('a slow first byte past headersTimeout is a request timeout (504)', async () => {
    // undici checks these timeouts on a coarse (about 1 s) timer, hence the generous margins.
    fake.enqueue({ delayMs: 3000 });
    const error = await failure(() =>
      request(`${fake.url}/v1/chat/completions`, { method: 'POST', body: '{}', headersTimeout: 100 }),
    );
    expect(error).toMatchObject({ kind: 'request_timeout', status: 504 });
  });

  it('a stalled body past bodyTimeout, or an AbortSignal deadline, is a request timeout', async () => {
    fake.enqueue({ chunkDelayMs: 3000 });
    const stalled = await failure(async () => {
      const response = await request(`${fake.url}/v1/chat/completions`, {
        method: 'POST',
        body: '{"stream":true}',
        bodyTimeout: 100,
      });
      await response.body.text();
    });
    expect(stalled.kind).toBe('request_timeout');

    fake.enqueue({ hang: true });
    const aborted = await failure(() =>
      fetch(`${fake.url}/v1/messages`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(50) }),
    );
    expect(aborted.kind).toBe('request_timeout');
  });

  it('a connection dropped mid-body is a network error', async () => {
    fake.enqueue({ dropAfterChunks: 1 });
    const error = await failure(async () => {
      const response = await request(`${fake.url}/v1/chat/completions`, { method: 'POST', body: '{"stream":true}' });
      await response.body.text();
    });
    expect(error.kind).toBe('network_error');
  });

  it('a connect timeout is tcp_connect_timeout, also wrapped by fetch', () => {
    const direct = UpstreamError.fromNetwork('anthropic', new errors.ConnectTimeoutError());
    expect(direct).toMatchObject({ kind: 'tcp_connect_timeout', status: 504, provider: 'anthropic' });
    const wrapped = UpstreamError.fromNetwork(
      'anthropic',
      new TypeError('fetch failed', { cause: new errors.ConnectTimeoutError() }),
    );
    expect(wrapped.kind).toBe('tcp_connect_timeout');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
  });

  it('anything that is not an Error is unknown', () => {
    expect(UpstreamError.fromNetwork('openai', 'weird').kind).toBe('unknown');
  });
});
