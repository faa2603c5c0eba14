import { fork } from 'node:child_process';

/** What a server child reports once it listens. */
export type ServerInfo = Record<string, string>;

interface Started {
  info: ServerInfo;
  close(): Promise<void>;
}

/**
 * Child side: starts a server, reports `info` to the parent, answers `cpu` with its CPU time
 * so far (µs), and closes on `stop` or when the parent goes away. Each server gets its own process so the load generator, the proxy and
 * the fake provider never share an event loop.
 */
export function serveForParent(start: () => Promise<Started>): void {
  let closing: Promise<void> | null = null;
  const stop = (started: Started | null) => {
    if (closing) return;
    closing = (started?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  start().then(
    (started) => {
      process.on('message', (message) => {
        if (message === 'stop') stop(started);
        if (message === 'cpu') {
          const { user, system } = process.cpuUsage();
          // maxRSS is in kilobytes: the process's peak resident memory so far.
          process.send?.({ cpuUs: user + system, peakRssBytes: process.resourceUsage().maxRSS * 1024 });
        }
      });
      process.on('disconnect', () => stop(started));
      process.send?.({ ready: started.info });
    },
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      stop(null);
    },
  );
}

export interface ServerChild {
  info: ServerInfo;
  /** CPU time the child has used so far, µs (user + system). */
  cpuUs(): Promise<number>;
  /** The child's peak resident memory so far, bytes. */
  peakRssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** Parent side: forks `entry` (with this process's TypeScript loader) and waits for it to listen. */
export function spawnServer(entry: URL, args: string[] = [], extraExecArgv: string[] = []): Promise<ServerChild> {
  const child = fork(entry, args, {
    execArgv: [...process.execArgv, ...extraExecArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${entry.pathname} exited with ${code} before listening`)));
    child.once('message', (message: { ready?: ServerInfo; error?: string }) => {
      if (!message.ready) return reject(new Error(`${entry.pathname} failed to start:\n${message.error}`));
      const usage = () =>
        new Promise<{ cpuUs: number; peakRssBytes: number }>((answer) => {
          child.once('message', answer);
          child.send('cpu');
        });
      resolve({
        info: message.ready,
        cpuUs: () => usage().then((u) => u.cpuUs),
        peakRssBytes: () => usage().then((u) => u.peakRssBytes),
        stop: async () => {
          if (child.exitCode === null) child.send('stop');
          await exited;
        },
      });
    });
  });
}
