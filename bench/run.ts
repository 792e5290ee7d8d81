/**
 * `npm run bench`: Skein against the physical ceilings, measured side by side in one run.
 *
 * Every process is separate: the Skein server under test (bench-server.ts, Skein's own composition root),
 * the ceiling server L1 (ceiling-http-server.ts), the load generator (load-generator.ts) and the JSON.parse
 * ceiling L2 (ceiling-json-parse.ts). Server CPU comes from /proc/<pid>/stat around the measured phase.
 * The machine is shared and noisy, so every figure that matters is a ratio to a ceiling from the same run.
 * Prints tables and writes bench/results/<timestamp>.json.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { forkChild, processCpuSeconds, type Child } from './children.js';
import type { BodyFormat } from './ingest-bodies.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { openPostgresBench } from './postgres-bench.js';
import { printQueues, queueSection } from './queue-bench.js';
import type {
  FromLoad,
  FromParse,
  FromServer,
  IngestResult,
  IngestSetup,
  MemorySample,
  QueryResult,
  QuerySpec,
  ToLoad,
  ToParse,
  ToServer,
} from './protocol.js';
import { SERVICES, spanName, SPANS_PER_TRACE, traceIdOf } from './query-dataset.js';
import { fmt, table } from './table.js';

const run = promisify(execFile);
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = join(benchDir, '..');
const SEED = 1;
const DAY_MS = 86_400_000;

if (process.argv.includes('--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const opts = parseOptions(process.argv.slice(2));
const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, '-');
const resultsDir = join(benchDir, 'results');
const logDir = join(resultsDir, 'logs', stamp);
const profileDir = join(resultsDir, 'profiles', stamp);
mkdirSync(logDir, { recursive: true });
if (opts.profile || opts.heapSnapshot) mkdirSync(profileDir, { recursive: true });
const sqliteDir = mkdtempSync(join(tmpdir(), 'skein-bench-'));
const t0 = performance.now();
const say = (s: string) =>
  process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${s}\n`);

type SkeinChild = Child<ToServer, FromServer>;
type LoadChild = Child<ToLoad, FromLoad>;
type Store = 'mem' | 'sqlite' | 'postgres';

// PostgreSQL rows run when the machine's PostgreSQL answers (bench/postgres-bench.ts); --no-postgres skips them.
const postgres = opts.postgres ? await openPostgresBench() : undefined;
if (opts.postgres && !postgres) say('PostgreSQL is not reachable: the postgres rows are skipped');
/** Database CPU of a store that runs in another process, over one measured window. */
async function startDatabaseCpu(store: Store): Promise<() => Promise<{ own: number; shared: number }>> {
  if (store !== 'postgres' || !postgres) return async () => ({ own: NaN, shared: NaN });
  await Promise.all([postgres.backends.start(), postgres.shared.start()]);
  return async () => {
    const [own, shared] = await Promise.all([postgres.backends.stop(), postgres.shared.stop()]);
    return { own, shared };
  };
}

// ---------- processes ----------

/**
 * --baseline=REV: the sources at REV exported beside the working tree (git archive), with today's bench
 * files and the same node_modules, so one run can measure before and after a change side by side.
 */
