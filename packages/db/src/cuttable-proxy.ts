import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of a real server that a test can cut: `cut()` drops every open
 * connection and refuses new ones, as a stopped or unreachable PostgreSQL or Redis would;
 * `restore()` lets connections through again. Only the test's own clients see the outage.
 */
export interface CuttableProxy {
  /** `target` with its host and port replaced by the forwarder's. */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(target: string): Promise<CuttableProxy> {
  const upstream = new URL(target);
  const upstreamPort = Number(upstream.port || (upstream.protocol.startsWith('redis') ? 6379 : 5432));
  const open = new Set<Socket>();
  let cut = false;

  const server: Server = createServer((client) => {
    if (cut) return client.destroy();
    const server = connect(upstreamPort, upstream.hostname);
    for (const socket of [client, server]) {
      open.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => open.delete(socket));
    }
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.pipe(server).pipe(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the forwarder has no TCP address');

  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    cut: () => {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore: () => {
      cut = false;
    },
    close: async () => {
      cut = true;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
