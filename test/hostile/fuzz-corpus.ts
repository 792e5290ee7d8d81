import { encodeJsonV1List } from '../../src/codec/json-v1/json-v1-codec.js';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { encodeProto3List } from '../../src/codec/proto3/proto3-codec.js';
import { encodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import { PostSpansRequest } from '../../src/codec/jaeger/jaeger-proto-codec.js';
import type { Random } from '../../src/demo/random.js';
import { generateTraces } from '../../src/demo/trace-generator.js';
import type { Span } from '../../src/model/span.js';
import { encodeOtlpProto } from '../../bench/otlp-proto-encoder.js';
import { writeBatch, writeEmitBatch, type BatchFixture, type TagFixture } from '../jaeger/jaeger-thrift-writer.js';

/**
 * The seeded mutation corpus of the decoder fuzz tests (issue 15): valid messages in every encoding Skein
 * reads, built from the trace generator, and mutations of them. Everything is a function of the seed, so a
 * failure names (format, seed, case) and reproduces exactly.
 */

/** Every wire format with its own decoder. */
export type FuzzFormat =
  | 'zipkin-json-v1'
  | 'zipkin-json-v2'
  | 'zipkin-thrift'
  | 'zipkin-proto3'
  | 'otlp-json'
  | 'otlp-proto'
  | 'jaeger-thrift-binary'
  | 'jaeger-thrift-compact'
  | 'jaeger-agent-compact'
  | 'jaeger-agent-binary'
  | 'jaeger-proto';

export const FUZZ_FORMATS: readonly FuzzFormat[] = [
  'zipkin-json-v1',
  'zipkin-json-v2',
  'zipkin-thrift',
  'zipkin-proto3',
  'otlp-json',
  'otlp-proto',
  'jaeger-thrift-binary',
  'jaeger-thrift-compact',
  'jaeger-agent-compact',
  'jaeger-agent-binary',
  'jaeger-proto',
];

/** A few generated traces (small, so mutations hit structure rather than the middle of long strings). */
export function seedSpans(seed: number): Span[] {
  const traces = generateTraces({ seed, traces: 2, maxSpans: 6, endTsMicros: 1_760_000_000_000_000 });
  return traces.flat();
}

/** A valid message of `format` carrying `spans`. */
export function encodeSeed(format: FuzzFormat, spans: readonly Span[]): Uint8Array {
  switch (format) {
    case 'zipkin-json-v1':
      return Buffer.from(encodeJsonV1List(spans));
    case 'zipkin-json-v2':
      return Buffer.from(encodeJsonV2List(spans));
    case 'zipkin-thrift':
      return encodeThriftList(spans);
    case 'zipkin-proto3':
      return encodeProto3List(spans);
    case 'otlp-json':
      return Buffer.from(JSON.stringify(otlpJson(spans)));
    case 'otlp-proto':
      return encodeOtlpProto(spans);
    case 'jaeger-thrift-binary':
      return writeBatch(jaegerBatch(spans), 'binary');
    case 'jaeger-thrift-compact':
      return writeBatch(jaegerBatch(spans), 'compact');
    case 'jaeger-agent-compact':
      return writeEmitBatch(jaegerBatch(spans), 'compact');
    case 'jaeger-agent-binary':
      return writeEmitBatch(jaegerBatch(spans), 'binary');
    case 'jaeger-proto':
      return PostSpansRequest.encode(jaegerProto(spans)).finish();
  }
}

const isJson = (f: FuzzFormat) => f === 'zipkin-json-v1' || f === 'zipkin-json-v2' || f === 'otlp-json';

/** Values that break decoders most often: boundaries of lengths, counts, varints and JSON numbers. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x0b, 0x0c, 0x0f, 0x19, 0x29];
const INTERESTING_JSON = [
  '1e308',
  '-1',
  '9223372036854775808',
  '1.5',
  '""',
  'null',
  'true',
  '[]',
  '{}',
  '"\\u0000"',
  '"\\ud800"',
  '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]',
];

/**
 * One mutation of `seed` chosen by `rng`: bit flips, interesting bytes, insertions, deletions, truncation,
 * duplicated ranges, and for JSON the replacement of a value token by an interesting one.
 */
export function mutate(format: FuzzFormat, seed: Uint8Array, rng: Random): Uint8Array {
  const b = Buffer.from(seed);
  const at = () => rng.int(0, Math.max(0, b.length - 1));
  const steps = rng.int(1, 4);
  let out: Buffer = b;
  for (let i = 0; i < steps; i++) {
    const op = rng.int(0, isJson(format) ? 7 : 6);
    switch (op) {
      case 0: // flip one bit
        if (out.length) out[at()]! ^= 1 << rng.int(0, 7);
        break;
      case 1: // an interesting byte
        if (out.length) out[at()] = rng.pick(INTERESTING_BYTES);
        break;
      case 2: {
        // insert random bytes
        const p = at();
        const ins = Buffer.from(Array.from({ length: rng.int(1, 8) }, () => rng.int(0, 255)));
        out = Buffer.concat([out.subarray(0, p), ins, out.subarray(p)]);
        break;
      }
      case 3: {
        // delete a range
        const p = at();
        out = Buffer.concat([out.subarray(0, p), out.subarray(p + rng.int(1, 16))]);
        break;
      }
      case 4: // truncate
        out = out.subarray(0, at());
        break;
      case 5: {
        // duplicate a range in place (repeated fields, nested structs)
        const p = at();
        const r = out.subarray(p, p + rng.int(1, 64));
        out = Buffer.concat([out.subarray(0, p), r, r, out.subarray(p)]);
        break;
      }
      case 6: // four bytes of 0xff (huge lengths and counts in Thrift and protobuf)
        if (out.length > 4) out.fill(0xff, at(), Math.min(out.length, at() + 4));
        break;
      case 7: {
        // replace a JSON value token (a number, string, or literal after ':' or '[' or ',')
        const s = out.toString('latin1');
        const starts = [...s.matchAll(/[:[,]\s*/g)].map((m) => m.index! + m[0].length);
        if (!starts.length) break;
        const p = rng.pick(starts);
        const end = s.slice(p).search(/[,}\]]/);
        const tokenEnd = end < 0 ? s.length : p + end;
        out = Buffer.from(s.slice(0, p) + rng.pick(INTERESTING_JSON) + s.slice(tokenEnd), 'latin1');
        break;
      }
    }
  }
  return out;
}

