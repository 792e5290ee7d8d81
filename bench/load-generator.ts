/**
 * The load generator: its own process (forked by run.ts), so its CPU is never counted as the server's.
 * Ingest jobs POST batches over keep-alive connections, a fixed number of requests in flight (a closed
 * loop, like a fleet of reporters each waiting for its 202); query jobs GET paths at a given concurrency.
 * Latency is measured from sending the request to the end of the response body.
 */
import { Agent, request } from 'node:http';
import { BodySequence, buildTemplates, FORMAT_REQUEST } from './ingest-bodies.js';
import type { FromLoad, IngestJob, IngestResult, QueryJob, QueryResult, QuerySpec, ToLoad } from './protocol.js';
import { SampleBuffer, summarize } from './stats.js';

const send = (m: FromLoad) => process.send!(m);

let go: (() => void) | undefined;
process.on('message', (m: ToLoad) => {
  if (m.type === 'go') go?.();
  else if (m.type === 'stop') process.exit(0);
  else if (m.type === 'job') {
    const run = m.job.kind === 'ingest' ? runIngest(m.job) : runQueries(m.job);
    run.catch((e: unknown) => {
      send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      process.exit(1);
    });
  }
});
send({ type: 'ready' });

interface Reply {
  status: number;
  bytes: number;
  ms: number;
}

function call(agent: Agent, port: number, method: string, path: string, headers: Record<string, string | number>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function runIngest(job: IngestJob): Promise<void> {
  const templates = buildTemplates(job.format, job.templates, job.batchSpans, job.seed);
  const warmBodies = Math.ceil(job.warmupSpans / job.batchSpans);
  const measureBodies = Math.ceil(job.measureSpans / job.batchSpans);
  const bodies = new BodySequence(templates, job.gzip, warmBodies + measureBodies);
  const { path, contentType } = FORMAT_REQUEST[job.format];
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });

  const phase = async (from: number, to: number) => {
    const latencies = new SampleBuffer();
    const statusCounts: Record<string, number> = {};
    let next = from;
    let spans = 0;
    let bodyBytes = 0;
    let errors = 0;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        const body = bodies.body(i);
        const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': body.length };
        if (job.gzip) headers['content-encoding'] = 'gzip';
        const r = await call(agent, job.port, 'POST', path, headers, body);
        latencies.push(r.ms);
        statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
        if (r.status === 200 || r.status === 202) spans += bodies.spans(i);
        else errors++;
        bodyBytes += body.length;
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: job.connections }, worker));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const result: IngestResult = {
      requests: to - from,
      spans,
      seconds,
      latenciesMs: summarize(latencies.values()),
      errors,
      statusCounts,
      bodyBytes,
    };
    return result;
  };

  await phase(0, warmBodies);
  await new Promise<void>((resolve) => {
    go = resolve;
    send({ type: 'warm' });
  });
  const result = await phase(warmBodies, warmBodies + measureBodies);
  agent.destroy();
  send({ type: 'ingest-done', result });
}

async function runQueries(job: QueryJob): Promise<void> {
  const results: QueryResult[] = [];
  for (const spec of job.specs) results.push(await runQuery(job.port, spec));
  send({ type: 'query-done', results });
}

async function runQuery(port: number, spec: QuerySpec): Promise<QueryResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  let next = 0;
  const get = async () => call(agent, port, 'GET', spec.paths[next++ % spec.paths.length]!, { accept: 'application/json' });
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
