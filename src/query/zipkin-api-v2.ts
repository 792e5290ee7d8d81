import type { FastifyInstance, FastifyReply } from 'fastify';
import { KindedError } from '../model/failure.js';
import type { Span } from '../model/span.js';
import { zipkinTraceIdParam } from '../model/ids.js';
import {
  encodeJsonV2List,
  encodeJsonV2Traces,
  type JsonV2EncodeOptions,
} from '../codec/json-v2/json-v2-codec.js';
import type { StorageComponent } from '../storage/storage-component.js';
import { parseQueryRequest, QueryRequestError } from '../storage/query-request.js';

export interface ZipkinApiOptions {
  storage: StorageComponent;
  /** QUERY_LOOKBACK: default lookback of /traces and /dependencies, ms. */
  defaultLookbackMs: number;
}

/** A 404 for an unknown trace, with zipkin's message. */
export class TraceNotFoundError extends KindedError {
  override readonly name = 'TraceNotFoundError';
  constructor(message: string) {
    super('not-found', message);
  }
}

type Query = Record<string, string | undefined>;

/**
 * The Zipkin query API v2 (zipkin ZipkinQueryApiV2). Registered at /api/v2 and again at /zipkin/api/v2,
 * where Lens and links built for it look. Parameter errors are QueryRequestError (400 with the message).
 * QUERY_TIMEOUT is the storage core's: it cancels the store's work and answers 503 with Retry-After. A
 * client that disconnects cancels its query too (`aborted`).
 */
export function registerZipkinApiV2(app: FastifyInstance, opts: ZipkinApiOptions): void {
  const { storage } = opts;
  // zipkin (ZipkinQueryApiV2): span and remote service names are cacheable once /services last counted
  // more than 3 services, whatever the size of the list itself (before any /services call, none is).
  // Autocomplete keys always are; autocomplete values when there are more than 3.
  let serviceCount = 0;
  const names = (reply: FastifyReply, list: string[]) => nameList(reply, list, serviceCount > 3);
  const serviceNames = (reply: FastifyReply, list: string[]) => {
    serviceCount = list.length;
    return names(reply, list);
  };

  app.get('/services', async (_req, reply) =>
    serviceNames(reply, await storage.serviceAndSpanNames().getServiceNames(aborted(reply))),
  );

  app.get<{ Querystring: Query }>('/spans', async (req, reply) => {
    const svc = required(req.query, 'serviceName').toLowerCase();
    return names(reply, await storage.serviceAndSpanNames().getSpanNames(svc, aborted(reply)));
  });

  app.get<{ Querystring: Query }>('/remoteServices', async (req, reply) => {
    const svc = required(req.query, 'serviceName').toLowerCase();
    return names(reply, await storage.serviceAndSpanNames().getRemoteServiceNames(svc, aborted(reply)));
  });

  app.get<{ Querystring: Query }>('/traces', async (req, reply) => {
    const q = req.query;
    const request = parseQueryRequest(
      {
        serviceName: q.serviceName,
        remoteServiceName: q.remoteServiceName,
        spanName: q.spanName,
        annotationQuery: q.annotationQuery,
        minDuration: optionalInt(q, 'minDuration'),
        maxDuration: optionalInt(q, 'maxDuration'),
        endTs: optionalInt(q, 'endTs'),
        lookback: optionalInt(q, 'lookback'),
        limit: optionalInt(q, 'limit'),
      },
      { nowMs: Date.now(), lookbackMs: opts.defaultLookbackMs },
    );
    const ext = extensionsParam(q);
    return json(reply, encodeTraces(await storage.spanStore().getTraces(request, aborted(reply)), ext));
  });

  app.get<{ Params: { traceId: string }; Querystring: Query }>('/trace/:traceId', async (req, reply) => {
    const id = traceIdParam(req.params.traceId);
    const ext = extensionsParam(req.query);
    const spans = await storage.traces().getTrace(id, aborted(reply));
    if (spans.length === 0) throw new TraceNotFoundError(`${id} not found`);
    return json(reply, encodeJsonV2List(spans, ext));
  });

  app.get<{ Querystring: Query }>('/traceMany', async (req, reply) => {
    const param = (req.query.traceIds ?? '').trim();
    if (param === '') throw new QueryRequestError('traceIds parameter is empty');
    // zipkin keeps empty items ("a," -> "traceId is empty") and checks each id before counting them.
    const raw = param.split(',');
    const seen = new Set<string>();
    for (const r of raw) {
      const id = traceIdParam(r);
      if (seen.has(id)) throw new QueryRequestError(`redundant traceId: ${r}`);
      seen.add(id);
    }
    if (seen.size === 1)
      throw new QueryRequestError('Use /api/v2/trace/{traceId} endpoint to retrieve a single trace');
    const ext = extensionsParam(req.query);
    return json(reply, encodeTraces(await storage.traces().getTraces([...seen], aborted(reply)), ext));
  });

  app.get<{ Querystring: Query }>('/dependencies', async (req, reply) => {
    const endTs = optionalInt(req.query, 'endTs');
    if (endTs === undefined) throw new QueryRequestError('endTs is required');
    if (endTs <= 0) throw new QueryRequestError('endTs <= 0');
    const lookback = optionalInt(req.query, 'lookback') ?? opts.defaultLookbackMs;
    if (lookback <= 0) throw new QueryRequestError('lookback <= 0');
    const links = await storage.spanStore().getDependencies(endTs, lookback, aborted(reply));
    return json(
      reply,
      JSON.stringify(
        links.map((l) => (l.errorCount ? l : { parent: l.parent, child: l.child, callCount: l.callCount })),
      ),
    );
  });

  app.get('/autocompleteKeys', async (_req, reply) =>
    nameList(reply, await storage.autocompleteTags().getKeys(aborted(reply)), true),
  );

  app.get<{ Querystring: Query }>('/autocompleteValues', async (req, reply) => {
    const key = required(req.query, 'key');
    const values = await storage.autocompleteTags().getValues(key, aborted(reply));
    return nameList(reply, values, values.length > 3);
  });
}

