import { gzipSync } from 'node:zlib';
import { encodeJsonV2List } from '../src/codec/json-v2/json-v2-codec.js';
import { encodeProto3List } from '../src/codec/proto3/proto3-codec.js';
import { generateTraces } from '../src/demo/trace-generator.js';
import type { Span } from '../src/model/span.js';
import { encodeOtlpProto } from './otlp-proto-encoder.js';

export type BodyFormat = 'json' | 'proto3' | 'otlp';

export const FORMAT_REQUEST: Record<BodyFormat, { path: string; contentType: string }> = {
  json: { path: '/api/v2/spans', contentType: 'application/json' },
  proto3: { path: '/api/v2/spans', contentType: 'application/x-protobuf' },
  otlp: { path: '/v1/traces', contentType: 'application/x-protobuf' },
};

/**
 * One encoded batch and where its trace ids sit in the bytes. Every send rewrites the first 4 bytes
 * (8 hex characters) of each trace id with a per-round value, so every round is new traces with unique
 * ids while the bytes, sizes and shapes stay those of the generator's realistic spans.
 */
export interface BodyTemplate {
  bytes: Buffer;
  spans: number;
  /** Offsets of the first byte of each trace id occurrence. */
  idOffsets: number[];
  /** 'hex': ids are 8 ASCII hex characters to patch (JSON); 'raw': 4 binary bytes (protobuf). */
  idEncoding: 'hex' | 'raw';
}

/** Batches of `batchSpans` spans from the seeded e-commerce generator, encoded in `format`. */
export function buildTemplates(
  format: BodyFormat,
  count: number,
  batchSpans: number,
  seed: number,
): BodyTemplate[] {
  const spans: Span[] = [];
  // Timestamps near now, so stored data lands inside the query API's default lookback.
  const endTsMicros = Date.now() * 1000;
  for (let round = 0; spans.length < count * batchSpans; round++) {
    for (const trace of generateTraces({ traces: 50, seed: seed + round, endTsMicros })) spans.push(...trace);
  }
  const out: BodyTemplate[] = [];
  for (let i = 0; i < count; i++) {
    const batch = spans.slice(i * batchSpans, (i + 1) * batchSpans);
    out.push(template(format, batch));
  }
  return out;
}

function template(format: BodyFormat, batch: Span[]): BodyTemplate {
  const traceIds = [...new Set(batch.map((s) => s.traceId))];
  if (format === 'json') {
    const bytes = Buffer.from(encodeJsonV2List(batch));
    const needles = traceIds.map((id) => Buffer.from(`"traceId":"${id}"`));
    return { bytes, spans: batch.length, idOffsets: find(bytes, needles, 11), idEncoding: 'hex' };
  }
  const bytes = Buffer.from(format === 'proto3' ? encodeProto3List(batch) : encodeOtlpProto(batch));
  const width = format === 'otlp' ? 32 : 0;
  const needles = traceIds.map((id) => Buffer.from(width ? id.padStart(width, '0') : id, 'hex'));
  return { bytes, spans: batch.length, idOffsets: find(bytes, needles, 0), idEncoding: 'raw' };
}

function find(haystack: Buffer, needles: Buffer[], skip: number): number[] {
  const at: number[] = [];
  for (const n of needles) {
    for (let i = haystack.indexOf(n); i !== -1; i = haystack.indexOf(n, i + n.length)) at.push(i + skip);
  }
  if (at.length === 0) throw new Error('no trace ids found in an encoded batch');
  return at;
}

/** A fresh copy of the template whose trace ids are unique to `round` (a bijection of it). */
export function patchedBody(t: BodyTemplate, round: number): Buffer {
  const out = Buffer.allocUnsafe(t.bytes.length);
  t.bytes.copy(out);
  // Multiplying by an odd constant is a bijection mod 2^32: distinct rounds, distinct prefixes.
  const prefix = Math.imul(round + 1, 0x9e3779b1) >>> 0;
  if (t.idEncoding === 'hex') {
    const hex = prefix.toString(16).padStart(8, '0');
    for (const at of t.idOffsets) out.write(hex, at, 'latin1');
  } else {
    for (const at of t.idOffsets) out.writeUInt32BE(prefix, at);
  }
  return out;
}

/**
 * The bodies of a run in send order: template i % T in round floor(i / T). Gzip bodies are compressed
 * up front (the load generator must not spend the run compressing), others are patched as they are sent.
 */
export class BodySequence {
  private readonly gzipped: Buffer[] | undefined;

  constructor(
    private readonly templates: BodyTemplate[],
    gzip: boolean,
    totalBodies: number,
  ) {
    if (gzip) {
      this.gzipped = [];
      for (let i = 0; i < totalBodies; i++) this.gzipped.push(gzipSync(this.raw(i)));
    }
  }

  body(i: number): Buffer {
    return this.gzipped ? this.gzipped[i]! : this.raw(i);
  }

  spans(i: number): number {
    return this.templates[i % this.templates.length]!.spans;
  }

  raw(i: number): Buffer {
    const t = this.templates.length;
    return patchedBody(this.templates[i % t]!, Math.floor(i / t));
  }
}
