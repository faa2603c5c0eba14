import type { HeaderMap } from '../types.ts';

/** The API version sent when the client did not choose one. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic base URLs carry no version segment, as the official SDK takes them. */
export function anthropicUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/messages`;
}

/** The client's version and beta opt-ins shape the response it can parse, so they are forwarded. */
export function anthropicHeaders(apiKey: string, clientHeaders: HeaderMap = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'x-api-key': apiKey,
    'anthropic-version': headerValue(clientHeaders['anthropic-version']) ?? ANTHROPIC_VERSION,
    'content-type': 'application/json',
  };
  const beta = headerValue(clientHeaders['anthropic-beta']);
  if (beta) headers['anthropic-beta'] = beta;
  return headers;
}

function headerValue(value: string | string[] | undefined): string | null {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined ? joined : null;
}
