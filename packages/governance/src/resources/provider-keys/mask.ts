/**
 * A provider key is shown by its last four characters only, so listing keys never needs the
 * plaintext. Keys of 8 characters or fewer keep nothing (the same threshold as `maskSecret`):
 * four of them would give most of the key away.
 */
export function lastFourOf(apiKey: string): string | null {
  return apiKey.length > 8 ? apiKey.slice(-4) : null;
}

/** The masked form shown in responses; null when there is no secret (a deleted key). */
export function maskApiKey(hasSecret: boolean, lastFour: string | null): string | null {
  if (!hasSecret) return null;
  return lastFour ? `...${lastFour}` : '****';
}
