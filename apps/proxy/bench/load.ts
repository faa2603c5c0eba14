import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { percentile, sortedCopy } from './stats.ts';

export interface LoadTarget {
  /** `http://127.0.0.1:<port>`: loopback only. */
  origin: string;
  path: string;
  body: string;
  /** Headers of worker `index` (each worker keeps one request in flight on its own connection). */
  headers: (index: number) => Record<string, string>;
  /** Record the time to the first body chunk. */
  stream: boolean;
}

export interface LoadResult {
  requests: number;
  requestsPerS: number;
  /** Whole-response latency, ms. */
  p50: number;
  p99: number;
  /** Time to the first body chunk, ms (streaming only). */
  ttfbP50: number;
  ttfbP99: number;
  /** CPU the measured server process spent per answered request, µs; NaN without a meter. */
  serverCpuUsPerRequest: number;
  /** Median `x-rungate-overhead-ms` the proxy reported; NaN when absent. */
  overheadP50: number;
  /** Non-200 answers and transport failures, by status (0 = transport). */
  errors: Map<number, number>;
  firstError: string | null;
}

interface Samples {
  latency: number[];
  ttfb: number[];
  overhead: number[];
  errors: Map<number, number>;
  firstError: string | null;
}

/** Cumulative CPU time of the server under test, µs. */
export type CpuMeter = () => Promise<number>;

/**
 * Closed-loop load: `connections` workers, each sending its next request as soon as the last one
 * is fully read, first for `warmupMs` (discarded) and then for `durationMs`. Every loop ends by
 * itself at its deadline; a request in flight at the deadline is finished and counted.
 */
export async function runLoad(
  target: LoadTarget,
  connections: number,
  warmupMs: number,
  durationMs: number,
  meter?: CpuMeter,
): Promise<LoadResult> {
  const pool = new Pool(target.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  try {
    if (warmupMs > 0) await phase(pool, target, connections, warmupMs);
    const cpuBefore = meter ? await meter() : Number.NaN;
    const started = performance.now();
    const samples = await phase(pool, target, connections, durationMs);
    const elapsedS = (performance.now() - started) / 1000;
    const cpuUs = meter ? (await meter()) - cpuBefore : Number.NaN;
    const latency = sortedCopy(samples.latency);
    const ttfb = sortedCopy(samples.ttfb);
    return {
      requests: latency.length,
      requestsPerS: latency.length / elapsedS,
      p50: percentile(latency, 50),
      p99: percentile(latency, 99),
      ttfbP50: percentile(ttfb, 50),
      ttfbP99: percentile(ttfb, 99),
      serverCpuUsPerRequest: cpuUs / latency.length,
      overheadP50: percentile(sortedCopy(samples.overhead), 50),
      errors: samples.errors,
      firstError: samples.firstError,
    };
  } finally {
    await pool.close();
  }
}

async function phase(pool: Pool, target: LoadTarget, connections: number, durationMs: number): Promise<Samples> {
  const samples: Samples = { latency: [], ttfb: [], overhead: [], errors: new Map(), firstError: null };
  const deadline = performance.now() + durationMs;
  const worker = async (index: number) => {
    const headers = { 'content-type': 'application/json', ...target.headers(index) };
    while (performance.now() < deadline) await once(pool, target, headers, samples);
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)));
  return samples;
}

async function once(pool: Pool, target: LoadTarget, headers: Record<string, string>, samples: Samples): Promise<void> {
  const t0 = performance.now();
  try {
    const response = await pool.request({ method: 'POST', path: target.path, headers, body: target.body });
    let firstChunk = -1;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) {
      if (firstChunk < 0) firstChunk = performance.now();
      if (response.statusCode !== 200) chunks.push(chunk as Buffer);
    }
    const t1 = performance.now();
    if (response.statusCode !== 200) {
      countError(samples, response.statusCode, Buffer.concat(chunks).toString('utf8').slice(0, 300));
      return;
    }
    samples.latency.push(t1 - t0);
    if (target.stream && firstChunk >= 0) samples.ttfb.push(firstChunk - t0);
    const overhead = response.headers['x-rungate-overhead-ms'];
    if (typeof overhead === 'string') samples.overhead.push(Number(overhead));
  } catch (error) {
    countError(samples, 0, error instanceof Error ? error.message : String(error));
  }
}

function countError(samples: Samples, status: number, detail: string): void {
  samples.errors.set(status, (samples.errors.get(status) ?? 0) + 1);
  samples.firstError ??= `${status || 'transport'}: ${detail}`;
}
