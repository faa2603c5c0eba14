import pg from 'pg';

export interface NotifyChannel {
  publish(payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface NotifyHandlers {
  onMessage: (payload: string) => void;
  onError: (error: Error) => void;
  /** Listening again after a lost connection: what was sent meanwhile is not replayed. */
  onReconnect?: () => void;
}

/** Waits before each reconnection attempt: doubling from the first, up to the last. */
const RETRY_MS = { first: 250, most: 10_000 };

/**
 * A PostgreSQL LISTEN/NOTIFY channel on a connection of its own (a pooled connection would
 * lose the LISTEN when returned). A lost connection is reported to `onError` and replaced,
 * with backoff, until the channel is closed; `onReconnect` then tells the owner it may have
 * missed messages. Publishing while the connection is down fails.
 */
export async function openNotifyChannel(
  url: string,
  channel: string,
  handlers: NotifyHandlers,
  retryMs = RETRY_MS,
): Promise<NotifyChannel> {
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let client!: pg.Client;

  async function listen(): Promise<void> {
    const next = new pg.Client({ connectionString: url });
    let lost = false;
    const onLost = (error: Error) => {
      if (lost || closed) return;
      lost = true;
      handlers.onError(error);
      next.end().catch(() => undefined);
      if (client === next) reconnect(retryMs.first);
    };
    next.on('error', onLost);
    next.on('end', () => onLost(new Error(`LISTEN connection for ${channel} closed`)));
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) handlers.onMessage(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
    } catch (error) {
      lost = true;
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
  }

  function reconnect(waitMs: number): void {
    retryTimer = setTimeout(() => {
      retryTimer = null;
      listen().then(
        () => {
          if (closed) return void client.end().catch(() => undefined);
          handlers.onReconnect?.();
        },
        (error: Error) => {
          handlers.onError(error);
          if (!closed) reconnect(Math.min(waitMs * 2, retryMs.most));
        },
      );
    }, waitMs);
    retryTimer.unref();
  }

  await listen();
  // Ending the connection under a publish in flight would fail it after its NOTIFY went out.
  const publishing = new Set<Promise<unknown>>();
  return {
    publish: async (payload) => {
      const sent = client.query('SELECT pg_notify($1, $2)', [channel, payload]);
      publishing.add(sent);
      try {
        await sent;
      } finally {
        publishing.delete(sent);
      }
    },
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await Promise.allSettled(publishing);
      await client.end().catch(() => undefined);
    },
  };
}