// Jaeger's proto trace id is always 16 bytes (a 64-bit id has a zero high half).
const hexToBytes = (hex: string) => Buffer.from(hex.padStart(32, '0'), 'hex');

function otlpJson(spans: readonly Span[]): unknown {
  return {
    resourceSpans: spans.map((s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s.localEndpoint?.serviceName ?? 'x' } }] },
      scopeSpans: [
        {
          scope: { name: 'fuzz' },
          spans: [
            {
              traceId: s.traceId.padStart(32, '0'),
              spanId: s.id,
              parentSpanId: s.parentId,
              name: s.name ?? '',
              kind: 2,
              startTimeUnixNano: String((s.timestamp ?? 0) * 1000),
              endTimeUnixNano: String(((s.timestamp ?? 0) + (s.duration ?? 0)) * 1000),
              attributes: Object.entries(s.tags ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } })),
              events: (s.annotations ?? []).map((a) => ({ timeUnixNano: String(a.timestamp * 1000), name: a.value })),
              status: s.tags?.error !== undefined ? { code: 2, message: s.tags.error } : {},
            },
          ],
        },
      ],
    })),
  };
}

const tagsOf = (s: Span): TagFixture[] => Object.entries(s.tags ?? {}).map(([key, str]) => ({ key, str }));

function jaegerBatch(spans: readonly Span[]): BatchFixture {
  return {
    process: { serviceName: spans[0]?.localEndpoint?.serviceName ?? 'x', tags: [{ key: 'ip', str: '10.0.0.1' }] },
    spans: spans.map((s) => {
      const id = s.traceId.padStart(32, '0');
      return {
        traceIdHigh: id.slice(0, 16),
        traceIdLow: id.slice(16),
        spanId: s.id,
        parentSpanId: s.parentId,
        operationName: s.name ?? '',
        startTime: s.timestamp ?? 0,
        duration: s.duration ?? 0,
        tags: [...tagsOf(s), { key: 'retries', long: 3n }, { key: 'ok', bool: true }],
        logs: (s.annotations ?? []).map((a) => ({ timestamp: a.timestamp, fields: [{ key: 'event', str: a.value }] })),
      };
    }),
  };
}

function jaegerProto(spans: readonly Span[]) {
  return PostSpansRequest.fromObject({
    batch: {
      process: { serviceName: spans[0]?.localEndpoint?.serviceName ?? 'x', tags: [{ key: 'ip', vStr: '10.0.0.1' }] },
      spans: spans.map((s) => ({
        traceId: hexToBytes(s.traceId),
        spanId: Buffer.from(s.id, 'hex'),
        operationName: s.name ?? '',
        references: s.parentId
          ? [{ traceId: hexToBytes(s.traceId), spanId: Buffer.from(s.parentId, 'hex'), refType: 0 }]
          : [],
        startTime: { seconds: Math.floor((s.timestamp ?? 0) / 1e6), nanos: ((s.timestamp ?? 0) % 1e6) * 1000 },
        duration: { seconds: Math.floor((s.duration ?? 0) / 1e6), nanos: ((s.duration ?? 0) % 1e6) * 1000 },
        tags: Object.entries(s.tags ?? {}).map(([key, vStr]) => ({ key, vStr })),
        logs: (s.annotations ?? []).map((a) => ({
          timestamp: { seconds: Math.floor(a.timestamp / 1e6), nanos: (a.timestamp % 1e6) * 1000 },
          fields: [{ key: 'event', vStr: a.value }],
        })),
      })),
    },
  });
}
