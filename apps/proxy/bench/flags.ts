/** Command-line settings of `npm run bench`. */
export interface BenchFlags {
  /** Measured seconds per scenario. */
  durationS: number;
  /** Unmeasured seconds before each scenario: JIT, connection set-up, caches. */
  warmupS: number;
  /** Connection counts to run every scenario at. */
  connections: number[];
  /** Directory for a V8 CPU profile of the proxy process, or null. */
  cpuProfDir: string | null;
}

const USAGE = `usage: npm run bench -- [--duration <s>] [--warmup <s>] [--connections <n>[,<n>...]] [--cpu-prof <dir>]
  --duration     measured seconds per scenario (default 6)
  --warmup       unmeasured seconds before each scenario (default 1)
  --connections  connection counts, comma-separated (default 1,16)
  --cpu-prof     write a CPU profile of the proxy process into <dir>`;

export function parseFlags(argv: string[]): BenchFlags {
  const flags: BenchFlags = { durationS: 6, warmupS: 1, connections: [1, 16], cpuProfDir: null };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--duration':
        flags.durationS = positive(name, value());
        break;
      case '--warmup':
        flags.warmupS = positive(name, value(), true);
        break;
      case '--connections':
        flags.connections = value()
          .split(',')
          .map((n) => Math.round(positive(name, n)));
        break;
      case '--cpu-prof':
        flags.cpuProfDir = value();
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        fail(`unknown flag ${name}`);
    }
  }
  return flags;
}

function positive(name: string, raw: string, zeroAllowed = false): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed)) fail(`${name} must be a positive number, got ${raw}`);
  return n;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}
