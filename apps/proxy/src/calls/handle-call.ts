import { performance } from 'node:perf_hooks';
import type { FailoverAttempt } from '@rungate/contracts';
import type { AdmittedCall, AttemptRecord, CallOutcome, Services } from '@rungate/governance';
import { firstStep, nextStep, parseRunControls } from '@rungate/governance';
import { providerErrorBody } from '@rungate/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { splitControlFields } from '../providers/control-fields.ts';
import { UpstreamError } from '../providers/errors.ts';
import { adapterFor } from '../providers/registry.ts';
import { translatorFor } from '../providers/translate/index.ts';
import type { JsonObject, WireAdapter, WireFormat } from '../providers/types.ts';
import { type AttemptResult, runAttempt } from './attempt.ts';
import { callHeaders, overheadHeader, usageHeaders } from './headers.ts';
import type { UpstreamPools } from './pools.ts';
import { sendRefusal } from './refusals.ts';
import { streamToClient } from './stream.ts';

/** Statuses a provider uses for the caller's own mistakes: passed through rather than hidden behind a 502. */
const CLIENT_ERROR_STATUSES = new Set([400, 404, 413, 422]);
/** Printable ASCII: model names travel in response headers. */
const MODEL_NAME = /^[\x20-\x7e]{1,256}$/;

