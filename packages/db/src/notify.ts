import pg from 'pg';

export interface NotifyChannel {
  publish(payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A PostgreSQL LISTEN/NOTIFY channel on a connection of its own (a pooled connection would
 * lose the LISTEN when returned). `onError` hears a lost connection; messages sent meanwhile
 * are not replayed.
 */
export async function openNotifyChannel(
  url: string,
  channel: string,
  handlers: { onMessage: (payload: string) => void; onError: (error: Error) => void },
): Promise<NotifyChannel> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', handlers.onError);
  client.on('notification', (message) => {
    if (message.channel === channel && message.payload !== undefined) handlers.onMessage(message.payload);
  });
  await client.connect();
  await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
  return {
    publish: async (payload) => {
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    close: () => client.end(),
  };
}
