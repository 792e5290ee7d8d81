import { KindedError } from '../model/failure.js';

/**
 * A validated trace search (zipkin QueryRequest). Build it with `parseQueryRequest`, which applies zipkin's
 * rules: names lowercased, empty means absent, spanName "all" ignored, and the numeric checks that
 * answer 400 in the API.
 */
export interface QueryRequest {
  serviceName?: string;
  remoteServiceName?: string;
  spanName?: string;
  /** Parsed annotationQuery: tag key -> value ('' for a bare word, which matches a tag key or annotation). */
  annotationQuery: AnnotationQuery;
  /** Microseconds. */
  minDuration?: number;
  /** Microseconds. */
  maxDuration?: number;
  /** Epoch milliseconds. */
  endTs: number;
  /** Milliseconds. */
  lookback: number;
  limit: number;
}

/**
 * annotationQuery terms. `tags` holds k=v exact tag matches (last one per key wins); `words` holds bare
 * words, each matching an annotation value or a tag key. All terms must match.
 */
export interface AnnotationQuery {
  tags: Map<string, string>;
  words: Set<string>;
}

/** A query parameter is wrong: 400 with this message. */
export class QueryRequestError extends KindedError {
  override readonly name = 'QueryRequestError';
  constructor(message: string) {
    super('invalid', message);
  }
}

export interface QueryRequestInput {
  serviceName?: string | undefined;
  remoteServiceName?: string | undefined;
  spanName?: string | undefined;
  annotationQuery?: string | undefined;
  minDuration?: number | undefined;
  maxDuration?: number | undefined;
  endTs?: number | undefined;
  lookback?: number | undefined;
  limit?: number | undefined;
}

const MAX_TERMS = 100;

/** zipkin: split on the literal " and "; "k=v" is a tag match; a bare word matches a tag key or annotation. */
export function parseAnnotationQuery(raw: string | undefined): AnnotationQuery {
  const q: AnnotationQuery = { tags: new Map(), words: new Set() };
  if (!raw || raw.trim() === '') return q;
  const terms = raw.split(' and ');
  if (terms.length > MAX_TERMS)
    throw new QueryRequestError(`annotationQuery has more than ${MAX_TERMS} terms`);
  for (const term of terms) {
    const t = term.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq === -1) q.words.add(t);
    else if (eq === 0) throw new QueryRequestError(`annotationQuery term "${t}" has no key before "="`);
    // zipkin trims around '=': "baz = qux", "baz =qux" and "baz= qux" all match the tag baz=qux.
    else q.tags.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  return q;
}

/** Renders the query back to zipkin's string form (for logs and for backends that want the text). */
export function formatAnnotationQuery(q: AnnotationQuery): string {
  return [...[...q.tags].map(([k, v]) => `${k}=${v}`), ...q.words].join(' and ');
}

export function parseQueryRequest(
  input: QueryRequestInput,
  defaults: { nowMs: number; lookbackMs: number },
): QueryRequest {
  const name = (s: string | undefined) => (s == null || s.trim() === '' ? undefined : s.trim().toLowerCase());
  const endTs = input.endTs ?? defaults.nowMs;
  const lookback = input.lookback ?? defaults.lookbackMs;
  const limit = input.limit ?? 10;
  if (!(endTs > 0)) throw new QueryRequestError('endTs <= 0');
  if (!(limit > 0)) throw new QueryRequestError('limit <= 0');
  if (!(lookback > 0)) throw new QueryRequestError('lookback <= 0');
  if (input.minDuration != null && !(input.minDuration > 0)) throw new QueryRequestError('minDuration <= 0');
  if (input.maxDuration != null) {
    if (input.minDuration == null) throw new QueryRequestError('maxDuration is only valid with minDuration');
    if (input.maxDuration < input.minDuration) throw new QueryRequestError('maxDuration < minDuration');
  }
  const spanName = name(input.spanName);
  const req: QueryRequest = {
    annotationQuery: parseAnnotationQuery(input.annotationQuery),
    endTs,
    lookback: Math.min(lookback, endTs),
    limit,
  };
  const serviceName = name(input.serviceName);
  if (serviceName !== undefined) req.serviceName = serviceName;
  const remoteServiceName = name(input.remoteServiceName);
  if (remoteServiceName !== undefined) req.remoteServiceName = remoteServiceName;
  if (spanName !== undefined && spanName !== 'all') req.spanName = spanName;
  if (input.minDuration != null) req.minDuration = input.minDuration;
  if (input.maxDuration != null) req.maxDuration = input.maxDuration;
  return req;
}
