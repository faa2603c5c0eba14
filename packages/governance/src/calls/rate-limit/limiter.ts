/** Per agent per policy limits; null or undefined means unlimited. */
export interface RateLimits {
  max_requests_per_minute?: number | null | undefined;
  max_tokens_per_minute?: number | null | undefined;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; limit: 'requests' | 'tokens'; max: number; retryAfterMs: number };

/**
 * Fixed one-minute windows. `admit` counts a request only when it is let through; tokens are
 * known after the call and added with `recordTokens`, so the token limit refuses the calls
 * that come after the window's budget is spent.
 */
export interface RateLimiter {
  admit(key: string, limits: RateLimits, nowMs: number): Promise<RateDecision>;
  recordTokens(key: string, tokens: number, nowMs: number): Promise<void>;
  /** Takes back a request `admit` let through at `nowMs` (the call was refused by another rule). */
  unadmit(key: string, nowMs: number): Promise<void>;
}

export const WINDOW_MS = 60_000;

export const windowOf = (nowMs: number) => {
  const start = Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
  return { start, retryAfterMs: start + WINDOW_MS - nowMs };
};

export const rateLimitKey = (agentId: string, policyId: string) => `${agentId}:${policyId}`;

export const isLimited = (limits: RateLimits) =>
  limits.max_requests_per_minute != null || limits.max_tokens_per_minute != null;
