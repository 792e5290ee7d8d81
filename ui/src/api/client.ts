import type { Span } from '../model/span-types';
import type { DependencyLink } from '../model/span-types';

/** Where the UI is mounted (/zipkin/); the API and config live under it, as in zipkin. */
export const BASE = import.meta.env.BASE_URL;

export type ApiErrorKind = 'network' | 'not-found' | 'bad-request' | 'server';

/** A failed API call, classified so pages can say what happened and what to do. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

type Params = Record<string, string | number | undefined>;

export function apiUrl(path: string, params: Params = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const q = qs.toString();
  return `${BASE}api/v2/${path}${q ? `?${q}` : ''}`;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ?? null, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('network', 'Cannot reach the Skein server. Check that it is running and reachable.');
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 300);
    if (res.status === 404) throw new ApiError('not-found', text || 'Not found', 404);
    if (res.status >= 400 && res.status < 500) throw new ApiError('bad-request', text || res.statusText, res.status);
    // A proxy in front of a stopped server answers 502/503/504: that is "server down" to a user.
    if (res.status >= 502 && res.status <= 504) {
      throw new ApiError('network', 'The Skein server is not answering (HTTP ' + res.status + ').', res.status);
    }
    throw new ApiError('server', text || `The server failed with HTTP ${res.status}`, res.status);
  }
  return (await res.json()) as T;
}

export interface TraceQuery {
  serviceName?: string;
  remoteServiceName?: string;
  spanName?: string;
  annotationQuery?: string;
  minDuration?: number;
  maxDuration?: number;
  endTs: number;
  lookback: number;
  limit: number;
}

export const api = {
  services: (signal?: AbortSignal) => getJson<string[]>(apiUrl('services'), signal),
  spans: (serviceName: string, signal?: AbortSignal) => getJson<string[]>(apiUrl('spans', { serviceName }), signal),
  remoteServices: (serviceName: string, signal?: AbortSignal) =>
    getJson<string[]>(apiUrl('remoteServices', { serviceName }), signal),
  traces: (q: TraceQuery, signal?: AbortSignal) => getJson<Span[][]>(apiUrl('traces', { ...q }), signal),
  trace: (traceId: string, signal?: AbortSignal) =>
    getJson<Span[]>(apiUrl(`trace/${encodeURIComponent(traceId)}`, { extensions: 'true' }), signal),
  dependencies: (endTs: number, lookback: number, signal?: AbortSignal) =>
    getJson<DependencyLink[]>(apiUrl('dependencies', { endTs, lookback }), signal),
  autocompleteKeys: (signal?: AbortSignal) => getJson<string[]>(apiUrl('autocompleteKeys'), signal),
  autocompleteValues: (key: string, signal?: AbortSignal) =>
    getJson<string[]>(apiUrl('autocompleteValues', { key }), signal),
};
