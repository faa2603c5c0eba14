import type { WebhookEngine } from './engine.ts';

/**
 * Whether this process runs a delivery engine, and which. The webhook service reads it for
 * `POST /api/webhooks/{id}/test` (503 without an engine); `startWebhookEngine` fills it.
 */
export class WebhookEngineSlot {
  #engine: WebhookEngine | null = null;

  get current(): WebhookEngine | null {
    return this.#engine;
  }

  attach(engine: WebhookEngine): void {
    this.#engine = engine;
  }

  detach(engine: WebhookEngine): void {
    if (this.#engine === engine) this.#engine = null;
  }
}
