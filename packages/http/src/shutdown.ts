import type { FastifyBaseLogger } from 'fastify';

/**
 * Stops the process cleanly on SIGINT or SIGTERM: runs `steps` in order (stop background work,
 * close the server, then its connections), once, however many signals arrive.
 */
export function closeOnSignals(log: FastifyBaseLogger, steps: (() => Promise<unknown>)[]): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    for (const step of steps) await step();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