function encodeTraces(traces: Span[][], opts: JsonV2EncodeOptions): string {
  return encodeJsonV2Traces(traces, opts);
}

/**
 * Skein's `extensions=true` on /trace/{id}, /traces and /traceMany: spans also carry `links` (OTLP span
 * links, Jaeger FOLLOWS_FROM references: [{traceId, spanId, type?, tags?}]), which zipkin's JSON has no
 * field for. Off by default, so the answers stay byte-for-byte zipkin's for zipkin clients.
 */
function extensionsParam(q: Query): JsonV2EncodeOptions {
  const v = q.extensions?.trim();
  if (v === undefined || v === '' || v === 'false') return { extensions: false };
  if (v === 'true') return { extensions: true };
  throw new QueryRequestError(`extensions should be true or false but was ${v.slice(0, 40)}`);
}

function json(reply: FastifyReply, body: string): FastifyReply {
  return reply.type('application/json').send(body);
}

function nameList(reply: FastifyReply, list: string[], cacheable: boolean): FastifyReply {
  if (cacheable) reply.header('Cache-Control', 'max-age=300, must-revalidate');
  return json(reply, JSON.stringify(list));
}

function required(q: Query, key: string): string {
  const v = q[key];
  if (v === undefined || v.trim() === '') throw new QueryRequestError(`${key} is required`);
  return v.trim();
}

function optionalInt(q: Query, key: string): number | undefined {
  const v = q[key];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.trim());
  // zipkin binds these to a Java long: a value that is not an integer, or does not fit, is a 400.
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
    throw new QueryRequestError(`${key} should be an integer but was ${v.slice(0, 40)}`);
  }
  return n;
}

/** zipkin's checks and messages (uppercase is a 400 there too: see zipkinTraceIdParam). */
function traceIdParam(raw: string): string {
  const parsed = zipkinTraceIdParam(raw);
  if ('error' in parsed) throw new QueryRequestError(parsed.error);
  return parsed.id;
}

/**
 * A signal that aborts when the client goes away before its answer is sent, so the store stops working
 * on a query nobody waits for. A response closes once per request: finished, or cut off.
 */
export function aborted(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  return controller.signal;
}
