import { randomUUID } from 'node:crypto';
import { type NotifyChannel, type NotifyHandlers, openNotifyChannel } from '@rungate/db';
import { Redis } from 'ioredis';
import type { ConfigGeneration } from './ttl-cache.ts';

const CHANNEL = 'rungate_config_changed';

/**
 * Redis pub/sub: one connection publishes, one (in subscriber mode) listens. ioredis reconnects
 * and subscribes again by itself; each later `ready` is such a reconnection.
 */
async function openRedisChannel(url: string, handlers: NotifyHandlers): Promise<NotifyChannel> {
  const publisher = new Redis(url, { maxRetriesPerRequest: 2 });
  const subscriber = new Redis(url);
  for (const connection of [publisher, subscriber]) connection.on('error', handlers.onError);
  subscriber.on('message', (channel: string, payload: string) => {
    if (channel === CHANNEL) handlers.onMessage(payload);
  });
  await subscriber.subscribe(CHANNEL);
  subscriber.on('ready', () => handlers.onReconnect?.());
  return {
    publish: async (payload) => {
      await publisher.publish(CHANNEL, payload);
    },
    close: async () => {
      await Promise.all([publisher.quit(), subscriber.quit()]);
    },
  };
}

/**
 * Tells every other Rungate process sharing this Redis (or else this PostgreSQL) about each
 * configuration change made here, and bumps this process's generation when another announces
 * one, so every instance's caches drop stale agents, policies and keys at once. Nothing to do
 * for a single process on embedded PGlite. Returns the stop function.
 */
export async function broadcastConfigChanges(
  generation: ConfigGeneration,
  options: { redisUrl?: string | undefined; databaseUrl?: string | undefined; onError: (error: unknown) => void },
): Promise<() => Promise<void>> {
  const { redisUrl, databaseUrl, onError } = options;
  if (!redisUrl && !databaseUrl) return async () => undefined;
  const self = randomUUID();
  const handlers: NotifyHandlers = {
    onMessage: (payload: string) => {
      if (payload !== self) generation.bumpFromPeer();
    },
    onError,
    // Announcements sent while the connection was down are lost: drop every cached entry.
    onReconnect: () => generation.bumpFromPeer(),
  };
  const channel = redisUrl
    ? await openRedisChannel(redisUrl, handlers)
    : await openNotifyChannel(databaseUrl ?? '', CHANNEL, handlers);
  const unsubscribe = generation.onBump(() => {
    channel.publish(self).catch(onError);
  });
  return async () => {
    unsubscribe();
    await channel.close();
  };
}
