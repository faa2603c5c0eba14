import { type Dispatcher, request } from 'undici';
import { UpstreamError } from '../providers/errors.ts';
import type { UpstreamTarget } from '../providers/registry.ts';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * Sends the prepared body upstream over the keep-alive pool. `signal` carries both the
 * whole-request deadline and the client's disconnect; a non-2xx answer is read and thrown as
 * an `UpstreamError`, so callers only see success or one normalised failure.
 */
export async function callUpstream(
  dispatcher: Dispatcher,
  target: UpstreamTarget,
  body: string,
  signal: AbortSignal,
): Promise<UpstreamResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(target.url, { method: 'POST', headers: target.headers, body, dispatcher, signal });
  } catch (error) {
    throw UpstreamError.fromNetwork(target.spec.id, signal.reason ?? error);
  }
  if (response.statusCode >= 300) {
    const text = await response.body.text().catch(() => '');
    throw UpstreamError.fromResponse(target.spec.id, response.statusCode, text, response.headers);
  }
  return { status: response.statusCode, headers: response.headers, body: response.body };
}
