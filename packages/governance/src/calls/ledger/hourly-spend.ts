import { sql } from 'drizzle-orm';

export const HOUR_MS = 3_600_000;

/**
 * An agent's settled spend of the last hour, the figure `max_cost_per_hour_usd` caps, from its
 * spend per minute (`agent_spend_minutes`): at most 61 rows, however busy the agent. The minute
 * the hour starts in counts whole, so the figure may include up to a minute more than the hour
 * and the cap errs on the side of refusing. Values are SQL parameters or placeholders.
 */
export const hourlySpendSince = (agentId: unknown, hourAgo: unknown) => sql`(
  SELECT coalesce(sum(cost_usd), 0) FROM agent_spend_minutes
  WHERE agent_id = ${agentId}::uuid AND minute >= date_trunc('minute', ${hourAgo}::timestamptz)
)`;