export interface CallContext {
  services: Services;
  pools: UpstreamPools;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One governed LLM call: controls and request facts, admission (every policy check and the
 * budget hold), then the route — providers and keys in order, with retries, circuit breakers
 * and failover until the first byte reaches the client — and exact settlement.
 */
export async function handleCall(
  format: WireFormat,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: CallContext,
): Promise<FastifyReply> {
  const started = performance.now();
  const adapter = adapterFor(format);
  const { controls: bodyControls, rest } = splitControlFields(request.body as JsonObject);
  if (rest.model !== undefined && (typeof rest.model !== 'string' || !MODEL_NAME.test(rest.model))) {
    return reply.status(400).send({
      error: {
        type: 'validation_error',
        message: 'model must be a model name',
        fields: { model: 'Must be a string of printable ASCII characters' },
      },
    });
  }
  const controls = parseRunControls(request.headers as Record<string, unknown>, bodyControls);
  const info = adapter.inspectRequest(rest);
  const admission = await ctx.services.calls.admit({
    agent: request.agent,
    format,
    controls,
    model: info.model,
    maxTokens: info.maxTokens,
    toolsOffered: info.toolsOffered,
    toolsUsed: info.toolsUsed,
    bodyBytes: Number(request.headers['content-length']) || JSON.stringify(rest).length,
    body: rest,
    stream: info.stream,
  });
  if (admission.kind !== 'admitted') return sendRefusal(reply, admission);
  const call = admission.call;
  reply.headers(callHeaders(call));
  if (call.dryRun) return answerDryRun({ adapter, call, stream: info.stream, body: rest, reply, ctx, started });
  return route({ call, format, body: rest, request, reply, ctx, started });
}

/** What every answer of one admitted call needs: the call, the reply to send it on, the proxy's collaborators. */
interface Answering {
  call: AdmittedCall;
  reply: FastifyReply;
  ctx: CallContext;
}

async function route({
  call,
  format,
  body,
  request,
  reply,
  ctx,
  started,
}: Answering & {
  format: WireFormat;
  body: JsonObject;
  request: FastifyRequest;
  started: number;
}): Promise<FastifyReply> {
  const { plan } = call;
  const { breakers, latency } = ctx.services.routing;
  const routing = call.policy.routing;
  const history: AttemptRecord[] = [];
  const attempted: FailoverAttempt[] = [];
  let lastError: UpstreamError | null = null;
  let lastKeyId: string | null = null;
  // A client that leaves before its answer started ends the route: the attempt in flight is
  // cancelled and no further provider is called (or charged) for nobody.
  const client = { gone: false, attempt: null as AbortController | null };
  const onClose = () => {
    if (reply.raw.writableFinished) return;
    client.gone = true;
    client.attempt?.abort(new Error('client disconnected'));
  };
  reply.raw.on('close', onClose);
  try {
    return await attemptInOrder();
  } finally {
    reply.raw.off('close', onClose);
  }

  async function attemptInOrder(): Promise<FastifyReply> {
    for (let step = firstStep(plan); step; ) {
      if (client.gone) return answerClientGone({ call, attempted, keyId: lastKeyId, cancelled: null, reply, ctx });
      const attempt = plan.attempts[step.providerIndex];
      const key = call.keysById.get(step.keyId);
      if (!attempt || !key) throw new Error('The route plan names an attempt or a key it does not hold');
      const nowMs = ctx.services.deps.clock.now().getTime();
      if (!(await breakers.canAttempt(key.id, routing.circuit_breaker, nowMs))) {
        history.push({
          providerIndex: step.providerIndex,
          keyId: key.id,
          failure: { kind: 'circuit_open', status: null, retryAfterMs: null },
        });
        attempted.push({
          provider: attempt.provider,
          provider_key_id: key.id,
          error: 'Circuit open: key skipped',
          kind: 'circuit_open',
        });
      } else {
        const abort = new AbortController();
        client.attempt = abort;
        const deadline = setTimeout(
          () => abort.abort(new DOMException('request timed out', 'TimeoutError')),
          attempt.timeoutMs,
        );
        const upstreamStarted = performance.now();
        let result: AttemptResult | null = null;
        try {
          result = await runAttempt({
            call,
            attempt,
            key,
            clientFormat: format,
            body,
            clientHeaders: request.headers,
            pools: ctx.pools,
            signal: abort.signal,
          });
        } catch (error) {
          if (!(error instanceof UpstreamError)) throw error;
          lastError = error;
          lastKeyId = key.id;
        } finally {
          if (!result || result.kind === 'complete') clearTimeout(deadline);
        }
        const served = { provider: attempt.provider, model: attempt.resolvedModel };
        if (result) {
          await breakers.recordSuccess(
            { keyId: key.id, provider: attempt.provider },
            ctx.services.deps.clock.now().getTime(),
          );
          if (attempted.length > 0) {
            await ctx.services.calls.recordFailover(call, {
              attempted,
              resolved_provider: attempt.provider,
              resolved_model: attempt.resolvedModel,
              original_model: call.requestedModel,
            });
          }
          reply.header('x-rungate-provider', attempt.provider).header('x-rungate-model', attempt.resolvedModel);
          const settlement = { providerKeyId: key.id, attempt: served, failedAttempts: attempted.length };
          if (result.kind === 'stream') {
            try {
              return await streamToClient({
                call,
                opened: result.opened,
                transformer: result.translator.stream({ clientWantsUsage: result.clientWantsUsage }),
                reply,
                abort,
                services: ctx.services,
                attempt: settlement,
                started,
                upstreamStarted,
              });
            } finally {
              clearTimeout(deadline);
            }
          }
          latency.record(attempt.provider, key.id, result.upstreamMs, ctx.services.deps.clock.now().getTime());
          return answerComplete({ call, result, attempt: settlement, reply, ctx, started });
        }
        if (client.gone) return answerClientGone({ call, attempted, keyId: key.id, cancelled: served, reply, ctx });
        const failure = lastError;
        if (!failure) throw new Error('An attempt ended with neither a result nor an error');
        // The caller's own mistake says nothing about the key's health: it never opens a circuit.
        const callersMistake =
          failure.kind === 'http_error' && CLIENT_ERROR_STATUSES.has(failure.status) && failure.body !== null;
        if (!callersMistake)
          await breakers.recordFailure(
            { keyId: key.id, provider: attempt.provider },
            routing.circuit_breaker,
            ctx.services.deps.clock.now().getTime(),
          );
        history.push({
          providerIndex: step.providerIndex,
          keyId: key.id,
          failure: {
            kind: failure.kind === 'unknown' || failure.kind === 'client_disconnect' ? 'network_error' : failure.kind,
            status: failure.kind === 'http_error' ? failure.status : null,
            retryAfterMs: failure.retryAfterMs,
          },
        });
        attempted.push({
          provider: attempt.provider,
          provider_key_id: key.id,
          status: failure.status,
          error: failure.message.slice(0, 500),
          kind: failure.kind,
        });
        if (callersMistake) {
          return passThroughClientError({
            call,
            error: failure,
            keyId: key.id,
            served,
            failedAttempts: attempted.length - 1,
            clientFormat: format,
            providerFormat: attempt.format,
            reply,
            ctx,
          });
        }
      }
      const next = nextStep(plan, routing, history);
      if (next.action === 'stop') break;
      if (next.delayMs > 0) await sleep(next.delayMs);
      step = next;
    }
    if (client.gone) return answerClientGone({ call, attempted, keyId: lastKeyId, cancelled: null, reply, ctx });
    return answerAllFailed({ call, attempted, lastError, lastKeyId, reply, ctx });
  }
}

/**
 * The client left before any byte of an answer: the step says so (against the attempt it
 * cancelled, else the last one tried), nothing is sent.
 */
async function answerClientGone({
  call,
  attempted,
  keyId,
  cancelled,
  reply,
  ctx,
}: Answering & {
  attempted: FailoverAttempt[];
  keyId: string | null;
  cancelled: { provider: string; model: string } | null;
}): Promise<FastifyReply> {
  const message = 'The client disconnected before an answer started';
  const last = attempted.at(-1);
  const served = cancelled ?? (last ? { provider: last.provider, model: call.model } : null);
  await ctx.services.calls.settle(call, {
    status: 'error',
    usage: null,
    response: { error: { message, kind: 'client_disconnect' }, errors: attempted },
    errorKind: 'client_disconnect',
    errorMessage: message,
    latencyMs: 0,
    providerKeyId: keyId,
    ...(served ? { attempt: served } : {}),
    failedAttempts: attempted.length,
  });
  // The client only half-closed, or closed a keep-alive socket the server still holds open for
  // this response: without the destroy the connection (and server.close()) waits forever.
  reply.hijack();
  reply.raw.destroy();
  return reply;
}

async function answerComplete({
  call,
  result,
  attempt,
  reply,
  ctx,
  started,
}: Answering & {
  result: Extract<AttemptResult, { kind: 'complete' }>;
  attempt: Pick<CallOutcome, 'providerKeyId' | 'attempt' | 'failedAttempts'>;
  started: number;
}): Promise<FastifyReply> {
  const providerAdapter = adapterFor(result.translator.providerFormat);
  const summary = providerAdapter.summarizeResponse(result.parsed);
  const settlement = await ctx.services.calls.settle(call, {
    status: 'success',
    usage: summary.usage,
    response: (result.parsed as Record<string, unknown> | null) ?? { raw: result.text.slice(0, 1000) },
    latencyMs: result.upstreamMs,
    ...attempt,
  });
  const answer =
    result.translator.translates && result.parsed !== null
      ? JSON.stringify(result.translator.response(result.parsed as JsonObject))
      : result.text;
  return reply
    .status(result.status)
    .headers(usageHeaders(settlement))
    .headers(overheadHeader(performance.now() - started, result.upstreamMs))
    .type('application/json')
    .send(answer);
}

async function passThroughClientError({
  call,
  error,
  keyId,
  served,
  failedAttempts,
  clientFormat,
  providerFormat,
  reply,
  ctx,
}: Answering & {
  error: UpstreamError;
  keyId: string;
  served: { provider: string; model: string };
  failedAttempts: number;
  clientFormat: WireFormat;
  providerFormat: WireFormat;
}): Promise<FastifyReply> {
  await ctx.services.calls.settle(call, errorOutcome(error, keyId, served, failedAttempts));
  const parsed = parseObject(error.body ?? '');
  const body =
    clientFormat !== providerFormat && parsed
      ? JSON.stringify(translatorFor(clientFormat, providerFormat).errorBody(parsed))
      : error.body;
  return reply.status(error.status).type('application/json').send(body);
}

async function answerAllFailed({
  call,
  attempted,
  lastError,
  lastKeyId,
  reply,
  ctx,
}: Answering & {
  attempted: FailoverAttempt[];
  lastError: UpstreamError | null;
  lastKeyId: string | null;
}): Promise<FastifyReply> {
  const tried = attempted.filter((a) => a.status !== undefined).length;
  const message = !lastError
    ? attempted.length > 0
      ? 'Every provider key of this route has an open circuit; try again later'
      : `No ${call.provider} provider key is usable for this agent`
    : tried <= 1
      ? `The provider failed: ${lastError.message}`
      : `All ${tried} attempts failed; last: ${lastError.message}`;
  const last = attempted.at(-1);
  await ctx.services.calls.settle(call, {
    status: lastError?.kind === 'request_timeout' || lastError?.kind === 'tcp_connect_timeout' ? 'timeout' : 'error',
    usage: null,
    response: {
      error: {
        message,
        kind: lastError?.kind ?? 'unknown',
        ...(last ? { provider: last.provider, status: last.status } : {}),
      },
      errors: attempted,
    },
    errorKind: lastError?.kind ?? 'unknown',
    errorMessage: message,
    latencyMs: 0,
    providerKeyId: lastKeyId,
    ...(last ? { attempt: { provider: last.provider, model: call.model } } : {}),
    failedAttempts: Math.max(0, attempted.length - 1),
  });
  const details = attempted.map((a) => ({
    provider: a.provider,
    status: a.status ?? 503,
    message: a.error ?? 'failed',
    kind: a.kind ?? 'unknown',
  }));
  return reply
    .status(502)
    .send(
      providerErrorBody(message, details.length > 0 ? details : [{ provider: call.provider, status: 502, message }]),
    );
}

function errorOutcome(
  error: UpstreamError,
  keyId: string,
  served: { provider: string; model: string },
  failedAttempts: number,
): CallOutcome {
  return {
    status: error.kind === 'request_timeout' || error.kind === 'tcp_connect_timeout' ? 'timeout' : 'error',
    usage: null,
    response: { error: { ...error.toDetail(), ...(error.body ? { body: error.body } : {}) } },
    errorKind: error.kind,
    errorMessage: error.message,
    latencyMs: 0,
    providerKeyId: keyId,
    attempt: served,
    failedAttempts,
  };
}

function parseObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

async function answerDryRun({
  adapter,
  call,
  stream,
  body,
  reply,
  ctx,
  started,
}: Answering & { adapter: WireAdapter; stream: boolean; body: JsonObject; started: number }): Promise<FastifyReply> {
  const clientWantsUsage = adapter.prepareRequest(body).clientWantsUsage;
  const settle = (response: Record<string, unknown>) =>
    ctx.services.calls.settle(call, {
      status: 'success',
      type: 'dry_run',
      usage: null,
      response,
      latencyMs: 0,
      providerKeyId: null,
    });
  reply.header('x-rungate-dry-run', 'true');
  if (stream) {
    const events = adapter.mockStream({ model: call.model, includeUsage: clientWantsUsage });
    await settle({ dry_run: true });
    return reply
      .headers(overheadHeader(performance.now() - started, 0))
      .type('text/event-stream')
      .header('cache-control', 'no-cache')
      .send(events);
  }
  const mock = adapter.mockResponse({ model: call.model });
  const settlement = await settle(mock);
  return reply
    .headers(usageHeaders(settlement))
    .headers(overheadHeader(performance.now() - started, 0))
    .send(mock);
}
