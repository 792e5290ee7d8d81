/**
 * The load generator: its own process (forked by run.ts), so its CPU is never counted as the server's.
 * Ingest: POSTs batches over keep-alive connections with a fixed number of requests in flight (a closed
 * loop, like a fleet of reporters each waiting for its 202), in phases the orchestrator asks for.
 * Queries: GETs paths at a given concurrency. Latency runs from sending the request to the end of the
 * response body.
 */
import { Agent, request } from 'node:http';
import { BodySequence, buildTemplates, FORMAT_REQUEST } from './ingest-bodies.js';
import type {
  FromLoad,
  IngestResult,
  IngestSetup,
  QueryJob,
  QueryResult,
  QuerySpec,
  ToLoad,
} from './protocol.js';
import { SampleBuffer, summarize } from './stats.js';

const send = (m: FromLoad) => process.send!(m);
const fail = (e: unknown) => {
  send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
};

let ingest: IngestRunner | undefined;
process.on('message', (m: ToLoad) => {
  switch (m.type) {
    case 'job':
      if (m.job.kind === 'ingest') {
        ingest = new IngestRunner(m.job);
        send({ type: 'set-up' });
      } else runQueries(m.job).catch(fail);
      break;
    case 'phase':
      ingest!.phase(m.target, m.spans, m.record).then((r) => send({ type: 'phase-done', ...r }), fail);
      break;
    case 'summary':
      send({ type: 'summary', results: ingest!.summary() });
      break;
    case 'stop':
      process.exit(0);
  }
});
send({ type: 'ready' });

interface Reply {
  status: number;
  bytes: number;
  ms: number;
}

function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, bytes, ms: Number(process.hrtime.bigint() - start) / 1e6 }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface TargetState {
  port: number;
  agent: Agent;
  next: number;
  latencies: SampleBuffer;
  statusCounts: Record<string, number>;
  requests: number;
  spans: number;
  seconds: number;
  errors: number;
  bodyBytes: number;
}

class IngestRunner {
  private readonly bodies: BodySequence;
  private readonly targets: TargetState[];
  private readonly path: string;
  private readonly contentType: string;

  constructor(private readonly job: IngestSetup) {
    const templates = buildTemplates(job.format, job.templates, job.batchSpans, job.seed);
    this.bodies = new BodySequence(templates, job.gzip, job.maxBodies);
    ({ path: this.path, contentType: this.contentType } = FORMAT_REQUEST[job.format]);
    this.targets = job.ports.map((port) => ({
      port,
      agent: new Agent({ keepAlive: true, maxSockets: job.connections }),
      next: 0,
      latencies: new SampleBuffer(),
      statusCounts: {},
      requests: 0,
      spans: 0,
      seconds: 0,
      errors: 0,
      bodyBytes: 0,
    }));
  }

  async phase(
    target: number,
    spans: number,
    record: boolean,
  ): Promise<{ spans: number; seconds: number; errors: number }> {
    const t = this.targets[target]!;
    const end = t.next + Math.ceil(spans / this.job.batchSpans);
    if (end > this.job.maxBodies)
      throw new Error(`phase needs body ${end} but only ${this.job.maxBodies} were prepared`);
    let ok = 0;
    let errors = 0;
    const worker = async () => {
      while (t.next < end) {
        const i = t.next++;
        const body = this.bodies.body(i);
        const headers: Record<string, string | number> = {
          'content-type': this.contentType,
          'content-length': body.length,
        };
        if (this.job.gzip) headers['content-encoding'] = 'gzip';
        const r = await call(t.agent, t.port, 'POST', this.path, headers, body);
        const good = r.status === 200 || r.status === 202;
        if (good) ok += this.bodies.spans(i);
        else errors++;
        if (record) {
          t.latencies.push(r.ms);
          t.statusCounts[r.status] = (t.statusCounts[r.status] ?? 0) + 1;
          t.requests++;
          t.bodyBytes += body.length;
        }
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: this.job.connections }, worker));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (record) {
      t.spans += ok;
      t.seconds += seconds;
      t.errors += errors;
    }
    return { spans: ok, seconds, errors };
  }

  summary(): IngestResult[] {
    return this.targets.map((t) => ({
      requests: t.requests,
      spans: t.spans,
      seconds: t.seconds,
      latenciesMs: summarize(t.latencies.values()),
      errors: t.errors,
      statusCounts: t.statusCounts,
      bodyBytes: t.bodyBytes,
    }));
  }
}

async function runQueries(job: QueryJob): Promise<void> {
  const results: QueryResult[] = [];
  for (const spec of job.specs) results.push(await runQuery(job.port, spec));
  send({ type: 'query-done', results });
}

async function runQuery(port: number, spec: QuerySpec): Promise<QueryResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  let next = 0;
  const get = async () =>
    call(agent, port, 'GET', spec.paths[next++ % spec.paths.length]!, { accept: 'application/json' });
  for (let i = 0; i < spec.warmup; i++) await get();

  const latencies = new SampleBuffer();
  let errors = 0;
  let responseBytes = 0;
  let issued = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const worker = async () => {
    while (issued < spec.requests && (issued < spec.minRequests || elapsed() < spec.maxSeconds)) {
      issued++;
      const r = await get();
      latencies.push(r.ms);
      responseBytes += r.bytes;
      if (r.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  agent.destroy();
  return {
    name: spec.name,
    concurrency: spec.concurrency,
    requests: latencies.length,
    errors,
    seconds: elapsed(),
    latenciesMs: summarize(latencies.values()),
    responseBytes: latencies.length ? responseBytes / latencies.length : 0,
  };
}
