import { Buffer } from 'node:buffer';
import { DecodeError } from '../model/decode-error.js';
import type { Span } from '../model/span.js';
import { decodeJsonV1List } from './json-v1/json-v1-codec.js';
import { decodeJsonV2List } from './json-v2/json-v2-codec.js';
import { decodeProto3List } from './proto3/proto3-codec.js';
import { decodeThriftList } from './thrift/thrift-codec.js';

export type SpanEncoding = 'JSON_V1' | 'JSON_V2' | 'THRIFT' | 'PROTO3';

/** Object keys only a v2 span has (v1 spans have no map fields, so no free-form keys either). */
const V2_KEYS = ['"localEndpoint"', '"remoteEndpoint"', '"tags"', '"kind"', '"shared"'].map((k) =>
  Buffer.from(k),
);
/** Object keys only a v1 span has: binary annotations, and an endpoint on an annotation. */
const V1_KEYS = ['"binaryAnnotations"', '"endpoint"'].map((k) => Buffer.from(k));

/**
 * Detects the encoding of a span list message from transports that carry no content type (Kafka, RabbitMQ),
 * as zipkin's SpanBytesDecoderDetector does: by the first byte, then JSON flavour by content.
 * Throws DecodeError naming what was seen when it is none of the list encodings.
 */
export function detectEncoding(bytes: Uint8Array): SpanEncoding {
  if (bytes.length === 0) throw new DecodeError('Cannot detect the span encoding of an empty message');
  const first = bytes[0]!;
  // TBinaryProtocol list header: element type STRUCT (12); 11 (STRING) is what some reporters wrote
  // (openzipkin/zipkin-reporter-java#133).
  if (first === 12 || first === 11) return 'THRIFT';
  // proto3 ListOfSpans: field 1, wire type 2 (0x0a), then a non-zero length.
  if (first === 10 && bytes.length > 1 && bytes[1] !== 0) return 'PROTO3';
  let i = 0;
  if (first === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte order mark
  while (i < bytes.length && isBlank(bytes[i]!)) i++;
  if (bytes[i] === 0x5b /* [ */) return jsonFlavour(bytes);
  throw new DecodeError(
    `Expected a JSON, PROTO3 or THRIFT encoded span list, but the message starts with ${describeByte(bytes[i] ?? first)}`,
  );
}

/** Decodes a span list in the given encoding (see detectEncoding). Throws DecodeError. */
export function decodeSpans(bytes: Uint8Array, encoding: SpanEncoding): Span[] {
  switch (encoding) {
    case 'JSON_V2':
      return decodeJsonV2List(bytes);
    case 'JSON_V1':
      return decodeJsonV1List(bytes);
    case 'THRIFT':
      return decodeThriftList(bytes);
    case 'PROTO3':
      return decodeProto3List(bytes);
  }
}

/**
 * For transports without a content type (Kafka, RabbitMQ): detect, then decode. An empty message is no
 * spans, as zipkin's message collectors ignore empty messages.
 */
export function decodeDetectedSpans(bytes: Uint8Array): Span[] {
  if (bytes.length === 0) return [];
  return decodeSpans(bytes, detectEncoding(bytes));
}

/**
 * v1 vs v2 without parsing: look for keys (a quoted name followed by ':') that only one flavour has. A v2
 * key wins, since a v2 tag map may use any key, "endpoint" included; with neither, both flavours decode a
 * span the same way, and v2 is the cheaper path.
 */
function jsonFlavour(bytes: Uint8Array): 'JSON_V1' | 'JSON_V2' {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of V2_KEYS) if (hasKey(buf, key)) return 'JSON_V2';
  for (const key of V1_KEYS) if (hasKey(buf, key)) return 'JSON_V1';
  return 'JSON_V2';
}

function hasKey(buf: Buffer, key: Buffer): boolean {
  for (let at = buf.indexOf(key); at !== -1; at = buf.indexOf(key, at + 1)) {
    let j = at + key.length;
    while (j < buf.length && isBlank(buf[j]!)) j++;
    if (buf[j] === 0x3a /* : */) return true;
  }
  return false;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function describeByte(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}' (${hex})` : `byte ${hex}`;
}
