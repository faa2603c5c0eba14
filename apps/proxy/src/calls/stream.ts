import { performance } from 'node:perf_hooks';
import type { AdmittedCall, CallOutcome, Services } from '@rungate/governance';
import type { FastifyReply } from 'fastify';
import type { StreamReport, StreamTransformer } from '../providers/types.ts';
import type { OpenedStream } from './first-bytes.ts';
import { overheadHeader } from './headers.ts';

export interface StreamArgs {
  call: AdmittedCall;
  opened: OpenedStream;
  transformer: StreamTransformer;
  reply: FastifyReply;
  abort: AbortController;
  services: Services;
  /** Settlement fields that depend on the attempt (key, provider, model, failovers). */
  attempt: Pick<CallOutcome, 'providerKeyId' | 'attempt' | 'failedAttempts'>;
  /** When the proxy received the request, and when this attempt went upstream. */
  started: number;
  upstreamStarted: number;
}

function outcomeOf(
  report: StreamReport,
  failure: { clientGone: boolean; error: unknown },
): Pick<CallOutcome, 'status' | 'errorKind' | 'errorMessage'> {
  if (failure.clientGone)
    return {
      status: 'error',
      errorKind: 'client_disconnect',
      errorMessage: 'The client disconnected before the stream ended',
    };
  if (failure.error)
    return {
      status: 'error',
      errorKind: 'mid_stream_error',
      errorMessage: failure.error instanceof Error ? failure.error.message : String(failure.error),
    };
  if (!report.sawEvent)
    return {
      status: 'error',
      errorKind: 'empty_stream',
      errorMessage: 'The provider ended the stream without sending an event',
    };
  if (report.error)
    return {
      status: 'error',
      errorKind: 'mid_stream_error',
      errorMessage: report.error.message ?? 'The provider sent an error event',
    };
  return { status: 'success' };
}

/**
 * Passes the provider's SSE to the client as it arrives (re-encoded when the formats differ;
 * OpenAI's usage chunk hidden from a client that did not ask for it), then settles from the
 * usage the stream carried. Past the first byte a failure ends the stream cleanly for the
 * client (`mid_stream_error`); a client that goes away cancels the upstream call and its step
 * is still recorded (`client_disconnect`).
 */
export async function streamToClient(args: StreamArgs): Promise<FastifyReply> {
  const { reply, call, abort, transformer } = args;
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
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Everything before the provider's first byte that was not the provider: Rungate's own time.
    ...overheadHeader(args.upstreamStarted - args.started, 0),
  });
  raw.flushHeaders();

  const write = async (bytes: Uint8Array) => {
    if (bytes.byteLength === 0 || clientGone) return;
    if (!raw.write(bytes)) await new Promise<void>((resolve) => raw.once('drain', resolve).once('close', resolve));
  };
  let error: unknown = null;
  try {
    await write(transformer.push(args.opened.first));
    for (let next = await args.opened.rest.next(); !next.done; next = await args.opened.rest.next())
      await write(transformer.push(next.value));
    await write(transformer.end());
  } catch (caught) {
    error = clientGone ? null : caught;
  }
  raw.off('close', onClose);
  const report = transformer.report();
  try {
    // Settled before the stream ends, so an agent that reads its run right after sees this step.
    await args.services.calls.settle(call, {
      ...outcomeOf(report, { clientGone, error }),
      ...args.attempt,
      usage: report.usage,
      response: {
        id: report.id,
        model: report.model,
        stop_reason: report.stopReason,
        events: report.events,
        ...(report.error ? { error: report.error } : {}),
      },
      latencyMs: performance.now() - args.upstreamStarted,
    });
  } finally {
    // A client that left may have left a half-open socket behind: close it rather than keep it.
    if (clientGone) raw.destroy();
    else raw.end();
  }
  return reply;
}
