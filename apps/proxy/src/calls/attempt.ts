import { performance } from 'node:perf_hooks';
import type { AdmittedCall, RoutableProviderKey, RouteAttempt } from '@rungate/governance';
import { UpstreamError } from '../providers/errors.ts';
import { adapterFor, upstreamTarget } from '../providers/registry.ts';
import { type Translator, translatorFor } from '../providers/translate/index.ts';
import type { HeaderMap, JsonObject, WireFormat } from '../providers/types.ts';
import { type OpenedStream, openStream } from './first-bytes.ts';
import type { UpstreamPools } from './pools.ts';
import { callUpstream } from './upstream.ts';

export type AttemptResult =
  | { kind: 'complete'; status: number; text: string; parsed: unknown; translator: Translator; upstreamMs: number }
  | { kind: 'stream'; opened: OpenedStream; translator: Translator; clientWantsUsage: boolean };

export interface AttemptInput {
  call: AdmittedCall;
  attempt: RouteAttempt;
  key: RoutableProviderKey;
  clientFormat: WireFormat;
  /** The client's body, Rungate's control fields removed. */
  body: JsonObject;
  clientHeaders: HeaderMap;
  pools: UpstreamPools;
  /** Aborted by the deadline or by the client leaving. */
  signal: AbortSignal;
}

/**
 * One try of one provider key: the body translated to the provider's format when they differ,
 * the model and output cap applied, sent over the pool for the attempt's connect timeout.
 * A stream counts as answered only once its first bytes arrived, so failover stays possible
 * until something reached the client. Failures are thrown as `UpstreamError`.
 */
export async function runAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { call, attempt, key } = input;
  const target = upstreamTarget(attempt.provider, key, input.clientHeaders);
  const translator = translatorFor(input.clientFormat, attempt.format, { maxTokensField: target.spec.maxTokensField });
  const prepared = target.adapter.prepareRequest(translator.request(input.body), {
    model: attempt.resolvedModel,
    ...(call.maxTokensCap !== null ? { maxTokensCap: call.maxTokensCap } : {}),
    maxTokensField: target.spec.maxTokensField,
  });
  const started = performance.now();
  const upstream = await callUpstream(
    input.pools.for(attempt.connectTimeoutMs),
    target,
    JSON.stringify(prepared.body),
    input.signal,
  );
  if (prepared.stream) {
    const clientWantsUsage = adapterFor(input.clientFormat).prepareRequest(input.body).clientWantsUsage;
    return {
      kind: 'stream',
      opened: await openStream(attempt.provider, upstream.body, input.signal),
      translator,
      clientWantsUsage,
    };
  }
  let text: string;
  try {
    text = await upstream.body.text();
  } catch (error) {
    throw UpstreamError.fromNetwork(attempt.provider, input.signal.reason ?? error);
  }
  return {
    kind: 'complete',
    status: upstream.status,
    text,
    parsed: parseJson(text),
    translator,
    upstreamMs: performance.now() - started,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
