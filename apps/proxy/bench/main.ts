import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { spawnServer } from './child.ts';
import { parseFlags } from './flags.ts';
import { type CpuMeter, type LoadTarget, runLoad } from './load.ts';
import { differenceLine, errorDetails, findRow, header, type Row, resultLine, targetLines } from './report.ts';
import { measureRoutingCost } from './routing-micro.ts';
import { directTarget, type Mode, proxyTarget } from './scenarios.ts';

/**
 * `npm run bench`: the proxy's cost per call. The fake provider, the proxy and this load
 * generator each run in their own process on loopback; every scenario runs against the fake
 * directly and through the proxy, and the table shows the difference.
 */
const flags = parseFlags(process.argv.slice(2));
const warmupMs = flags.warmupS * 1000;
const durationMs = flags.durationS * 1000;

const profileArgs = flags.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags.cpuProfDir)}`] : [];
if (flags.cpuProfDir) await mkdir(flags.cpuProfDir, { recursive: true });

const fake = await spawnServer(new URL('./fake-server.ts', import.meta.url));
const passThrough = await spawnServer(new URL('./pass-through-server.ts', import.meta.url), [fake.info.url!]);
// The failover scenario's first provider: it answers every call with 500.
const failing = await spawnServer(new URL('./fake-server.ts', import.meta.url), ['500']);
const proxy = await spawnServer(
  new URL('./proxy-server.ts', import.meta.url),
  [fake.info.url!, failing.info.url!],
  profileArgs,
).catch(async (error: unknown) => {
  await failing.stop();
  await passThrough.stop();
  await fake.stop();
  throw error;
});

try {
  const {
    url: proxyUrl,
    agentKey,
    failoverAgentKey,
    hourlyAgentKey,
    description,
  } = proxy.info as {
    url: string;
    agentKey: string;
    failoverAgentKey: string;
    hourlyAgentKey: string;
    description: string;
  };
  console.log(`rungate proxy bench: node ${process.version}, ${cpus().length} CPUs, ${description}`);
  console.log(
    `${flags.durationS} s measured after ${flags.warmupS} s warm-up per scenario; latency in ms from request start to last byte\n`,
  );
  console.log(header());

  const rows: Row[] = [];
  const measure = async (scenario: string, connections: number, target: string, load: LoadTarget, meter: CpuMeter) => {
    const row = {
      scenario,
      connections,
      target,
      result: await runLoad(load, connections, warmupMs, durationMs, meter),
    };
    rows.push(row);
    console.log(resultLine(row));
    return row;
  };

  for (const mode of ['non-streaming', 'streaming'] as Mode[]) {
    for (const connections of flags.connections) {
      const direct = await measure(mode, connections, 'direct', directTarget(fake.info.url!, mode), fake.cpuUs);
      const bare = await measure(
        mode,
        connections,
        'pass-through',
        directTarget(passThrough.info.url!, mode),
        passThrough.cpuUs,
      );
      const proxied = await measure(mode, connections, 'proxy', proxyTarget(proxyUrl, agentKey, mode), proxy.cpuUs);
      console.log(differenceLine(direct, bare, 'Δ pass−direct'));
      console.log(differenceLine(direct, proxied));
    }
  }
  const most = Math.max(...flags.connections);
  await measure(
    'non-streaming',
    most,
    'proxy, 1 run',
    proxyTarget(proxyUrl, agentKey, 'non-streaming', true),
    proxy.cpuUs,
  );
  await measure(
    'non-streaming',
    most,
    'proxy, hourly cap',
    proxyTarget(proxyUrl, hourlyAgentKey, 'non-streaming'),
    proxy.cpuUs,
  );
  for (const mode of ['non-streaming', 'streaming'] as Mode[]) {
    for (const connections of flags.connections) {
      const plain = findRow(rows, mode, connections, 'proxy')!;
      const failedOver = await measure(
        mode,
        connections,
        'proxy, failover',
        proxyTarget(proxyUrl, failoverAgentKey, mode),
        proxy.cpuUs,
      );
      console.log(differenceLine(plain, failedOver, 'Δ failover−proxy'));
    }
  }
  const targets = targetLines(rows, await proxy.peakRssBytes());
  if (targets.length > 0)
    console.log(`\ntargets (against the pass-through floor of this run):\n  ${targets.join('\n  ')}`);
  const routing = await measureRoutingCost();
  console.log(
    `\nrouting decisions in process (no I/O): plan ${routing.planUs.toFixed(2)} µs/call; a failover's decisions (plan, breaker checks, failure, next step, success) ${routing.failoverUs.toFixed(2)} µs/call`,
  );

  console.log(
    '\nCPU µs/req: CPU time of the server process per answered request (the fake for "direct", the proxy alone otherwise),',
  );
  console.log('far less sensitive than latency to other load on the machine.');
  console.log(
    '"pass-through": Fastify and undici forwarding to the fake with no governance at all, the floor any Node proxy pays on this machine.',
  );
  console.log(
    '"proxy" gives each connection its own run (x-rungate-run-id); "proxy, 1 run" sends every call into one run (its holds share batches).',
  );
  console.log(
    '"proxy, hourly cap": the policy also sets max_cost_per_hour_usd, which spans the agent\'s runs, so every hold takes the locked path.',
  );
  console.log(
    '"proxy, failover": the first provider answers 500 and the second serves; the difference is the failed attempt plus the failover_transition step.',
  );
  const errors = errorDetails(rows);
  if (errors.length > 0) {
    console.log(`\n${errors.join('\n')}`);
    process.exitCode = 1;
  }
} finally {
  await proxy.stop();
  await failing.stop();
  await passThrough.stop();
  await fake.stop();
}
if (flags.cpuProfDir) console.log(`\nCPU profile of the proxy process written to ${resolve(flags.cpuProfDir)}`);