function exportBaseline(rev: string): string {
  const dir = join(sqliteDir, `baseline-${rev.replace(/[^a-z0-9]/gi, '_')}`);
  mkdirSync(join(dir, 'bench'), { recursive: true });
  execFileSync(
    'sh',
    ['-c', `git archive ${JSON.stringify(rev)} src package.json | tar -x -C ${JSON.stringify(dir)}`],
    { cwd: repoDir },
  );
  for (const f of readdirSync(benchDir))
    if (f.endsWith('.ts')) copyFileSync(join(benchDir, f), join(dir, 'bench', f));
  symlinkSync(join(repoDir, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
const baselineDir = opts.baseline ? exportBaseline(opts.baseline) : undefined;

let serverCount = 0;
async function startSkein(
  name: string,
  store: Store,
  memMaxSpans: number,
  root?: string,
  extraEnv: Record<string, string> = {},
): Promise<{ child: SkeinChild; port: number }> {
  const file = `${name.replace(/[^a-z0-9.+-]+/gi, '_')}-${++serverCount}`;
  const nodeArgs = ['--expose-gc', '--max-old-space-size=12288', ...(root ? [] : opts.serverNodeArgs)];
  // One folder per server: every thread (main, module loader, SQLite writer) writes its own profile.
  if (opts.profile) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(profileDir, file)}`);
  const child = forkChild<ToServer, FromServer>(`skein ${name}`, 'bench-server.ts', {
    ...(root ? { path: join(root, 'bench', 'bench-server.ts') } : {}),
    logPath: join(logDir, `${file}.log`),
    nodeArgs,
    env: {
      QUERY_PORT: '0',
      STORAGE_TYPE: store,
      MEM_MAX_SPANS: String(memMaxSpans),
      SQLITE_PATH: join(sqliteDir, `${file}.sqlite`),
      ...(store === 'postgres' && postgres ? postgres.env(file) : {}),
      // Retention must not delete the benchmark's data while it is measured.
      RETENTION: '30d',
      RETENTION_MAX_BYTES: '1000GiB',
      LOG_LEVEL: 'warn',
      UI_ENABLED: 'false',
      // OTLP/HTTP stays on (it is also served on QUERY_PORT); its own port is ephemeral and unused.
      OTLP_HTTP_PORT: '0',
      OTLP_GRPC_PORT: 'off',
      JAEGER_AGENT_COMPACT_PORT: 'off',
      JAEGER_AGENT_BINARY_PORT: 'off',
      JAEGER_HTTP_PORT: 'off',
      JAEGER_GRPC_PORT: 'off',
      JAEGER_SAMPLING_PORT: 'off',
      ...extraEnv,
    },
  });
  const { port } = await child.next('ready', 120_000);
  return { child, port };
}

async function startL1(): Promise<{ child: SkeinChild; port: number }> {
  const child = forkChild<ToServer, FromServer>('ceiling L1', 'ceiling-http-server.ts', {
    logPath: join(logDir, 'l1.log'),
  });
  const { port } = await child.next('ready', 120_000);
  return { child, port };
}

async function startCeilingF(): Promise<{ child: SkeinChild; port: number }> {
  const child = forkChild<ToServer, FromServer>('ceiling F', 'ceiling-skein-http.ts', {
    logPath: join(logDir, 'f.log'),
  });
  const { port } = await child.next('ready', 120_000);
  return { child, port };
}

async function startLoad(): Promise<LoadChild> {
  const child = forkChild<ToLoad, FromLoad>('load generator', 'load-generator.ts', {
    logPath: join(logDir, 'load.log'),
  });
  await child.next('ready', 120_000);
  return child;
}

// ---------- ingest ----------

interface IngestFigures {
  name: string;
  spans: number;
  seconds: number;
  spansPerSec: number;
  cpuSeconds: number;
  cpuSecPerMillion: number;
  p50: number;
  p99: number;
  errors: number;
  bodyBytesPerSpan: number;
  statusCounts: Record<string, number>;
}

function figures(name: string, r: IngestResult, cpuSeconds: number): IngestFigures {
  return {
    name,
    spans: r.spans,
    seconds: r.seconds,
    spansPerSec: r.spans / r.seconds,
    cpuSeconds,
    cpuSecPerMillion: (cpuSeconds / r.spans) * 1e6,
    p50: r.latenciesMs.p50,
    p99: r.latenciesMs.p99,
    errors: r.errors,
    bodyBytesPerSpan: r.bodyBytes / Math.max(1, r.spans),
    statusCounts: r.statusCounts,
  };
}

interface Scenario {
  name: string;
  store: Store;
  format: BodyFormat;
  gzip: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'mem/json', store: 'mem', format: 'json', gzip: false },
  { name: 'sqlite/json', store: 'sqlite', format: 'json', gzip: false },
  { name: 'mem/proto3', store: 'mem', format: 'proto3', gzip: false },
  { name: 'mem/otlp', store: 'mem', format: 'otlp', gzip: false },
  { name: 'mem/json+gzip', store: 'mem', format: 'json', gzip: true },
  { name: 'sqlite/json+gzip', store: 'sqlite', format: 'json', gzip: true },
  { name: 'postgres/json', store: 'postgres', format: 'json', gzip: false },
];

const bodySet = (s: { format: BodyFormat; gzip: boolean }) => `${s.format}${s.gzip ? '+gzip' : ''}`;

function ingestSetup(ports: number[], format: BodyFormat, gzip: boolean, maxSpans: number): IngestSetup {
  const z = opts.sizes;
  return {
    kind: 'ingest',
    ports,
    format,
    gzip,
    connections: opts.connections,
    seed: SEED,
    templates: z.ingestTemplates,
    batchSpans: z.batchSpans,
    maxBodies: Math.ceil(maxSpans / z.batchSpans) + 1,
  };
}

interface L2Figures {
  spans: number;
  seconds: number;
  spansPerSec: number;
  cpuSecPerMillion: number;
}

interface ScenarioFigures extends IngestFigures {
  l1: IngestFigures;
  /** Skein's HTTP stack alone (ceiling-skein-http.ts). */
  f: IngestFigures;
  /** Throughput over F, interleaved. */
  vsF: number;
  l2: L2Figures;
  /** Throughput over L1 with the same bodies, interleaved. */
  vsL1: number;
  /** Throughput over L2, interleaved. */
  vsL2: number;
  /** CPU efficiency against L2: L2's CPU-s per span over the server's. */
  cpuVsL2: number;
  /** Server-backed stores: the database's own processes (this run's backends), CPU-s per million spans. */
  dbCpuSecPerMillion: number;
  /** ...and the server-wide WAL writer, checkpointer and background writer (shared with other users). */
  dbSharedCpuSecPerMillion: number;
  /** With --baseline: the same scenario at that revision, interleaved. */
  baseline?: IngestFigures & { vsL1: number };
  /** spans/s over the baseline's. */
  vsBaseline?: number;
  /** CPU-s per span over the baseline's (below 1 = cheaper now). */
  cpuVsBaseline?: number;
}

/**
 * One scenario, interleaved with its ceilings: after a warm-up of each, every round sends a slice of the
 * same bodies to L1, then to Skein, then parses a slice in L2. The machine is shared and its load wanders
 * by 4x within minutes; interleaving gives each of the three the same share of that noise.
 */
async function ingestScenario(s: Scenario): Promise<ScenarioFigures> {
  const z = opts.sizes;
  const perTarget = z.ingestWarmupSpans + z.ingestRounds * z.ingestSliceSpans;
  const l1Server = await startL1();
  const fServer = await startCeilingF();
  const skein = await startSkein(s.name, s.store, 10_000_000);
  const base = baselineDir
    ? await startSkein(`${s.name}@${opts.baseline}`, s.store, 10_000_000, baselineDir)
    : undefined;
  // Load targets, in this order: 0 L1, 1 F, 2 Skein, 3 Skein at --baseline.
  const servers = [l1Server, fServer, skein, ...(base ? [base] : [])];
  const load = await startLoad();
  const l2 = forkChild<ToParse, FromParse>('ceiling L2', 'ceiling-json-parse.ts', {
    logPath: join(logDir, 'l2.log'),
  });
  load.send({
    type: 'job',
    job: ingestSetup(
      servers.map((x) => x.port),
      s.format,
      s.gzip,
      perTarget,
    ),
  });
  l2.send({
    type: 'setup',
    templates: z.ingestTemplates,
    seed: SEED,
    bodies: Math.min(2000, Math.ceil(perTarget / z.batchSpans)),
  });
  await load.next('set-up');
  await l2.next('ready');
  const phase = async (target: number, spans: number, record: boolean) => {
    load.send({ type: 'phase', target, spans, record });
    return load.next('phase-done');
  };
  const parse = async (spans: number) => {
    l2.send({ type: 'slice', spans });
    return l2.next('slice-done');
  };
  for (let t = 0; t < servers.length; t++) await phase(t, z.ingestWarmupSpans, false);
  await parse(z.ingestWarmupSpans);
  const cpu0 = servers.map((x) => processCpuSeconds(x.child.pid));
  // The database works for Skein only; during the ceilings' slices it is idle, as Skein is.
  const stopDatabaseCpu = await startDatabaseCpu(s.store);
  const l2Total = { spans: 0, seconds: 0, cpuSeconds: 0 };
  for (let round = 0; round < z.ingestRounds; round++) {
    await phase(0, z.ingestSliceSpans, true);
    await phase(1, z.ingestSliceSpans, true);
    // A/B: the two Skein servers swap places every round, so neither always runs first.
    const order = base ? (round % 2 === 0 ? [2, 3] : [3, 2]) : [2];
    for (const t of order) await phase(t, z.ingestSliceSpans, true);
    const p = await parse(z.ingestSliceSpans);
    l2Total.spans += p.spans;
    l2Total.seconds += p.seconds;
    l2Total.cpuSeconds += p.cpuSeconds;
  }
  // Whole-window CPU: a server's idle time during the others' slices is counted too (it is near zero),
  // and work it finishes after answering (e.g. SQLite commits) is not missed.
  const cpu = servers.map((x, i) => processCpuSeconds(x.child.pid) - cpu0[i]!);
  const dbCpu = await stopDatabaseCpu();
  load.send({ type: 'summary' });
  const { results } = await load.next('summary');
  await Promise.all([
    load.stop({ type: 'stop' }),
    l2.stop({ type: 'stop' }),
    ...servers.map((x) => x.child.stop({ type: 'stop' })),
  ]);
  const l1 = figures(`L1/${bodySet(s)}`, results[0]!, cpu[0]!);
  const fc = figures(`F/${bodySet(s)}`, results[1]!, cpu[1]!);
  const f = figures(s.name, results[2]!, cpu[2]!);
  const l2f: L2Figures = {
    ...l2Total,
    spansPerSec: l2Total.spans / l2Total.seconds,
    cpuSecPerMillion: (l2Total.cpuSeconds / l2Total.spans) * 1e6,
  };
  const row: ScenarioFigures = {
    ...f,
    l1,
    f: fc,
    l2: l2f,
    vsL1: f.spansPerSec / l1.spansPerSec,
    vsF: f.spansPerSec / fc.spansPerSec,
    vsL2: f.spansPerSec / l2f.spansPerSec,
    cpuVsL2: l2f.cpuSecPerMillion / f.cpuSecPerMillion,
    dbCpuSecPerMillion: (dbCpu.own / f.spans) * 1e6,
    dbSharedCpuSecPerMillion: (dbCpu.shared / f.spans) * 1e6,
  };
  if (base) {
    const b = figures(`${s.name}@${opts.baseline}`, results[3]!, cpu[3]!);
    row.baseline = { ...b, vsL1: b.spansPerSec / l1.spansPerSec };
    row.vsBaseline = f.spansPerSec / b.spansPerSec;
    row.cpuVsBaseline = f.cpuSecPerMillion / b.cpuSecPerMillion;
  }
  return row;
}

async function ingestSection() {
  const chosen = SCENARIOS.filter(
    (s) => (opts.ingest.size === 0 || opts.ingest.has(s.name)) && (s.store !== 'postgres' || postgres),
  );
  const rows: ScenarioFigures[] = [];
  for (const s of chosen) {
    const row = await ingestScenario(s);
    rows.push(row);
    say(
      `${s.name}: ${fmt(row.spansPerSec)} spans/s, ${fmt(row.cpuSecPerMillion)} CPU-s/M, p99 ${fmt(row.p99)} ms; ` +
        (Number.isFinite(row.dbCpuSecPerMillion)
          ? `database ${fmt(row.dbCpuSecPerMillion)} CPU-s/M (+ ${fmt(row.dbSharedCpuSecPerMillion)} shared); `
          : '') +
        `L1 ${fmt(row.l1.spansPerSec)} (x${fmt(row.vsL1)}), F ${fmt(row.f.spansPerSec)} ${fmt(row.f.cpuSecPerMillion)} CPU-s/M (x${fmt(row.vsF)}), L2 ${fmt(row.l2.spansPerSec)} (x${fmt(row.vsL2)})` +
        (row.errors ? `; ${row.errors} errors ${JSON.stringify(row.statusCounts)}` : '') +
        (row.baseline
          ? `; @${opts.baseline}: ${fmt(row.baseline.spansPerSec)} spans/s, ${fmt(row.baseline.cpuSecPerMillion)} CPU-s/M (now x${fmt(row.vsBaseline!)} spans/s, x${fmt(row.cpuVsBaseline!)} CPU)`
          : ''),
    );
  }
  return { scenarios: rows };
}

/**
 * Ingest into an already loaded server (scaling): a warm-up, then rounds of one slice to a fresh L1 and
 * one to the server, so that the rate at each data size comes with a ceiling from the same moments.
 */
async function ingestInto(
  name: string,
  server: { child: SkeinChild; port: number },
  warmup: number,
  spans: number,
): Promise<IngestFigures & { l1: IngestFigures; vsL1: number }> {
  const rounds = 4;
  const slice = Math.ceil(spans / rounds);
  const l1Server = await startL1();
  const load = await startLoad();
  load.send({
    type: 'job',
    job: ingestSetup([l1Server.port, server.port], 'json', false, warmup + rounds * slice),
  });
  await load.next('set-up');
  for (const target of [0, 1]) {
    load.send({ type: 'phase', target, spans: warmup, record: false });
    await load.next('phase-done');
  }
  const cpu0 = [processCpuSeconds(l1Server.child.pid), processCpuSeconds(server.child.pid)];
  for (let round = 0; round < rounds; round++) {
    for (const target of [0, 1]) {
      load.send({ type: 'phase', target, spans: slice, record: true });
      await load.next('phase-done');
    }
  }
  const cpu = [
    processCpuSeconds(l1Server.child.pid) - cpu0[0]!,
    processCpuSeconds(server.child.pid) - cpu0[1]!,
  ];
  load.send({ type: 'summary' });
  const { results } = await load.next('summary');
  await Promise.all([load.stop({ type: 'stop' }), l1Server.child.stop({ type: 'stop' })]);
  const l1 = figures('L1/json', results[0]!, cpu[0]!);
  const f = figures(name, results[1]!, cpu[1]!);
  return { ...f, l1, vsL1: f.spansPerSec / l1.spansPerSec };
}

// ---------- data set runs: memory, queries, scaling ----------

function querySpecs(traces: number, nowMs: number, full: boolean): QuerySpec[] {
  const z = opts.sizes;
  const svc = (i: number) => SERVICES[i % SERVICES.length]!;
  const each = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  const base = (i: number) => `/api/v2/traces?serviceName=${svc(i)}&limit=10`;
  const withName = (i: number) =>
    `${base(i)}&spanName=${encodeURIComponent(spanName(i % 20, Math.floor(i / 20) % 5))}`;
  const withAnnotation = (i: number) =>
    `${withName(i)}&annotationQuery=${encodeURIComponent('http.status_code=500')}`;
  const withDuration = (i: number) => `${withAnnotation(i)}&minDuration=100000`;
  // Trace ids spread over the whole data set, in a scrambled order.
  const byId = each(
    500,
    (i) => `/api/v2/trace/${traceIdOf(SEED, (Math.imul(i + 1, 2654435761) >>> 0) % traces)}`,
  );
  const deps = [`/api/v2/dependencies?endTs=${nowMs}&lookback=${DAY_MS}`];
  const all: Array<[string, string[], boolean]> = [
    ['services', ['/api/v2/services'], false],
    ['spans', each(20, (i) => `/api/v2/spans?serviceName=${svc(i)}`), false],
    ['traces service', each(20, base), true],
    ['traces +spanName', each(100, withName), false],
    ['traces +annotationQuery', each(100, withAnnotation), false],
    ['traces +minDuration', each(100, withDuration), true],
    ['trace by id', byId, true],
    ['dependencies 1 day', deps, true],
  ];
  const specs: QuerySpec[] = [];
  for (const concurrency of full ? [1, 8] : [1]) {
    for (const [name, paths, inScaling] of all) {
      if (!full && !inScaling) continue;
      const heavy = name.startsWith('dependencies');
      specs.push({
        name,
        paths,
        concurrency,
        // A dependency query over a day reads every stored span: a few are enough, and c=8 is one each.
        requests: heavy ? Math.max(concurrency, 5) : z.queryRequests * concurrency,
        maxSeconds: heavy ? z.queryMaxSeconds * 2 : z.queryMaxSeconds,
        minRequests: heavy ? Math.max(concurrency, 3) : Math.min(z.queryRequests, 10 * concurrency),
        warmup: heavy ? 1 : 5,
      });
    }
  }
  return specs;
}

interface DatasetRun {
  store: Store;
  /** Set when this run is of the --baseline revision. */
  revision?: string;
  traces: number;
  spans: number;
  preloadSeconds: number;
  idle: MemorySample;
  loaded: MemorySample;
  rssPerSpan: number;
  heapPerSpan: number;
  heapSnapshot?: string;
  queries: QueryResult[];
  ingest?: IngestFigures & { l1: IngestFigures; vsL1: number };
}

async function datasetRun(
  store: Store,
  traces: number,
  fullQueries: boolean,
  ingestSpans: number,
  baseline = false,
): Promise<DatasetRun> {
  const spans = traces * SPANS_PER_TRACE;
  const warmup = Math.min(ingestSpans, 5_000);
  const name = `${store}-${spans}${baseline ? `@${opts.baseline}` : ''}`;
  const server = await startSkein(
    name,
    store,
    spans + ingestSpans + warmup + 1000,
    baseline ? baselineDir : undefined,
  );
  server.child.send({ type: 'gc' });
  const idle = (await server.child.next('memory')).memory;
  const endTsMicros = Date.now() * 1000;
  server.child.send({ type: 'preload', traces, seed: SEED, endTsMicros, spreadMicros: 23 * 3_600_000_000 });
  const pre = await server.child.next('preloaded');
  server.child.send({ type: 'gc' });
  const loaded = (await server.child.next('memory')).memory;
  say(
    `${name}: ${fmt(spans)} spans preloaded in ${fmt(pre.ms / 1000)} s; RSS ${fmt(loaded.rss / 2 ** 20)} MiB, heap ${fmt(loaded.heapUsed / 2 ** 20)} MiB`,
  );
  let heapSnapshot: string | undefined;
  if (opts.heapSnapshot && store === 'mem') {
    server.child.send({ type: 'heap-snapshot', path: join(profileDir, `${name}.heapsnapshot`) });
    heapSnapshot = (await server.child.next('heap-snapshot')).path;
  }
  let queries: QueryResult[] = [];
  if (!baseline && (opts.sections.has('queries') || opts.sections.has('scaling'))) {
    const load = await startLoad();
    load.send({
      type: 'job',
      job: { kind: 'query', port: server.port, specs: querySpecs(traces, Date.now(), fullQueries) },
    });
    queries = (await load.next('query-done')).results;
    await load.stop({ type: 'stop' });
    for (const q of queries) {
      say(
        `  ${store} ${q.name} c=${q.concurrency}: p50 ${fmt(q.latenciesMs.p50)} ms, p99 ${fmt(q.latenciesMs.p99)} ms (${q.requests} req${q.errors ? `, ${q.errors} errors` : ''})`,
      );
    }
  }
  let ingest: DatasetRun['ingest'];
  if (ingestSpans > 0) {
    ingest = await ingestInto(`${store}/json at ${spans}`, server, warmup, ingestSpans);
    say(
      `  ingest on top: ${fmt(ingest.spansPerSec)} spans/s, ${fmt(ingest.cpuSecPerMillion)} CPU-s/M; L1 ${fmt(ingest.l1.spansPerSec)} (x${fmt(ingest.vsL1)})`,
    );
  }
  await server.child.stop({ type: 'stop' });
  return {
    store,
    ...(baseline ? { revision: opts.baseline } : {}),
    traces,
    spans: pre.spans,
    preloadSeconds: pre.ms / 1000,
    idle,
    loaded,
    rssPerSpan: (loaded.rss - idle.rss) / pre.spans,
    heapPerSpan: (loaded.heapUsed - idle.heapUsed) / pre.spans,
    ...(heapSnapshot ? { heapSnapshot } : {}),
    queries,
    ...(ingest ? { ingest } : {}),
  };
}

// ---------- report ----------

function gitInfo(): Promise<{ commit: string; dirty: boolean }> {
  return Promise.all([
    run('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir }).then(
      (r) => r.stdout.trim(),
      () => 'unknown',
    ),
    run('git', ['status', '--porcelain', '--', 'src'], { cwd: repoDir }).then(
      (r) => r.stdout.trim() !== '',
      () => false,
    ),
  ]).then(([commit, dirty]) => ({ commit, dirty }));
}

function printIngest(r: Awaited<ReturnType<typeof ingestSection>>): string {
  return table(
    [
      'ingest',
      'spans/s',
      'CPU-s/M',
      'p50 ms',
      'p99 ms',
      'B/span',
      'L1 spans/s',
      'L1 CPU-s/M',
      'x L1',
      'F spans/s',
      'F CPU-s/M',
      'x F',
      'L2 spans/s',
      'L2 CPU-s/M',
      'x L2',
      'x L2 CPU',
      'DB CPU-s/M',
      'DB shared CPU-s/M',
    ],
    r.scenarios.map((s) => [
      s.name,
      s.spansPerSec,
      s.cpuSecPerMillion,
      s.p50,
      s.p99,
      s.bodyBytesPerSpan,
      s.l1.spansPerSec,
      s.l1.cpuSecPerMillion,
      s.vsL1,
      s.f.spansPerSec,
      s.f.cpuSecPerMillion,
      s.vsF,
      s.l2.spansPerSec,
      s.l2.cpuSecPerMillion,
      s.vsL2,
      s.cpuVsL2,
      s.dbCpuSecPerMillion,
      s.dbSharedCpuSecPerMillion,
    ]),
  );
}

function printBaseline(r: Awaited<ReturnType<typeof ingestSection>>): string {
  return table(
    [
      'ingest',
      'spans/s now',
      `spans/s @${opts.baseline}`,
      'x spans/s',
      'CPU-s/M now',
      `CPU-s/M @${opts.baseline}`,
      'x CPU',
      'x L1 now',
      `x L1 @${opts.baseline}`,
      'p99 now',
      `p99 @${opts.baseline}`,
    ],
    r.scenarios.map((s) => [
      s.name,
      s.spansPerSec,
      s.baseline!.spansPerSec,
      s.vsBaseline!,
      s.cpuSecPerMillion,
      s.baseline!.cpuSecPerMillion,
      s.cpuVsBaseline!,
      s.vsL1,
      s.baseline!.vsL1,
      s.p99,
      s.baseline!.p99,
    ]),
  );
}

function printQueries(runs: DatasetRun[]): string {
  const rows: Array<Array<string | number>> = [];
  for (const d of runs) {
    for (const q of d.queries)
      rows.push([
        `${d.store} ${fmt(d.spans)}`,
        q.name,
        q.concurrency,
        q.latenciesMs.p50,
        q.latenciesMs.p99,
        q.requests,
        q.responseBytes,
      ]);
  }
  return table(['store', 'query', 'conc', 'p50 ms', 'p99 ms', 'requests', 'resp bytes'], rows);
}

function printMemory(runs: DatasetRun[]): string {
  return table(
    ['store', 'spans', 'idle RSS MiB', 'RSS MiB', 'heap MiB', 'RSS B/span', 'heap B/span', 'preload s'],
    runs.map((d) => [
      d.store + (d.revision ? `@${d.revision}` : ''),
      d.spans,
      d.idle.rss / 2 ** 20,
      d.loaded.rss / 2 ** 20,
      d.loaded.heapUsed / 2 ** 20,
      d.rssPerSpan,
      d.heapPerSpan,
      d.preloadSeconds,
    ]),
  );
}

function printScaling(runs: DatasetRun[]): string {
  const pick = (d: DatasetRun, name: string) =>
    d.queries.find((q) => q.name === name && q.concurrency === 1)?.latenciesMs.p99 ?? NaN;
  return table(
    [
      'store',
      'stored spans',
      'ingest spans/s',
      'CPU-s/M',
      'L1 spans/s',
      'x L1',
      'p99 traces svc',
      'p99 traces all filters',
      'p99 trace by id',
      'p99 deps 1 day',
    ],
    runs.map((d) => [
      d.store,
      d.spans,
      d.ingest?.spansPerSec ?? NaN,
      d.ingest?.cpuSecPerMillion ?? NaN,
      d.ingest?.l1.spansPerSec ?? NaN,
      d.ingest?.vsL1 ?? NaN,
      pick(d, 'traces service'),
      pick(d, 'traces +minDuration'),
      pick(d, 'trace by id'),
      pick(d, 'dependencies 1 day'),
    ]),
  );
}

interface Target {
  target: string;
  value: number;
  limit: string;
  met: boolean;
}

function targets(
  ingest: Awaited<ReturnType<typeof ingestSection>> | undefined,
  main: DatasetRun | undefined,
  pgRun?: DatasetRun,
): Target[] {
  const out: Target[] = [];
  const t = (target: string, value: number, limit: string, met: boolean) =>
    out.push({ target, value, limit, met });
  const mem = ingest?.scenarios.find((s) => s.name === 'mem/json');
  if (mem) {
    t('mem ingest vs L1', mem.vsL1, '>= 0.35', mem.vsL1 >= 0.35);
    t('mem ingest vs L2', mem.vsL2, '>= 0.75', mem.vsL2 >= 0.75);
    t('mem ingest CPU-s per 1M spans', mem.cpuSecPerMillion, '<= 4', mem.cpuSecPerMillion <= 4);
  }
  const sqlite = ingest?.scenarios.find((s) => s.name === 'sqlite/json');
  if (sqlite) t('sqlite ingest vs L1', sqlite.vsL1, '>= 0.25', sqlite.vsL1 >= 0.25);
  if (main) {
    const p99 = (name: string) =>
      Math.max(...main.queries.filter((q) => q.name === name).map((q) => q.latenciesMs.p99));
    const byId = p99('trace by id');
    t(`trace by id p99 ms at ${fmt(main.spans)} (worst of c=1, c=8)`, byId, '< 5', byId < 5);
    const search = Math.max(
      ...['traces service', 'traces +spanName', 'traces +annotationQuery', 'traces +minDuration'].map(p99),
    );
    t(`trace search p99 ms at ${fmt(main.spans)} (worst variant)`, search, '< 50', search < 50);
    t(`mem RSS bytes per span at ${fmt(main.spans)}`, main.rssPerSpan, '<= 250', main.rssPerSpan <= 250);
    t(`mem heap bytes per span at ${fmt(main.spans)}`, main.heapPerSpan, '<= 250', main.heapPerSpan <= 250);
  }
  // Issue 9's targets for the server-backed stores.
  const pgIngest = ingest?.scenarios.find((s) => s.name === 'postgres/json');
  if (pgIngest) t('postgres ingest vs L1', pgIngest.vsL1, '>= 0.10', pgIngest.vsL1 >= 0.1);
  if (pgRun) {
    const p99 = (names: string[]) =>
      Math.max(...pgRun.queries.filter((q) => names.includes(q.name)).map((q) => q.latenciesMs.p99));
    const byId = p99(['trace by id']);
    t(`postgres trace by id p99 ms at ${fmt(pgRun.spans)}`, byId, '< 10', byId < 10);
    const search = p99([
      'traces service',
      'traces +spanName',
      'traces +annotationQuery',
      'traces +minDuration',
    ]);
    t(`postgres trace search p99 ms at ${fmt(pgRun.spans)}`, search, '< 100', search < 100);
  }
  return out;
}

async function main(opts: BenchOptions): Promise<void> {
  const z = opts.sizes;
  const load0 = loadavg();
  say(
    `Skein bench (${opts.quick ? 'quick' : 'full'}): ${[...opts.sections].join(', ')}; load average ${load0.map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`,
  );
  const ingest = opts.sections.has('ingest') ? await ingestSection() : undefined;
  const queues = opts.sections.has('queues')
    ? await queueSection((name, env) => startSkein(name, 'mem', 10_000_000, undefined, env), say, {
        messages: z.queueMessages,
        rounds: z.queueRounds,
      })
    : undefined;

  const runs: DatasetRun[] = [];
  const wantData =
    opts.sections.has('queries') || opts.sections.has('memory') || opts.sections.has('scaling');
  if (wantData) {
    runs.push(
      await datasetRun('mem', z.queryTraces, true, opts.sections.has('scaling') ? z.scalingIngestSpans : 0),
    );
    if (baselineDir && opts.sections.has('memory'))
      runs.push(await datasetRun('mem', z.queryTraces, false, 0, true));
    if (opts.sqliteQueries && opts.sections.has('queries'))
      runs.push(await datasetRun('sqlite', z.queryTraces, true, 0));
    if (postgres && opts.sections.has('queries'))
      runs.push(await datasetRun('postgres', z.queryTraces, true, 0));
  }
  if (opts.sections.has('scaling')) {
    for (const traces of z.scalingTraces) {
      if (traces !== z.queryTraces) runs.push(await datasetRun('mem', traces, false, z.scalingIngestSpans));
    }
  }
  const main = runs.find((r) => r.store === 'mem' && r.traces === z.queryTraces && !r.revision);
  const scaling = runs.filter((r) => r.store === 'mem' && !r.revision).sort((a, b) => a.spans - b.spans);
  const goals = targets(
    ingest,
    main,
    runs.find((r) => r.store === 'postgres'),
  );
  const load1 = loadavg();
  const git = await gitInfo();

  const out: string[] = [];
  out.push(
    `Skein bench ${stamp} (${opts.quick ? 'quick' : 'full'}) at ${git.commit}${git.dirty ? ' + uncommitted src changes' : ''}; ${opts.connections} connections`,
  );
  out.push(
    `load average ${load0.map((l) => l.toFixed(1)).join(' ')} -> ${load1.map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs: compare ratios, not absolute figures`,
  );
  if (ingest)
    out.push(
      '',
      "Ingest, interleaved with its ceilings (x L1 = spans/s over a bare node:http server fed the same bodies; x F = over Skein's HTTP stack answering without decoding; x L2 = over JSON.parse alone on one thread; x L2 CPU = L2 CPU-s/M over Skein CPU-s/M)",
      printIngest(ingest),
    );
  if (queues)
    out.push(
      '',
      'Queue collectors (mem store; consumption alone: messages published first, timed from the first to the last one counted; x http = spans/s over POST /api/v2/spans of the same messages, same rounds)',
      printQueues(queues),
    );
  if (ingest && opts.baseline)
    out.push(
      '',
      `A/B against ${opts.baseline} (same bodies, interleaved in the same rounds)`,
      printBaseline(ingest),
    );
  if (runs.length && opts.sections.has('queries'))
    out.push(
      '',
      'Queries (HTTP against the server process)',
      printQueries(runs.filter((r) => r.traces === z.queryTraces && !r.revision)),
    );
  if (runs.length && (opts.sections.has('memory') || opts.sections.has('scaling')))
    out.push('', 'Memory (after forced GC; per span = (loaded - idle) / spans)', printMemory(runs));
  if (opts.sections.has('scaling'))
    out.push(
      '',
      'Scaling (memory store; JSON v2 ingest on top of the stored spans, interleaved with L1; query p99 at concurrency 1)',
      printScaling(scaling),
    );
  if (goals.length)
    out.push(
      '',
      'Targets',
      table(
        ['target', 'value', 'limit', 'met'],
        goals.map((g) => [g.target, g.value, g.limit, g.met ? 'yes' : 'NO']),
      ),
    );
  const seconds = (performance.now() - t0) / 1000;
  out.push('', `took ${fmt(seconds)} s`);
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: started.toISOString(),
        mode: opts.quick ? 'quick' : 'full',
        label: opts.label,
        argv: process.argv.slice(2),
        seconds,
        machine: {
          node: process.version,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          loadavgStart: load0,
          loadavgEnd: load1,
        },
        git,
        connections: opts.connections,
        baseline: opts.baseline,
        sizes: z,
        ingest,
        queues,
        datasets: runs,
        targets: goals,
      },
      null,
      2,
    ),
  );
  out.push(`results: ${file}`);
  if (opts.profile || opts.heapSnapshot) out.push(`profiles: ${profileDir}`);
  process.stdout.write(`\n${out.join('\n')}\n`);
}

try {
  await main(opts);
} finally {
  rmSync(sqliteDir, { recursive: true, force: true });
  await postgres?.close();
}
