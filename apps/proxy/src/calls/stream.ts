import { performance } from 'node:perf_hooks';
import type { AdmittedCall, CallOutcome, Services } from '@rungate/governance';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PreparedRequest, StreamReport, WireAdapter } from '../providers/types.ts';
import { overheadHeader } from './headers.ts';
import type { UpstreamResponse } from './upstream.ts';

interface StreamArgs {
  adapter: WireAdapter;
  call: AdmittedCall;
  upstream: UpstreamResponse;
  prepared: PreparedRequest;
  reply: FastifyReply;
  request: FastifyRequest;
  abort: AbortController;
  services: Services;
  keyId: string;
  upstreamStarted: number;
}

function outcomeOf(report: StreamReport, failure: { clientGone: boolean; error: unknown }): Pick<CallOutcome, 'status' | 'errorKind' | 'errorMessage'> {
  if (failure.clientGone) return { status: 'error', errorKind: 'client_disconnect', errorMessage: 'The client disconnected before the stream ended' };
  if (failure.error) return { status: 'error', errorKind: 'mid_stream_error', errorMessage: failure.error instanceof Error ? failure.error.message : String(failure.error) };
  if (!report.sawEvent) return { status: 'error', errorKind: 'empty_stream', errorMessage: 'The provider ended the stream without sending an event' };
  if (report.error) return { status: 'error', errorKind: 'mid_stream_error', errorMessage: report.error.message ?? 'The provider sent an error event' };
  return { status: 'success' };
}

/**
 * Passes the provider's SSE bytes to the client as they arrive (only OpenAI's usage chunk is
 * hidden from a client that did not ask for it), then settles from the usage the stream carried.
 * A client that goes away cancels the upstream call; its step is still recorded.
 */
export async function streamToClient(args: StreamArgs): Promise<FastifyReply> {
  const { reply, call, upstream, abort } = args;
  const transformer = args.adapter.createStreamTransformer({ clientWantsUsage: args.prepared.clientWantsUsage });
  const raw = reply.raw;
  let clientGone = false;
  const onClose = () => {
    if (!raw.writableFinished) {
      clientGone = true;
      abort.abort(new Error('client disconnected'));
    }
  };
  raw.on('close', onClose);
  reply.hijack();
  const headers = {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...overheadHeader(performance.now() - args.upstreamStarted, performance.now() - args.upstreamStarted),
  };
  raw.writeHead(200, headers);
  raw.flushHeaders();

  const write = async (bytes: Uint8Array) => {
    if (bytes.byteLength === 0 || clientGone) return;
    if (!raw.write(bytes)) await new Promise<void>((resolve) => raw.once('drain', resolve).once('close', resolve));
  };
  let error: unknown = null;
  try {
    for await (const chunk of upstream.body) await write(transformer.push(chunk as Uint8Array));
    await write(transformer.end());
  } catch (caught) {
    error = clientGone ? null : caught;
  } finally {
    raw.off('close', onClose);
    if (!clientGone) raw.end();
  }
  const report = transformer.report();
  await args.services.calls.settle(call, {
    ...outcomeOf(report, { clientGone, error }),
    usage: report.usage,
    response: { id: report.id, model: report.model, stop_reason: report.stopReason, events: report.events, ...(report.error ? { error: report.error } : {}) },
    latencyMs: performance.now() - args.upstreamStarted,
    providerKeyId: args.keyId,
  });
  return reply;
}
