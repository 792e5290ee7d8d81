import { isIPv6 } from 'node:net';
import { isDottedQuad } from '../../model/endpoint.js';

/**
 * IP addresses as the binary zipkin formats carry them (thrift Endpoint.ipv6, proto3 Endpoint.ipv4/ipv6):
 * 4 or 16 raw bytes, network order. Shared by the thrift and proto3 codecs.
 */

/** zipkin Endpoint.parseIp(byte[]): 4 bytes is IPv4, 16 is IPv6, any other length is dropped. */
export function ipFromBytes(b: Uint8Array): string | undefined {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

export function ipv4ToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return (p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]! | 0;
}

export function ipv4ToBytes(ip: string): Uint8Array | undefined {
  if (!isDottedQuad(ip)) return undefined;
  return Uint8Array.from(ip.split('.').map(Number));
}

/** A normalized (model) IPv6 string to its 16 bytes; undefined when it does not parse. */
export function ipv6ToBytes(ip: string): Uint8Array | undefined {
  if (!isIPv6(ip)) return undefined;
  let s = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1]) {
    const p = dotted[1].split('.').map(Number);
    s = `${s.slice(0, -dotted[1].length)}${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const zeros = halves.length > 1 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<string>(zeros).fill('0'), ...tail].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g))) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 255;
  });
  return out;
}
