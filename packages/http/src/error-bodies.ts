import type { ProviderErrorResponse, ProxyAuthError } from '@rungate/contracts';

export const unauthorizedBody = (message: string): ProxyAuthError => ({ error: { type: 'unauthorized', message } });

export function providerErrorBody(
  message: string,
  details: { provider: string; status: number; message: string }[],
): ProviderErrorResponse {
  return { error: { type: 'provider_error', message, details } };
}
