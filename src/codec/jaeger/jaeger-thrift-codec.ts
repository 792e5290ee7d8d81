import thrift from 'thrift';
import { DecodeError } from '../../model/decode-error.js';
import { checkDeclaredCount } from '../decode-bounds.js';
import type { Span } from '../../model/span.js';
import { jaegerBatchToSpans } from './jaeger-span-mapper.js';
import type {
  JaegerBatch,
  JaegerLog,
  JaegerProcess,
  JaegerRef,
  JaegerSpan,
  JaegerTag,
} from './jaeger-types.js';
import { JAEGER_REF_TYPES } from './jaeger-types.js';

const { TBinaryProtocol, TCompactProtocol, TFramedTransport, Thrift } = thrift;
const T = Thrift.Type;

export type ThriftProtocolName = 'binary' | 'compact';
type Protocol = thrift.TProtocol;
type I64 = thrift.Int64;

/** jaeger.thrift TagType */
const TAG_STRING = 0;
const TAG_DOUBLE = 1;
const TAG_BOOL = 2;
const TAG_LONG = 3;
const TAG_BINARY = 4;

/**
 * A bare jaeger.thrift Batch (the body of POST /api/traces on the Jaeger collector, thrift binary) to spans.
 * Throws DecodeError naming what could not be read.
 */
export function decodeJaegerThriftBatch(bytes: Uint8Array, protocol: ThriftProtocolName = 'binary'): Span[] {
  return jaegerBatchToSpans(guard(protocol, () => readBatch(open(bytes, protocol))));
}

/**
 * A Jaeger agent UDP packet: a oneway `Agent.emitBatch(1: Batch batch)` message envelope, thrift compact
 * (port 6831) or binary (port 6832). Throws DecodeError for anything else, including emitZipkinBatch.
 */
export function decodeJaegerAgentPacket(bytes: Uint8Array, protocol: ThriftProtocolName): Span[] {
  const batch = guard(protocol, () => {
    const p = open(bytes, protocol);
    const msg = p.readMessageBegin();
    if (msg.fname !== 'emitBatch') {
      throw new DecodeError(
        `expected an Agent.emitBatch message but was ${JSON.stringify(String(msg.fname).slice(0, 40))}`,
      );
    }
    let found: JaegerBatch | undefined;
    readStruct(p, (id, type) => {
      if (id !== 1 || type !== T.STRUCT) return false;
      found = readBatch(p);
      return true;
    });
    if (!found) throw new DecodeError('emitBatch carried no batch (field 1)');
    return found;
  });
  return jaegerBatchToSpans(batch);
}

