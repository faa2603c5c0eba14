import { isLocalHostname, isPrivateAddress } from './private-addresses.ts';

/**
 * Why `url` cannot receive deliveries, or null when it can. With `blockPrivateAddresses`, literal
 * private IPs and `localhost` are refused here; hostnames are checked again when they resolve.
 */
export function receiverUrlProblem(url: string, blockPrivateAddresses: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Must be an absolute http:// or https:// URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'Must be an http:// or https:// URL';
  if (!parsed.hostname) return 'Must name a host';
  // Credentials in the URL would be shown on every read of the webhook; the signature authenticates us.
  if (parsed.username || parsed.password) return 'Must not contain credentials';
  if (blockPrivateAddresses && (isPrivateAddress(parsed.hostname) || isLocalHostname(parsed.hostname))) {
    return 'Private, loopback and link-local addresses are not allowed on this server';
  }
  return null;
}
