import { decodeOtlpJson } from '../../codec/otlp/otlp-json-codec.js';
import { otlpToSpans } from '../../codec/otlp/otlp-span-mapper.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { failureOf, KindedError } from '../../model/failure.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span, SpanKind } from '../../model/span.js';
import { parseQueryRequest, QueryRequestError, type QueryRequest } from '../../storage/query-request.js';
import type { StorageComponent } from '../../storage/storage-component.js';
import {
  boolParam,
  durationParamMicros,
  intParam,
  invalid,
  param,
  parseJaegerTraceId,
  queryParams,
} from './jaeger-params.js';
import { registerJaegerMetricsRoutes } from './jaeger-metrics.js';
import { traceMatchesJaeger, type JaegerSpanQuery } from './jaeger-span-matcher.js';
import { toUiTrace, type JaegerUiTrace } from './jaeger-ui-model.js';

export interface JaegerQueryOptions {
  storage: StorageComponent;
  /** QUERY_TIMEOUT: a store call slower than this fails the request with 503. */
  timeoutMs: number;
  /** QUERY_LOOKBACK, ms: how far back /api/operations looks for span kinds. */
  defaultLookbackMs: number;
}

/** jaeger JQ/internal/default_params.go: search looks back 2 days, dependencies 24 hours. */
const DEFAULT_SEARCH_LOOKBACK_US = 2 * 24 * 3600 * 1e6;
const DEFAULT_DEPENDENCY_LOOKBACK_MS = 24 * 3600 * 1000;
const DEFAULT_SEARCH_LIMIT = 100;
/**
 * The store answers with Zipkin semantics (any span per criterion), a superset of Jaeger's; when a
 * criterion only the Jaeger matcher checks is present, ask for more traces so the filtered page fills.
 */
const OVERFETCH = 4;
const MAX_STORE_LIMIT = 10_000;
/** How many recent traces /api/operations reads to learn each operation's span kind. */
const KIND_SAMPLE_TRACES = 200;

export const TRACE_NOT_FOUND = 'trace not found';

/**
 * Jaeger's internal JSON API (jaeger v2.20.0 cmd/jaeger/internal/extension/jaegerquery/internal/
 * http_handler.go), as the Jaeger UI and Grafana's Jaeger data source call it: every answer in the
 * `{data, total, limit, offset, errors}` envelope, errors too. Encapsulated with its own error handler, so
 * it answers the same on QUERY_PORT and JAEGER_QUERY_PORT and leaves the Zipkin routes' answers alone.
 */