function open(bytes: Uint8Array, protocol: ThriftProtocolName): Protocol {
  const trans = new TFramedTransport(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return protocol === 'compact' ? new TCompactProtocol(trans) : new TBinaryProtocol(trans);
}

/** The thrift library throws its own errors (buffer underrun, bad sizes): report them as DecodeError. */
function guard<R>(protocol: ThriftProtocolName, read: () => R): R {
  try {
    return read();
  } catch (e) {
    if (e instanceof DecodeError)
      throw new DecodeError(`Malformed reading jaeger.Batch from thrift ${protocol}: ${e.message}`);
    const why = e instanceof Error && e.message ? e.message : e instanceof Error ? e.name : String(e);
    throw new DecodeError(
      `Malformed reading jaeger.Batch from thrift ${protocol}: ${why === 'InputBufferUnderrunError' ? 'truncated input' : why}`,
    );
  }
}

/** Reads the fields of one struct; `field` returns false for fields it does not read, which are skipped. */
function readStruct(p: Protocol, field: (id: number, type: number) => boolean): void {
  p.readStructBegin();
  for (;;) {
    const f = p.readFieldBegin();
    if (f.ftype === T.STOP) break;
    if (!field(f.fid, f.ftype)) p.skip(f.ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
}

/**
 * Most spans one batch may carry. Jaeger's reporters send a few hundred per batch (a UDP packet holds
 * under 64 KiB); the bound keeps what a message can claim in memory a small multiple of its bytes, where
 * a flood of minimal spans (about 10 bytes each in thrift compact) would otherwise claim ~50x.
 */
export const MAX_SPANS_PER_BATCH = 100_000;

/** Bytes not yet read from the message (the transport is always the in-memory TFramedTransport of `open`). */
function remaining(p: Protocol): number {
  const t = (p as unknown as { trans: { inBuf: Buffer; readPos: number } }).trans;
  return t.inBuf.length - t.readPos;
}

function readList<E>(p: Protocol, type: number, elemType: number, item: () => E): E[] | undefined {
  if (type !== T.LIST) return undefined;
  const { etype, size } = p.readListBegin();
  // Every element takes at least one byte: a count beyond the bytes left is a lie, refused before looping
  // (a 32 KiB gzip body once declared 33 million empty spans and took the server to 4.6 GB).
  checkDeclaredCount(size, remaining(p), 'a list');
  const out: E[] = [];
  for (let i = 0; i < size; i++) {
    if (etype === elemType) out.push(item());
    else p.skip(etype);
  }
  p.readListEnd();
  return out;
}

function readBatch(p: Protocol): JaegerBatch {
  let process: JaegerProcess | undefined;
  let spans: JaegerSpan[] | undefined;
  readStruct(p, (id, type) => {
    if (id === 1 && type === T.STRUCT) process = readProcess(p);
    else if (id === 2 && type === T.LIST) {
      let n = 0;
      spans = readList(p, type, T.STRUCT, () => {
        if (++n > MAX_SPANS_PER_BATCH) {
          throw new DecodeError(
            `Batch.spans has more than ${MAX_SPANS_PER_BATCH} spans; send smaller batches`,
          );
        }
        return readSpan(p);
      });
    } else return false;
    return true;
  });
  if (!spans) throw new DecodeError('Batch.spans (field 2) is required');
  return process ? { process, spans } : { spans };
}

function readProcess(p: Protocol): JaegerProcess {
  const out: JaegerProcess = { serviceName: '', tags: [] };
  readStruct(p, (id, type) => {
    if (id === 1 && type === T.STRING) out.serviceName = p.readString();
    else if (id === 2 && type === T.LIST) out.tags = readList(p, type, T.STRUCT, () => readTag(p)) ?? [];
    else return false;
    return true;
  });
  return out;
}

function readSpan(p: Protocol): JaegerSpan {
  let low = '0000000000000000';
  let high = '0000000000000000';
  const out: JaegerSpan = {
    traceId: '',
    spanId: '',
    operationName: '',
    references: [],
    flags: 0,
    startTime: 0,
    duration: 0,
    tags: [],
    logs: [],
  };
  const seen = new Set<number>();
  readStruct(p, (id, type) => {
    const read = readSpanField(p, out, id, type);
    if (read) seen.add(id);
    return read;
  });
  // jaeger.thrift marks these required; a span without them is refused at once, so a body of empty
  // structs cannot turn each of its bytes into a span object.
  if (!seen.has(1)) throw new DecodeError('Span.traceIdLow (field 1) is required');
  if (!seen.has(3)) throw new DecodeError('Span.spanId (field 3) is required');
  if (!seen.has(8)) throw new DecodeError('Span.startTime (field 8) is required');
  out.traceId = high + low;
  return out;

  function readSpanField(p: Protocol, out: JaegerSpan, id: number, type: number): boolean {
    switch (id) {
      case 1:
        if (type !== T.I64) return false;
        low = hex(p.readI64());
        return true;
      case 2:
        if (type !== T.I64) return false;
        high = hex(p.readI64());
        return true;
      case 3:
        if (type !== T.I64) return false;
        out.spanId = hex(p.readI64());
        return true;
      case 4:
        if (type !== T.I64) return false;
        out.parentSpanId = hex(p.readI64());
        return true;
      case 5:
        if (type !== T.STRING) return false;
        out.operationName = p.readString();
        return true;
      case 6:
        if (type !== T.LIST) return false;
        out.references = readList(p, type, T.STRUCT, () => readRef(p)) ?? [];
        return true;
      case 7:
        if (type !== T.I32) return false;
        out.flags = p.readI32();
        return true;
      case 8:
        if (type !== T.I64) return false;
        out.startTime = num(p.readI64());
        return true;
      case 9:
        if (type !== T.I64) return false;
        out.duration = num(p.readI64());
        return true;
      case 10:
        if (type !== T.LIST) return false;
        out.tags = readList(p, type, T.STRUCT, () => readTag(p)) ?? [];
        return true;
      case 11:
        if (type !== T.LIST) return false;
        out.logs = readList(p, type, T.STRUCT, () => readLog(p)) ?? [];
        return true;
      default:
        return false;
    }
  }
}

function readRef(p: Protocol): JaegerRef {
  let refType = 0;
  let low = '0000000000000000';
  let high = '0000000000000000';
  let spanId = '';
  readStruct(p, (id, type) => {
    if (id === 1 && type === T.I32) refType = p.readI32();
    else if (id === 2 && type === T.I64) low = hex(p.readI64());
    else if (id === 3 && type === T.I64) high = hex(p.readI64());
    else if (id === 4 && type === T.I64) spanId = hex(p.readI64());
    else return false;
    return true;
  });
  const t = JAEGER_REF_TYPES[refType];
  if (!t)
    throw new DecodeError(`SpanRef.refType should be 0 (CHILD_OF) or 1 (FOLLOWS_FROM) but was ${refType}`);
  return { type: t, traceId: high + low, spanId };
}

function readLog(p: Protocol): JaegerLog {
  const out: JaegerLog = { timestamp: 0, fields: [] };
  readStruct(p, (id, type) => {
    if (id === 1 && type === T.I64) out.timestamp = num(p.readI64());
    else if (id === 2 && type === T.LIST) out.fields = readList(p, type, T.STRUCT, () => readTag(p)) ?? [];
    else return false;
    return true;
  });
  return out;
}

function readTag(p: Protocol): JaegerTag {
  let key = '';
  let vType = TAG_STRING;
  const v: Partial<Record<number, string>> = {};
  readStruct(p, (id, type) => {
    if (id === 1 && type === T.STRING) key = p.readString();
    else if (id === 2 && type === T.I32) vType = p.readI32();
    else if (id === 3 && type === T.STRING) v[TAG_STRING] = p.readString();
    else if (id === 4 && type === T.DOUBLE) v[TAG_DOUBLE] = String(p.readDouble());
    else if (id === 5 && type === T.BOOL) v[TAG_BOOL] = p.readBool() ? 'true' : 'false';
    else if (id === 6 && type === T.I64) v[TAG_LONG] = String(big(p.readI64()));
    else if (id === 7 && type === T.STRING) v[TAG_BINARY] = p.readBinary().toString('base64');
    else return false;
    return true;
  });
  return { key, value: v[vType] ?? '' };
}

function hex(v: I64): string {
  return v.buffer.toString('hex', v.offset, v.offset + 8);
}

function big(v: I64): bigint {
  return v.buffer.readBigInt64BE(v.offset);
}

/** Epoch microseconds fit a double exactly until the year 2255. */
function num(v: I64): number {
  return Number(big(v));
}
