import * as grpc from '@grpc/grpc-js';

/**
 * Small hostile messages for each wire format: bodies made of empty structure that would decode to far
 * more memory than their bytes (or that declare counts their bytes cannot hold). Built by hand so the
 * test controls every byte.
 */

function varint(v: number): Buffer {
  const out: number[] = [];
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited protobuf field. */
export function ld(field: number, body: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
}

/** `count` empty messages in repeated field `field`: two bytes each on the wire. */
export function emptyMessages(field: number, count: number): Buffer {
  const one = Buffer.from([(field << 3) | 2, 0]);
  const out = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) one.copy(out, i * 2);
  return out;
}

export const MILLION = 1_000_000;

/** zipkin.proto3 ListOfSpans{1: repeated Span} of empty spans. */
export const zipkinProto3EmptySpans = () => emptyMessages(1, MILLION);

/** OTLP ExportTraceServiceRequest{1 resourceSpans{2 scopeSpans{2 spans}}} of empty spans. */
export const otlpProtoEmptySpans = () => ld(1, ld(2, emptyMessages(2, MILLION)));

/** jaeger api_v2 PostSpansRequest{1 batch{1 spans}} of empty spans. */
export const jaegerProtoEmptySpans = () => ld(1, emptyMessages(1, MILLION));

/** A JSON list of a million empty objects: 3 bytes each. */
export const jsonEmptyObjects = () => '[' + '{},'.repeat(MILLION - 1) + '{}]';

export const otlpJsonEmptySpans = () =>
  `{"resourceSpans":[{"scopeSpans":[{"spans":[${'{},'.repeat(MILLION - 1)}{}]}]}]}`;

/** zipkinCore.thrift list<Span> header (TBinaryProtocol) declaring `count` spans, followed by `rest`. */
export function thriftListDeclaring(count: number, rest: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(12, 0); // T_STRUCT
  head.writeInt32BE(count, 1);
  return Buffer.concat([head, rest]);
}

/**
 * A jaeger Agent.emitBatch message in thrift compact whose Batch.spans list declares `count` spans in a
 * packet of a few bytes (compact: protocol id 0x82, version 1 | oneway 4 << 5, seqid, name).
 */
export function compactEmitBatchDeclaring(count: number): Buffer {
  const name = Buffer.from('emitBatch');
  return Buffer.concat([
    Buffer.from([0x82, 0x81, 0x01]), // protocol id, version 1 with type ONEWAY (4) << 5, seqid 1
    varint(name.length),
    name,
    Buffer.from([0x1c]), // field 1 (delta 1), type STRUCT (12): the Batch
    Buffer.from([0x29]), // field 2 (delta 2), type LIST (9): Batch.spans
    Buffer.from([0xfc]), // list header: size 15 (= varint follows), element type STRUCT (12)
    varint(count),
    Buffer.from([0, 0, 0]),
  ]);
}

/** One unary gRPC call with raw request bytes; resolves with the status code (0 = OK) and details. */
export async function grpcCall(
  port: number,
  path: string,
  body: Buffer,
): Promise<{ code: number; details: string }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 256 * 1024 * 1024,
  });
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        (err) => resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '' }),
      );
    });
  } finally {
    client.close();
  }
}

/** zipkin_collector_messages_dropped_total of the Jaeger UDP ports, read from the server's /prometheus. */
export async function udpMessagesDropped(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/prometheus`)).text();
  const m = /zipkin_collector_messages_dropped_total\{transport="jaeger-udp"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