export async function jaegerInternalApiPlugin(app: FastifyInstance, opts: JaegerQueryOptions): Promise<void> {
  const { storage } = opts;
  const timed = <T>(p: Promise<T>): Promise<T> => withTimeout(p, opts.timeoutMs);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const failure = failureOf(err instanceof QueryRequestError ? invalid(err.message) : err);
    if (failure.log) req.log.error({ err, url: req.url }, 'jaeger query failed');
    if (failure.retryAfterSeconds !== undefined)
      reply.header('Retry-After', String(failure.retryAfterSeconds));
    // handleError sends through Go's http.Error: text/plain and a trailing newline; clients parse it as JSON.
    const body = {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: failure.httpStatus, msg: failure.message }],
    };
    return reply
      .code(failure.httpStatus)
      .type('text/plain; charset=utf-8')
      .send(`${JSON.stringify(body)}\n`);
  });

  registerJaegerMetricsRoutes(app, storage, timed);

  app.get('/api/services', async (req, reply) => {
    const services = await timed(storage.serviceAndSpanNames().getServiceNames());
    return envelope(req, reply, services, services.length);
  });

  app.get<{ Params: { service: string } }>('/api/services/:service/operations', async (req, reply) => {
    // find-my-way matches the raw path and decodes the segment, so "a%2Fb" arrives as "a/b".
    const names = await timed(storage.serviceAndSpanNames().getSpanNames(req.params.service.toLowerCase()));
    return envelope(req, reply, names, names.length);
  });

  app.get('/api/operations', async (req, reply) => {
    const params = queryParams(req.url);
    const service = param(params, 'service');
    if (service === undefined) throw invalid("parameter 'service' is required");
    const kind = param(params, 'spanKind')?.toLowerCase();
    const ops = await operationsWithKinds(storage, service.toLowerCase(), opts.defaultLookbackMs, timed);
    const data = kind === undefined ? ops : ops.filter((o) => o.spanKind === kind);
    return envelope(req, reply, data, data.length);
  });

  app.get('/api/traces', async (req, reply) => {
    const params = queryParams(req.url);
    const raw = boolParam('raw', param(params, 'raw'));
    const ids = params.getAll('traceID').filter((v) => v !== '');
    if (ids.length > 0) {
      const parsed = ids.map((id) => {
        try {
          return { asked: id, id: parseJaegerTraceId(id) };
        } catch (e) {
          throw invalid(`cannot parse traceID param: ${(e as Error).message}`);
        }
      });
      const wanted = [...new Set(parsed.flatMap((p) => (p.id === undefined ? [] : [p.id])))];
      const found = wanted.length === 0 ? [] : await timed(storage.traces().getTraces(wanted));
      const traces = found.flatMap((spans) => toUiTrace(spans, { raw }) ?? []);
      // By the low 64 bits: with STRICT_TRACE_ID=false a 16-hex ask can answer with the 128-bit trace.
      const have = new Set(traces.map((t) => lowTraceId(t.traceID)));
      // tracesByIDs: a missing id is a soft error in a 200 answer.
      const errors = parsed
        .filter((p) => p.id === undefined || !have.has(lowTraceId(p.id)))
        .map((p) => ({ msg: TRACE_NOT_FOUND, traceID: p.asked }));
      return envelope(req, reply, traces, 0, errors.length > 0 ? errors : null);
    }
    const search = parseSearch(params);
    const found = await timed(storage.spanStore().getTraces(search.store));
    const traces: JaegerUiTrace[] = [];
    for (const spans of found) {
      const trace = toUiTrace(spans, { raw });
      if (trace !== undefined && traceMatchesJaeger(search.match, trace)) traces.push(trace);
      if (traces.length === search.limit) break;
    }
    return envelope(req, reply, traces, 0);
  });

  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId', async (req, reply) => {
    const params = queryParams(req.url);
    // start/end are only storage hints in jaeger; Grafana sends milliseconds in them, so they are ignored.
    const id = parseJaegerTraceId(req.params.traceId);
    const trace =
      id === undefined
        ? undefined
        : toUiTrace(await timed(storage.traces().getTrace(id)), {
            raw: boolParam('raw', param(params, 'raw')),
          });
    if (trace === undefined) throw new KindedError('not-found', TRACE_NOT_FOUND);
    return envelope(req, reply, [trace], 0);
  });

  // The Jaeger UI's "upload a JSON file" (UIS/utils/readJsonFile.ts): OTLP/JSON in, UI-model traces out,
  // nothing stored. A body that is not OTLP/JSON is a DecodeError, so a 400.
  app.post('/api/transform', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { spans } = otlpToSpans(decodeOtlpJson(body));
    const byTrace = new Map<string, Span[]>();
    for (const s of spans) {
      const list = byTrace.get(s.traceId);
      if (list) list.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    const traces = [...byTrace.values()].flatMap((t) => toUiTrace(t) ?? []);
    return envelope(req, reply, traces, 0);
  });

  app.get('/api/dependencies', async (req, reply) => {
    const params = queryParams(req.url);
    const endTs = intParam('endTs', param(params, 'endTs')) ?? Date.now();
    const lookback = intParam('lookback', param(params, 'lookback')) ?? DEFAULT_DEPENDENCY_LOOKBACK_MS;
    if (endTs <= 0) throw invalid("unable to parse param 'endTs': must be a positive number of milliseconds");
    if (lookback <= 0)
      throw invalid("unable to parse param 'lookback': must be a positive number of milliseconds");
    const service = param(params, 'service')?.toLowerCase();
    const links = await timed(storage.spanStore().getDependencies(endTs, lookback));
    // deduplicateDependencies: links with the same parent and child are summed.
    const byEdge = new Map<string, { parent: string; child: string; callCount: number }>();
    for (const l of links) {
      if (service !== undefined && l.parent !== service && l.child !== service) continue;
      const key = JSON.stringify([l.parent, l.child]);
      const edge = byEdge.get(key);
      if (edge) edge.callCount += l.callCount;
      else byEdge.set(key, { parent: l.parent, child: l.child, callCount: l.callCount });
    }
    return envelope(req, reply, [...byEdge.values()], 0);
  });
}

