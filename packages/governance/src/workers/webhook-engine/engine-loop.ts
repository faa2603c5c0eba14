import { createWebhookEngine, type WebhookEngine, type WebhookEngineOptions } from './engine.ts';
import type { WebhookEngineSlot } from './engine-slot.ts';

export interface StartWebhookEngineOptions extends WebhookEngineOptions {
  /** Pause between rounds. Default 1 s. */
  intervalMs?: number;
  /** Told about this engine while it runs, so the API can hand it test deliveries. */
  slot?: WebhookEngineSlot;
  /** A failed round is reported here and the next round runs as usual. */
  onError?: (error: unknown) => void;
}

/**
 * Runs the delivery engine every `intervalMs` (rounds never overlap) until the returned function
 * is called; that stops new rounds and resolves once the running round has finished. Work lives
 * in the database, so whatever was pending when a process stopped is picked up by the next engine.
 */
export function startWebhookEngine(options: StartWebhookEngineOptions): () => Promise<void> {
  const engine: WebhookEngine = createWebhookEngine(options);
  const intervalMs = options.intervalMs ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  const schedule = () => {
    timer = setTimeout(() => {
      round = engine
        .runOnce()
        .then(
          () => undefined,
          (error: unknown) => options.onError?.(error),
        )
        .finally(() => {
          if (!stopped) schedule();
        });
    }, intervalMs);
    timer.unref();
  };

  options.slot?.attach(engine);
  schedule();
  return async () => {
    if (stopped) return;
    stopped = true;
    options.slot?.detach(engine);
    clearTimeout(timer);
    await engine.close();
    await round;
  };
}
