import { DecodeError } from '../../model/decode-error.js';
import type { Span } from '../../model/span.js';
import { v1ToV2 } from '../v1/v1-to-v2.js';
import { v2ToV1 } from '../v1/v2-to-v1.js';
import { ThriftEndOfInputError } from './bounded-read-transport.js';
import { ThriftV1Reader } from './thrift-v1-reader.js';
import { ThriftV1Writer } from './thrift-v1-writer.js';

/**
 * Zipkin v1 Thrift (zipkinCore.thrift, TBinaryProtocol): the body of POST /api/v1/spans with
 * Content-Type application/x-thrift, and of the Kafka/Scribe transports. Decoding goes through the v1
 * model and zipkin's v1 -> v2 conversion, so one thrift span may become several v2 spans.
 */

/** A TBinaryProtocol list<Span>. Empty input and an empty list both decode to no spans. */
export function decodeThriftList(bytes: Uint8Array): Span[] {
  if (bytes.length === 0) return [];
  return decoding('List<Span>', () => {
    const reader = new ThriftV1Reader(bytes);
    const count = reader.readSpanListHeader();
    const out: Span[] = [];
    for (let i = 0; i < count; i++) {
      try {
        out.push(...v1ToV2(reader.readSpan()));
      } catch (e) {
        throw new SpanIndexError(i, e);
      }
    }
    return out;
  });
}

/** One bare Span struct, as a Scribe message carries it (base64-decoded by the transport). */
export function decodeThriftSpan(bytes: Uint8Array): Span[] {
  if (bytes.length === 0) return [];
  return decoding('Span', () => v1ToV2(new ThriftV1Reader(bytes).readSpan()));
}

/** A TBinaryProtocol list<Span>, one v1 span per v2 span (zipkin V1ThriftSpanWriter). */
export function encodeThriftList(spans: readonly Span[]): Uint8Array {
  const writer = new ThriftV1Writer();
  writer.writeSpanListHeader(spans.length);
  for (const span of spans) writer.writeSpan(v2ToV1(span));
  return writer.finish();
}

/** One bare Span struct (what decodeThriftSpan reads). */
export function encodeThriftSpan(span: Span): Uint8Array {
  const writer = new ThriftV1Writer();
  writer.writeSpan(v2ToV1(span));
  return writer.finish();
}

/** Names the list element that failed, so a sender can find it in a large batch. */
class SpanIndexError extends Error {
  constructor(index: number, reason: unknown) {
    super(`span[${index}]: ${describe(reason)}`, { cause: reason });
  }
}

function describe(e: unknown): string {
  const message = e instanceof Error && e.message ? e.message : 'Error';
  return e instanceof ThriftEndOfInputError ? `truncated input: ${message}` : message;
}

/**
 * Every failure while decoding comes from the input (truncation, bad sizes, bad types, span rules), so
 * each becomes one DecodeError the sender can act on, never a RangeError escaping to a 500.
 */
function decoding<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new DecodeError(`Malformed reading ${what} from TBinaryProtocol: ${describe(e)}`, { cause: e });
  }
}
