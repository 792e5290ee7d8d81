import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { failureOf, KindedError } from '../../model/failure.js';
import { QueryRequestError } from '../../storage/query-request.js';
import {
  operationsWithKinds,
  parseSearch,
  parseTagsJson,
  withTimeout,
  type JaegerQueryOptions,
} from './jaeger-internal-api.js';
import {
  boolParam,
  invalid,
  param,
  parseGoDuration,
  parseJaegerTraceId,
  queryParams,
} from './jaeger-params.js';
import { traceMatchesJaeger } from './jaeger-span-matcher.js';
import { summarizeTrace, toOtlpResourceSpans } from './jaeger-otlp-model.js';
import { toUiTrace, type JaegerUiTrace } from './jaeger-ui-model.js';

/** jaeger http_gateway.go returnTraces: any lookup or search that finds nothing. */
export const NO_TRACES_FOUND = 'No traces found';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/**
 * The api_v3 HTTP gateway (jaeger cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/
 * http_gateway.go): /api/v3/services, /operations, /traces, /traces/{id} and /trace-summaries, with
 * proto3-JSON answers and `{"error":{"httpCode","message"}}` errors. Search parameters are read under their
 * canonical camelCase names and the deprecated snake_case aliases Grafana sends (query_parser.go).
 */
export async function jaegerApiV3Plugin(app: FastifyInstance, opts: JaegerQueryOptions): Promise<void> {
  const { storage } = opts;
  const timed = <T>(p: Promise<T>): Promise<T> => withTimeout(p, opts.timeoutMs);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const failure = failureOf(err instanceof QueryRequestError ? invalid(err.message) : err);
    if (failure.log) req.log.error({ err, url: req.url }, 'jaeger api_v3 query failed');
    if (failure.retryAfterSeconds !== undefined)
      reply.header('Retry-After', String(failure.retryAfterSeconds));
    const body = { error: { httpCode: failure.httpStatus, message: failure.message } };
    // tryHandleError sends through Go's http.Error: text/plain and a trailing newline.
    return reply
      .code(failure.httpStatus)
      .type('text/plain; charset=utf-8')
      .send(`${JSON.stringify(body)}\n`);
  });

  app.get('/api/v3/services', async (_req, reply) =>
    json(reply, { services: await timed(storage.serviceAndSpanNames().getServiceNames()) }),
  );

  app.get('/api/v3/operations', async (req, reply) => {
    const params = queryParams(req.url);
    const service = param(params, 'service');
    if (service === undefined) return json(reply, { operations: [] });
    const kind = param(params, 'spanKind', 'span_kind')?.toLowerCase();
    const ops = await operationsWithKinds(storage, service.toLowerCase(), opts.defaultLookbackMs, timed);
    // getOperations: an operation without a kind is reported as "internal"; the UI's schema needs both fields.
    const operations = ops
      .map((o) => ({ name: o.name, spanKind: o.spanKind === '' ? 'internal' : o.spanKind }))
      .filter((o, i, all) => all.findIndex((x) => x.name === o.name && x.spanKind === o.spanKind) === i)
      .filter((o) => kind === undefined || o.spanKind === kind);
    return json(reply, { operations });
  });

  app.get<{ Params: { traceId: string } }>('/api/v3/traces/:traceId', async (req, reply) => {
    const params = queryParams(req.url);
    let id: string | undefined;
    try {
      id = parseJaegerTraceId(req.params.traceId);
    } catch (e) {
      throw invalid(`malformed parameter trace_id: ${(e as Error).message}`);
    }
    const raw = v3Bool(params, 'rawTraces', 'raw_traces');
    // startTime/endTime are storage hints; the trace is answered whatever window they name.
    for (const [canonical, alias] of [
      ['startTime', 'start_time'],
      ['endTime', 'end_time'],
    ] as const) {
      const v = param(params, canonical, alias);
      if (v !== undefined) rfc3339Micros(canonical, v);
    }
    const trace =
      id === undefined ? undefined : toUiTrace(await timed(storage.traces().getTrace(id)), { raw });
    if (trace === undefined) throw new KindedError('not-found', NO_TRACES_FOUND);
    return json(reply, { result: { resourceSpans: toOtlpResourceSpans(trace) } });
  });

  app.get('/api/v3/traces', async (req, reply) => {
    const traces = await search(queryParams(req.url));
    if (traces.length === 0) throw new KindedError('not-found', NO_TRACES_FOUND);
    return json(reply, { result: { resourceSpans: traces.flatMap(toOtlpResourceSpans) } });
  });

  app.get('/api/v3/trace-summaries', async (req, reply) => {
    // Unlike /api/v3/traces, no match is a 200 with an empty list.
    const traces = await search(queryParams(req.url));
    return json(reply, { summaries: traces.map(summarizeTrace) });
  });

  async function search(params: URLSearchParams): Promise<JaegerUiTrace[]> {
    const { internal, raw } = v3SearchParams(params);
    const parsed = parseSearch(internal);
    const found = await timed(storage.spanStore().getTraces(parsed.store));
    const traces: JaegerUiTrace[] = [];
    for (const spans of found) {
      const trace = toUiTrace(spans, { raw });
      if (trace !== undefined && traceMatchesJaeger(parsed.match, trace)) traces.push(trace);
      if (traces.length === parsed.limit) break;
    }
    return traces;
  }
}