/** The search parameters (parseTraceQueryParams in jaeger v2.20.0 JQ/internal/query_parser.go). */
export function parseSearch(
  params: URLSearchParams,
  nowUs = Date.now() * 1000,
): {
  store: QueryRequest;
  match: JaegerSpanQuery;
  limit: number;
} {
  const service = param(params, 'service')?.toLowerCase();
  const operation = param(params, 'operation')?.toLowerCase();
  const tags = new Map<string, string>();
  for (const text of params.getAll('tags')) {
    if (text === '') continue;
    for (const [k, v] of Object.entries(parseTagsJson(text))) tags.set(k, v);
  }
  for (const kv of params.getAll('tag')) {
    if (kv === '') continue;
    const colon = kv.indexOf(':');
    if (colon === -1) throw invalid(`malformed 'tag' parameter, expecting key:value, received: ${kv}`);
    tags.set(kv.slice(0, colon), kv.slice(colon + 1));
  }
  const end = intParam('end', param(params, 'end')) ?? nowUs;
  const start = intParam('start', param(params, 'start')) ?? end - DEFAULT_SEARCH_LOOKBACK_US;
  const limitRaw = intParam('limit', param(params, 'limit'), false);
  const limit = limitRaw === undefined || limitRaw <= 0 ? DEFAULT_SEARCH_LIMIT : limitRaw;
  const minDuration = durationParamMicros('minDuration', param(params, 'minDuration'));
  const maxDuration = durationParamMicros('maxDuration', param(params, 'maxDuration'));
  if (minDuration !== undefined && maxDuration !== undefined && maxDuration < minDuration) {
    throw invalid("'maxDuration' should be greater than 'minDuration'");
  }

  const match: JaegerSpanQuery = { tags, startMin: start, startMax: end };
  if (service !== undefined) match.serviceName = service;
  if (operation !== undefined) match.operationName = operation;
  if (minDuration !== undefined) match.durationMin = minDuration;
  if (maxDuration !== undefined) match.durationMax = maxDuration;

  // The store narrows with Zipkin's looser criteria; durations rounded outwards to whole microseconds.
  const storeMin =
    minDuration !== undefined && Math.floor(minDuration) >= 1 ? Math.floor(minDuration) : undefined;
  const postOnly =
    tags.size > 0 || operation !== undefined || minDuration !== undefined || maxDuration !== undefined;
  const endTs = Math.max(1, Math.ceil(end / 1000));
  const store = parseQueryRequest(
    {
      serviceName: service,
      spanName: operation,
      minDuration: storeMin,
      maxDuration: storeMin !== undefined && maxDuration !== undefined ? Math.ceil(maxDuration) : undefined,
      endTs,
      lookback: Math.max(1, endTs - Math.floor(start / 1000)),
      limit: postOnly ? Math.min(limit * OVERFETCH, MAX_STORE_LIMIT) : limit,
    },
    { nowMs: Math.ceil(nowUs / 1000), lookbackMs: DEFAULT_SEARCH_LOOKBACK_US / 1000 },
  );
  return { store, match, limit };
}

/** `tags={"k":"v"}`: a JSON object of strings (jaeger unmarshals it into map[string]string). */
export function parseTagsJson(text: string): Record<string, string> {
  const fail = (why: string) => invalid(`malformed 'tags' parameter, cannot unmarshal JSON: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw fail('json: cannot unmarshal into Go value of type map[string]string');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') throw fail(`json: cannot unmarshal ${typeof v} into Go value of type string`);
    out[k] = v;
  }
  return out;
}

export interface JaegerOperation {
  name: string;
  /** lowercase Jaeger kind, '' when the span has none. */
  spanKind: string;
}

/**
 * The span names of a service with their kinds. ServiceAndSpanNames has no kinds, so they are read from
 * the service's recent traces; a name seen under several kinds is listed once per kind, a name not seen
 * there has kind ''.
 */
export async function operationsWithKinds(
  storage: StorageComponent,
  service: string,
  lookbackMs: number,
  timed: <T>(p: Promise<T>) => Promise<T>,
): Promise<JaegerOperation[]> {
  const names = await timed(storage.serviceAndSpanNames().getSpanNames(service));
  if (names.length === 0) return [];
  const request = parseQueryRequest(
    { serviceName: service, limit: KIND_SAMPLE_TRACES },
    { nowMs: Date.now(), lookbackMs },
  );
  const kinds = new Map<string, Set<string>>();
  for (const trace of await timed(storage.spanStore().getTraces(request))) {
    for (const s of trace) {
      if (s.localEndpoint?.serviceName !== service || s.name === undefined) continue;
      let set = kinds.get(s.name);
      if (!set) kinds.set(s.name, (set = new Set()));
      set.add(jaegerKind(s.kind, s.tags?.['span.kind']));
    }
  }
  return names.flatMap((name) =>
    [...(kinds.get(name) ?? new Set([''])).values()].sort().map((spanKind) => ({ name, spanKind })),
  );
}

function jaegerKind(kind: SpanKind | undefined, tag: string | undefined): string {
  if (kind !== undefined) return kind.toLowerCase();
  return tag === 'internal' ? 'internal' : '';
}

function envelope(
  req: FastifyRequest,
  reply: FastifyReply,
  data: unknown,
  total: number,
  errors: unknown[] | null = null,
): FastifyReply {
  const body = { data, total, limit: 0, offset: 0, errors };
  // writeJSON: prettyPrint=<anything but "false"> indents by 4 spaces.
  const pretty = queryParams(req.url).get('prettyPrint');
  const text = pretty !== null && pretty !== 'false' ? JSON.stringify(body, null, 4) : JSON.stringify(body);
  return reply.type('application/json').send(text);
}

/** A store call slower than QUERY_TIMEOUT is a transient failure (503, retry later). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KindedError('transient', `query took longer than QUERY_TIMEOUT (${ms} ms)`)),
      ms,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
