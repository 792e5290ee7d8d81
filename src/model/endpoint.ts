import { isIPv6 } from 'node:net';
import type { Endpoint } from './span.js';

export interface EndpointInput {
  serviceName?: unknown;
  ipv4?: unknown;
  ipv6?: unknown;
  port?: unknown;
}

/**
 * zipkin Endpoint rules: serviceName lowercased (empty = absent); either ip field may hold either family
 * and is routed by what it parses as; IPv6 is normalized and an IPv4-mapped/compatible address moves to
 * ipv4; unparseable addresses are dropped; port <= 0 is absent. Returns undefined for an empty endpoint.
 * Throws only for a port over 65535, which zipkin rejects.
 */
export function normalizeEndpoint(input: EndpointInput | null | undefined): Endpoint | undefined {
  if (input == null) return undefined;
  const out: Endpoint = {};
  if (typeof input.serviceName === 'string' && input.serviceName !== '') {
    out.serviceName = input.serviceName.toLowerCase();
  }
  for (const raw of [input.ipv4, input.ipv6]) {
    if (typeof raw !== 'string' || raw === '') continue;
    const ip = parseIp(raw);
    if (ip?.v4 && !out.ipv4) out.ipv4 = ip.v4;
    else if (ip?.v6 && !out.ipv6) out.ipv6 = ip.v6;
  }
  if (input.port != null) {
    const port = Number(input.port);
    if (!Number.isFinite(port)) throw new EndpointPortError(`invalid port: ${String(input.port)}`);
    if (port > 65535) throw new EndpointPortError(`invalid port ${port}: must be at most 65535`);
    if (port > 0) out.port = Math.trunc(port);
  }
  return out.serviceName === undefined && !out.ipv4 && !out.ipv6 && out.port === undefined ? undefined : out;
}

export class EndpointPortError extends Error {}

/**
 * zipkin (Endpoint.parseIp, after Netty's NetUtil): four dot-separated decimal octets of 1 to 3 digits,
 * each at most 255. Leading zeros are allowed and the text is kept as written ("52.0.0.04" stays so; Zipkin's
 * own smartthings test trace has such spans), where node:net's isIPv4 rejects them.
 */
export function isDottedQuad(raw: string): boolean {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw);
  return parts !== null && parts.slice(1).every((p) => Number(p) <= 255);
}

export function parseIp(raw: string): { v4?: string; v6?: string } | undefined {
  if (isDottedQuad(raw)) return { v4: raw };
  const v6 = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (!isIPv6(v6)) return undefined;
  const lower = v6.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses are really IPv4.
  const dotted = /^(?:0{0,4}:){0,5}(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, '0:'));
  if (dotted && dotted[1] && isDottedQuad(dotted[1])) return { v4: dotted[1] };
  const groups = expandV6(lower);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return { v4: `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}` };
  }
  return { v6: compressV6(groups) };
}

function expandV6(ip: string): number[] {
  let s = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1]) {
    const p = dotted[1].split('.').map(Number) as [number, number, number, number];
    s =
      s.slice(0, -dotted[1].length) +
      `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  if (tail === undefined) return h;
  const t = tail ? tail.split(':').map((x) => parseInt(x, 16)) : [];
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** RFC 5952: lowercase, no leading zeros, the longest run (>= 2) of zero groups as "::". */
function compressV6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
