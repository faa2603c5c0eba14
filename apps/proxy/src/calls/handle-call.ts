import { performance } from 'node:perf_hooks';
import type { AdmittedCall, CallOutcome, Services } from '@rungate/governance';
import { parseRunControls } from '@rungate/governance';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { providerErrorBody } from '../http/error-bodies.ts';
import { splitControlFields } from '../providers/control-fields.ts';
import { UpstreamError } from '../providers/errors.ts';
import { adapterFor, upstreamTarget } from '../providers/registry.ts';
import type { JsonObject, WireAdapter, WireFormat } from '../providers/types.ts';
import { callHeaders, overheadHeader, usageHeaders } from './headers.ts';
import { sendRefusal } from './refusals.ts';
import { streamToClient } from './stream.ts';
import { callUpstream } from './upstream.ts';

/** Statuses a provider uses for the caller's own mistakes: passed through rather than hidden behind a 502. */
const CLIENT_ERROR_STATUSES = new Set([400, 404, 413, 422]);

export interface CallContext {
  services: Services;
  dispatcher: Dispatcher;
}

/**
 * One governed LLM call: controls and request facts, admission (every policy check and the
 * budget hold), then the upstream call and exact settlement. Streams go through byte for byte.
 */
export async function handleCall(format: WireFormat, request: FastifyRequest, reply: FastifyReply, ctx: CallContext): Promise<FastifyReply> {
  const started = performance.now();
  const adapter = adapterFor(format);
  const { controls: bodyControls, rest } = splitControlFields(request.body as JsonObject);
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

  if (call.dryRun) return answerDryRun(adapter, call, info.stream, rest, reply, ctx, started);

  const key = call.keys[0];
  if (!key) {
    const message = `No active ${call.provider} provider key is configured for this agent`;
    await ctx.services.calls.settle(call, { status: 'error', usage: null, response: { error: { message, kind: 'unknown' } }, errorKind: 'unknown', errorMessage: message, latencyMs: 0, providerKeyId: null });
    return reply.status(502).send(providerErrorBody(message, [{ provider: call.provider, status: 502, message }]));
  }
  const target = upstreamTarget(call.provider, key, request.headers);
  const prepared = adapter.prepareRequest(rest, {
    model: call.model,
    ...(call.maxTokensCap !== null ? { maxTokensCap: call.maxTokensCap } : {}),
    maxTokensField: target.spec.maxTokensField,
  });
  const timeoutMs = call.agent.routingOverride?.timeout_ms ?? call.policy.routing.timeout_ms;
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(new DOMException('request timed out', 'TimeoutError')), timeoutMs);
  const upstreamStarted = performance.now();
  try {
    const upstream = await callUpstream(ctx.dispatcher, target, JSON.stringify(prepared.body), abort.signal);
    if (prepared.stream) {
      return await streamToClient({ adapter, call, upstream, prepared, reply, request, abort, services: ctx.services, keyId: key.id, upstreamStarted });
    }
    const text = await upstream.body.text();
    const upstreamMs = performance.now() - upstreamStarted;
    const parsed = parseJson(text);
    const summary = adapter.summarizeResponse(parsed);
    const settlement = await ctx.services.calls.settle(call, {
      status: 'success',
      usage: summary.usage,
      response: (parsed as Record<string, unknown>) ?? { raw: text.slice(0, 1000) },
      latencyMs: upstreamMs,
      providerKeyId: key.id,
    });
    return reply
      .status(upstream.status)
      .headers(usageHeaders(settlement))
      .headers(overheadHeader(performance.now() - started, upstreamMs))
      .type('application/json')
      .send(text);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return failUpstream(call, error, key.id, performance.now() - upstreamStarted, reply, ctx);
  } finally {
    clearTimeout(deadline);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function failUpstream(call: AdmittedCall, error: UpstreamError, keyId: string, latencyMs: number, reply: FastifyReply, ctx: CallContext): Promise<FastifyReply> {
  const detail = error.toDetail();
  const outcome: CallOutcome = {
    status: error.kind === 'request_timeout' || error.kind === 'tcp_connect_timeout' ? 'timeout' : 'error',
    usage: null,
    response: { error: { ...detail, ...(error.body ? { body: error.body } : {}) } },
    errorKind: error.kind,
    errorMessage: error.message,
    latencyMs,
    providerKeyId: keyId,
  };
  await ctx.services.calls.settle(call, outcome);
  if (error.kind === 'http_error' && CLIENT_ERROR_STATUSES.has(error.status) && error.body) {
    return reply.status(error.status).type('application/json').send(error.body);
  }
  return reply.status(502).send(providerErrorBody(`The provider failed: ${error.message}`, [detail]));
}

async function answerDryRun(
  adapter: WireAdapter,
  call: AdmittedCall,
  stream: boolean,
  body: JsonObject,
  reply: FastifyReply,
  ctx: CallContext,
  started: number,
): Promise<FastifyReply> {
  const clientWantsUsage = adapter.prepareRequest(body).clientWantsUsage;
  const settle = (response: Record<string, unknown>) =>
    ctx.services.calls.settle(call, { status: 'success', type: 'dry_run', usage: null, response, latencyMs: 0, providerKeyId: null });
  reply.header('x-rungate-dry-run', 'true');
  if (stream) {
    const events = adapter.mockStream({ model: call.model, includeUsage: clientWantsUsage });
    await settle({ dry_run: true });
    return reply.headers(overheadHeader(performance.now() - started, 0)).type('text/event-stream').header('cache-control', 'no-cache').send(events);
  }
  const mock = adapter.mockResponse({ model: call.model });
  const settlement = await settle(mock);
  return reply.headers(usageHeaders(settlement)).headers(overheadHeader(performance.now() - started, 0)).send(mock);
}