/**
 * parseFindTracesQuery's parameters, validated with its messages, restated as the internal API's
 * parameters so both share one search.
 */
export function v3SearchParams(params: URLSearchParams): { internal: URLSearchParams; raw: boolean } {
  const get = (canonical: string, ...aliases: string[]) => param(params, canonical, ...aliases);
  const minText = get('query.startTimeMin', 'query.start_time_min');
  const maxText = get('query.startTimeMax', 'query.start_time_max');
  if (minText === undefined || maxText === undefined) {
    throw invalid('query.startTimeMin and query.startTimeMax are required');
  }
  const min = rfc3339Micros('query.startTimeMin', minText);
  const max = rfc3339Micros('query.startTimeMax', maxText);
  if (min >= max) throw invalid('query.startTimeMin must be before query.startTimeMax');
  const internal = new URLSearchParams({ start: String(min), end: String(max) });
  const copy = (to: string, value: string | undefined) => {
    if (value !== undefined) internal.set(to, value);
  };
  copy('service', get('query.serviceName', 'query.service_name'));
  copy('operation', get('query.operationName', 'query.operation_name'));
  const depth = get('query.searchDepth', 'query.search_depth', 'query.num_traces');
  if (depth !== undefined && !/^\d+$/.test(depth)) {
    throw invalid(
      `malformed parameter query.searchDepth: strconv.Atoi: parsing ${JSON.stringify(depth)}: invalid syntax`,
    );
  }
  copy('limit', depth);
  for (const [name, to, ...aliases] of [
    ['query.durationMin', 'minDuration', 'query.duration_min'],
    ['query.durationMax', 'maxDuration', 'query.duration_max'],
  ] as const) {
    const v = get(name, ...aliases);
    if (v === undefined) continue;
    try {
      parseGoDuration(v);
    } catch (e) {
      throw invalid(`malformed parameter ${name}: ${(e as Error).message}`);
    }
    internal.set(to, v);
  }
  const attributes = get('query.attributes');
  if (attributes !== undefined) {
    parseTagsJson(attributes);
    internal.set('tags', attributes);
  }
  if (get('query.filter') !== undefined) {
    throw invalid('malformed parameter query.filter: filter expressions are not supported by Skein');
  }
  return { internal, raw: v3Bool(params, 'query.rawTraces', 'query.raw_traces') };
}

function v3Bool(params: URLSearchParams, canonical: string, alias: string): boolean {
  try {
    return boolParam(canonical, param(params, canonical, alias));
  } catch {
    throw invalid(`malformed parameter ${canonical}: strconv.ParseBool: invalid syntax`);
  }
}

/**
 * time.Parse(time.RFC3339Nano) to epoch microseconds. Grafana appends its times unencoded, so a `+02:00`
 * offset arrives with the `+` decoded as a space (jaeger-query.md 4.4): a space there is read as `+`.
 */
export function rfc3339Micros(name: string, text: string): number {
  const m = RFC3339.exec(text.replace(/ (\d\d:\d\d)$/, '+$1'));
  const ms = m ? Date.parse(`${m[1]}${m[3]!.toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) {
    throw invalid(
      `malformed parameter ${name}: parsing time ${JSON.stringify(text)} as RFC3339: cannot parse`,
    );
  }
  return ms * 1000 + Number(`${m[2] ?? ''}000000`.slice(0, 6));
}

function json(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json').send(JSON.stringify(body));
}
