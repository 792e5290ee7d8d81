import type { Endpoint } from '../../model/span.js';

/** A JSON string literal. */
export const quote: (s: string) => string = JSON.stringify;

/**
 * zipkin's JSON writer escapes U+2028 and U+2029 (legal in JSON, but line terminators in older
 * JavaScript, so a response embedded in a script would break). JSON.stringify leaves them raw; they can
 * only occur inside string literals, so escaping them in the finished document is safe.
 */
export function escapeLineSeparators(json: string): string {
  if (!json.includes('\u2028') && !json.includes('\u2029')) return json;
  return json.replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

/**
 * zipkin Endpoint JSON: serviceName, ipv4, ipv6, port, each only when set. v1 JSON always writes
 * serviceName (as "" when absent), as zipkin's v1 writer does.
 */
export function writeEndpoint(e: Endpoint, alwaysWriteServiceName = false): string {
  let s = '{';
  let sep = '';
  if (e.serviceName !== undefined || alwaysWriteServiceName) {
    s += '"serviceName":' + quote(e.serviceName ?? '');
    sep = ',';
  }
  if (e.ipv4 !== undefined) {
    s += sep + '"ipv4":' + quote(e.ipv4);
    sep = ',';
  }
  if (e.ipv6 !== undefined) {
    s += sep + '"ipv6":' + quote(e.ipv6);
    sep = ',';
  }
  if (e.port !== undefined) s += sep + '"port":' + e.port;
  return s + '}';
}

/** A string map with keys in sorted order: zipkin keeps tags in a TreeMap, so that is its wire order. */
export function writeStringMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map);
  if (keys.length > 1) keys.sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i > 0) s += ',';
    s += quote(k) + ':' + quote(map[k]!);
  }
  return s + '}';
}
