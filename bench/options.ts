/** Command-line options of `npm run bench` and the sizes each mode uses. */
export interface BenchOptions {
  quick: boolean;
  sections: Set<Section>;
  /** Ingest scenarios to run (names like mem/json, sqlite/json+gzip); empty = all. */
  ingest: Set<string>;
  connections: number;
  /** Write a V8 CPU profile of every Skein server process (bench/results/profiles). */
  profile: boolean;
  /** Write a heap snapshot of the memory store after preloading (bench/results/profiles). */
  heapSnapshot: boolean;
  /** Also preload SQLite and query it (default: in full mode only). */
  sqliteQueries: boolean;
  /** The postgres ingest and query rows, when the machine's PostgreSQL answers (--no-postgres: off). */
  postgres: boolean;
  label: string;
  /** A git revision to run interleaved with the working tree in every ingest scenario (A/B). */
  baseline: string | undefined;
  /** Extra node flags for the Skein servers of the working tree (not the --baseline ones). */
  serverNodeArgs: string[];
  sizes: Sizes;
}

export type Section = 'ingest' | 'queries' | 'memory' | 'scaling' | 'queues';
const SECTIONS: Section[] = ['ingest', 'queries', 'memory', 'scaling', 'queues'];

export interface Sizes {
  batchSpans: number;
  ingestTemplates: number;
  ingestWarmupSpans: number;
  /** Measured ingest: this many rounds of one slice per target (L1, Skein, L2). */
  ingestRounds: number;
  ingestSliceSpans: number;
  /** Traces (10 spans each) of the query data set. */
  queryTraces: number;
  /** Dataset sizes (traces) for the scaling section; the query size is reused when listed. */
  scalingTraces: number[];
  scalingIngestSpans: number;
  queryRequests: number;
  queryMaxSeconds: number;
  /** Queue section: messages (one trace each) per target and round, and rounds. */
  queueMessages: number;
  queueRounds: number;
}

const FULL: Sizes = {
  batchSpans: 100,
  ingestTemplates: 200,
  ingestWarmupSpans: 20_000,
  ingestRounds: 6,
  ingestSliceSpans: 50_000,
  queryTraces: 100_000,
  scalingTraces: [10_000, 100_000, 500_000],
  scalingIngestSpans: 100_000,
  queryRequests: 200,
  queryMaxSeconds: 10,
  queueMessages: 5000,
  queueRounds: 3,
};

const QUICK: Sizes = {
  batchSpans: 100,
  ingestTemplates: 50,
  ingestWarmupSpans: 10_000,
  ingestRounds: 3,
  ingestSliceSpans: 30_000,
  queryTraces: 10_000,
  scalingTraces: [2_000, 10_000],
  scalingIngestSpans: 20_000,
  queryRequests: 50,
  queryMaxSeconds: 3,
  queueMessages: 1500,
  queueRounds: 2,
};

export const USAGE = `npm run bench -- [options]
  --quick               small sizes, under 2 minutes (for development)
  --only=LIST           sections: ${SECTIONS.join(',')} (default all)
  --ingest=LIST         ingest scenarios, e.g. mem/json,sqlite/json (default all)
  --connections=N       keep-alive connections of the ingest load (default 8)
  --sqlite-queries      also preload and query SQLite (default in full mode only)
  --no-sqlite-queries   skip it in full mode
  --no-postgres         skip the postgres rows (run by default when PostgreSQL answers on
                        SKEIN_BENCH_POSTGRES_HOST:PORT, default 127.0.0.1:5432, user postgres)
  --profile             CPU-profile each Skein server process (bench/results/profiles/<run>/<server>/*.cpuprofile)
  --heap-snapshot       heap snapshot of the memory store after preloading
  --baseline=REV        A/B: also run Skein at git revision REV in every ingest scenario, interleaved
  --server-node-args=S  extra node flags for the working tree's servers, e.g. "--max-semi-space-size=64"
                        (with --baseline=HEAD: an A/B of the flags)
  --scaling=LIST        stored-span counts of the scaling section, e.g. 100000,5000000
  --label=TEXT          saved in the results JSON`;

export function parseOptions(argv: string[]): BenchOptions {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const has = (name: string) => argv.includes(`--${name}`);
  for (const a of argv) {
    if (
      !/^--(quick|only|ingest|connections|sqlite-queries|no-sqlite-queries|no-postgres|profile|heap-snapshot|label|baseline|scaling|server-node-args|help)(=|$)/.test(
        a,
      )
    ) {
      throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  const quick = has('quick');
  const only = get('only');
  const sections = new Set<Section>(only ? (only.split(',') as Section[]) : SECTIONS);
  for (const s of sections) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}`);
  const connections = Number(get('connections') ?? 8);
  if (!(connections >= 1)) throw new Error('--connections must be at least 1');
  return {
    quick,
    sections,
    ingest: new Set(get('ingest')?.split(',') ?? []),
    connections,
    profile: has('profile'),
    heapSnapshot: has('heap-snapshot'),
    sqliteQueries: has('sqlite-queries') || (!quick && !has('no-sqlite-queries')),
    postgres: !has('no-postgres'),
    label: get('label') ?? '',
    baseline: get('baseline'),
    serverNodeArgs: (get('server-node-args') ?? '').split(' ').filter((a) => a !== ''),
    sizes: { ...(quick ? QUICK : FULL), ...scaling(get('scaling')) },
  };
}

function scaling(list: string | undefined): Partial<Sizes> {
  if (list === undefined) return {};
  const spans = list.split(',').map(Number);
  if (spans.some((n) => !(n >= 10))) throw new Error(`--scaling: expected stored-span counts, got ${list}`);
  return { scalingTraces: spans.map((n) => Math.round(n / 10)) };
}
