import type { HealthResponse } from '@rungate/contracts';
import { agents, runs } from '@rungate/db';
import { count, eq } from 'drizzle-orm';
import type { SharedStateHealth } from '../../calls/shared-state/guard.ts';
import type { ServiceDeps } from '../../deps.ts';

export const RUNGATE_VERSION = '0.1.0';

/** `redisHealth` is given when Redis is configured: `/health` then reports it. */
export function createHealthService({ db, clock }: ServiceDeps, redisHealth?: () => SharedStateHealth) {
  const startedAt = clock.now().getTime();
  return {
    /** Never throws: a database that does not answer shows as `storage: error`, `status: unhealthy`. */
    async check(): Promise<HealthResponse> {
      const base = {
        version: RUNGATE_VERSION,
        uptime_seconds: Math.floor((clock.now().getTime() - startedAt) / 1000),
        ...(redisHealth ? { redis: redisHealth() } : {}),
      };
      try {
        const [[agentCount], [runCount]] = await Promise.all([
          db.select({ n: count() }).from(agents),
          db.select({ n: count() }).from(runs).where(eq(runs.status, 'running')),
        ]);
        return {
          ...base,
          status: 'healthy',
          storage: 'connected',
          agents_count: agentCount?.n ?? 0,
          active_runs: runCount?.n ?? 0,
        };
      } catch {
        return { ...base, status: 'unhealthy', storage: 'error', agents_count: 0, active_runs: 0 };
      }
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
