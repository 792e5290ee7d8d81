import thrift from 'thrift';

/** Test-only: writes jaeger.thrift structures by hand so decoder tests control every byte. */
const { TBinaryProtocol, TCompactProtocol, TBufferedTransport, Thrift, Int64 } = thrift;
const T = Thrift.Type;
type Protocol = thrift.TProtocol;

export interface TagFixture {
  key: string;
  str?: string;
  double?: number;
  bool?: boolean;
  long?: bigint;
  binary?: Buffer;
}
export interface SpanFixture {
  traceIdHigh?: string;
  traceIdLow: string;
  spanId: string;
  parentSpanId?: string;
  operationName: string;
  references?: Array<{ refType: number; traceIdHigh?: string; traceIdLow: string; spanId: string }>;
  flags?: number;
  startTime: number;
  duration: number;
  tags?: TagFixture[];
  logs?: Array<{ timestamp: number; fields: TagFixture[] }>;
}
export interface BatchFixture {
  process: { serviceName: string; tags?: TagFixture[] };
  spans: SpanFixture[];
}

export function writeBatch(batch: BatchFixture, protocol: 'binary' | 'compact' = 'binary'): Buffer {
  return write(protocol, (p) => batchStruct(p, batch));
}

/** An Agent.emitBatch oneway message, as a jaeger client puts in one UDP packet. */
export function writeEmitBatch(
  batch: BatchFixture,
  protocol: 'binary' | 'compact',
  method = 'emitBatch',
): Buffer {
  return write(protocol, (p) => {
    p.writeMessageBegin(method, Thrift.MessageType.ONEWAY, 1);
    p.writeStructBegin('emitBatch_args');
    p.writeFieldBegin('batch', T.STRUCT, 1);
    batchStruct(p, batch);
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
  });
}

function write(protocol: 'binary' | 'compact', body: (p: Protocol) => void): Buffer {
  let out = Buffer.alloc(0);
  const trans = new TBufferedTransport(undefined, (buf?: Buffer) => {
    if (buf) out = Buffer.concat([out, buf]);
  });
  const p = protocol === 'compact' ? new TCompactProtocol(trans) : new TBinaryProtocol(trans);
  body(p);
  p.flush();
  return out;
}

const i64 = (hex: string) => new Int64(Buffer.from(hex.padStart(16, '0'), 'hex'));
const n64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return new Int64(b);
};

function field(p: Protocol, type: number, id: number, write: () => void) {
  p.writeFieldBegin('', type, id);
  write();
  p.writeFieldEnd();
}

function list<E>(p: Protocol, id: number, items: E[], item: (e: E) => void) {
  field(p, T.LIST, id, () => {
    p.writeListBegin(T.STRUCT, items.length);
    items.forEach(item);
    p.writeListEnd();
  });
}

function struct(p: Protocol, fields: () => void) {
  p.writeStructBegin('');
  fields();
  p.writeFieldStop();
  p.writeStructEnd();
}

function batchStruct(p: Protocol, b: BatchFixture) {
  struct(p, () => {
    field(p, T.STRUCT, 1, () =>
      struct(p, () => {
        field(p, T.STRING, 1, () => p.writeString(b.process.serviceName));
        if (b.process.tags) list(p, 2, b.process.tags, (t) => tagStruct(p, t));
      }),
    );
    list(p, 2, b.spans, (s) => spanStruct(p, s));
  });
}

function spanStruct(p: Protocol, s: SpanFixture) {
  struct(p, () => {
    field(p, T.I64, 1, () => p.writeI64(i64(s.traceIdLow)));
    field(p, T.I64, 2, () => p.writeI64(i64(s.traceIdHigh ?? '0')));
    field(p, T.I64, 3, () => p.writeI64(i64(s.spanId)));
    field(p, T.I64, 4, () => p.writeI64(i64(s.parentSpanId ?? '0')));
    field(p, T.STRING, 5, () => p.writeString(s.operationName));
    if (s.references)
      list(p, 6, s.references, (r) =>
        struct(p, () => {
          field(p, T.I32, 1, () => p.writeI32(r.refType));
          field(p, T.I64, 2, () => p.writeI64(i64(r.traceIdLow)));
          field(p, T.I64, 3, () => p.writeI64(i64(r.traceIdHigh ?? '0')));
          field(p, T.I64, 4, () => p.writeI64(i64(r.spanId)));
        }),
      );
    field(p, T.I32, 7, () => p.writeI32(s.flags ?? 1));
    field(p, T.I64, 8, () => p.writeI64(n64(s.startTime)));
    field(p, T.I64, 9, () => p.writeI64(n64(s.duration)));
    if (s.tags) list(p, 10, s.tags, (t) => tagStruct(p, t));
    if (s.logs)
      list(p, 11, s.logs, (l) =>
        struct(p, () => {
          field(p, T.I64, 1, () => p.writeI64(n64(l.timestamp)));
          list(p, 2, l.fields, (t) => tagStruct(p, t));
        }),
      );
  });
}

function tagStruct(p: Protocol, t: TagFixture) {
  struct(p, () => {
    field(p, T.STRING, 1, () => p.writeString(t.key));
    if (t.str !== undefined) {
      field(p, T.I32, 2, () => p.writeI32(0));
      field(p, T.STRING, 3, () => p.writeString(t.str!));
    } else if (t.double !== undefined) {
      field(p, T.I32, 2, () => p.writeI32(1));
      field(p, T.DOUBLE, 4, () => p.writeDouble(t.double!));
    } else if (t.bool !== undefined) {
      field(p, T.I32, 2, () => p.writeI32(2));
      field(p, T.BOOL, 5, () => p.writeBool(t.bool!));
    } else if (t.long !== undefined) {
      field(p, T.I32, 2, () => p.writeI32(3));
      field(p, T.I64, 6, () => p.writeI64(n64(t.long!)));
    } else if (t.binary !== undefined) {
      field(p, T.I32, 2, () => p.writeI32(4));
      field(p, T.STRING, 7, () => p.writeBinary(t.binary!));
    }
  });
}
