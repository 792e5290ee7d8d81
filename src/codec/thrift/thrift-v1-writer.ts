import thrift from 'thrift';
import type { Int64 } from 'thrift';
import type { Endpoint } from '../../model/span.js';
import type { V1BinaryAnnotation, V1Span } from '../v1/v1-span.js';
import { ipv4ToInt, ipv6ToBytes } from './ip-bytes.js';
import { AnnotationType, TType } from './thrift-types.js';

type Protocol = InstanceType<typeof thrift.TBinaryProtocol>;

/**
 * Writes zipkinCore.thrift structs with the thrift library's TBinaryProtocol, in the field order and
 * with the always-present fields zipkin's V1ThriftSpanWriter uses (name "" and both lists even when
 * empty, as finagle does), so the bytes are what a zipkin server would produce.
 */
export class ThriftV1Writer {
  private out: Buffer = Buffer.alloc(0);
  private readonly transport = new thrift.TBufferedTransport(undefined, (msg) => {
    if (msg) this.out = msg;
  });
  private readonly protocol: Protocol = new thrift.TBinaryProtocol(this.transport);

  writeSpanListHeader(count: number): void {
    this.protocol.writeListBegin(TType.STRUCT, count);
  }

  writeSpan(span: V1Span): void {
    const p = this.protocol;
    const [high, low] = splitTraceId(span);
    p.writeStructBegin('Span');
    p.writeFieldBegin('trace_id', TType.I64, 1);
    p.writeI64(idToInt64(low));
    p.writeFieldBegin('name', TType.STRING, 3);
    p.writeString(span.name ?? '');
    p.writeFieldBegin('id', TType.I64, 4);
    p.writeI64(idToInt64(span.id));
    if (span.parentId !== undefined && !/^0*$/.test(span.parentId)) {
      p.writeFieldBegin('parent_id', TType.I64, 5);
      p.writeI64(idToInt64(span.parentId));
    }
    p.writeFieldBegin('annotations', TType.LIST, 6);
    p.writeListBegin(TType.STRUCT, span.annotations.length);
    for (const a of span.annotations) {
      p.writeStructBegin('Annotation');
      p.writeFieldBegin('timestamp', TType.I64, 1);
      p.writeI64(longToInt64(a.timestamp));
      p.writeFieldBegin('value', TType.STRING, 2);
      p.writeString(a.value);
      if (a.endpoint) this.writeEndpointField(3, a.endpoint);
      p.writeFieldStop();
      p.writeStructEnd();
    }
    const binary = span.binaryAnnotations.filter((b) => b.type !== 'OTHER');
    p.writeFieldBegin('binary_annotations', TType.LIST, 8);
    p.writeListBegin(TType.STRUCT, binary.length);
    for (const b of binary) this.writeBinaryAnnotation(b);
    if (span.debug !== undefined) {
      p.writeFieldBegin('debug', TType.BOOL, 9);
      p.writeBool(span.debug);
    }
    if (span.timestamp) {
      p.writeFieldBegin('timestamp', TType.I64, 10);
      p.writeI64(longToInt64(span.timestamp));
    }
    if (span.duration) {
      p.writeFieldBegin('duration', TType.I64, 11);
      p.writeI64(longToInt64(span.duration));
    }
    if (high !== undefined) {
      p.writeFieldBegin('trace_id_high', TType.I64, 12);
      p.writeI64(idToInt64(high));
    }
    p.writeFieldStop();
    p.writeStructEnd();
  }

  /** The bytes written so far; the writer is empty afterwards. */
  finish(): Uint8Array {
    this.out = Buffer.alloc(0);
    this.transport.flush();
    return this.out;
  }

  /**
   * Only STRING tags and BOOL addresses exist after v2 -> v1, and the converter drops every other type
   * on the way back, so OTHER values are not written (their original thrift type is unknown).
   */
  private writeBinaryAnnotation(b: V1BinaryAnnotation): void {
    const p = this.protocol;
    p.writeStructBegin('BinaryAnnotation');
    p.writeFieldBegin('key', TType.STRING, 1);
    p.writeString(b.key);
    p.writeFieldBegin('value', TType.STRING, 2);
    if (b.type === 'BOOL') p.writeBinary(Buffer.from([b.value === true ? 1 : 0]));
    else p.writeBinary(Buffer.from(String(b.value), 'utf8'));
    p.writeFieldBegin('annotation_type', TType.I32, 3);
    p.writeI32(b.type === 'BOOL' ? AnnotationType.BOOL : AnnotationType.STRING);
    if (b.endpoint) this.writeEndpointField(4, b.endpoint);
    p.writeFieldStop();
    p.writeStructEnd();
  }

  /** zipkin ThriftEndpointCodec: ipv4 (0 = unknown), port, service_name ("" = unknown), then ipv6. */
  private writeEndpointField(fid: number, e: Endpoint): void {
    const p = this.protocol;
    p.writeFieldBegin('host', TType.STRUCT, fid);
    p.writeStructBegin('Endpoint');
    p.writeFieldBegin('ipv4', TType.I32, 1);
    p.writeI32(e.ipv4 ? ipv4ToInt(e.ipv4) : 0);
    p.writeFieldBegin('port', TType.I16, 2);
    // thrift i16 is signed; zipkin reads it back as unsigned.
    const port = e.port ?? 0;
    p.writeI16(port > 0x7fff ? port - 0x10000 : port);
    p.writeFieldBegin('service_name', TType.STRING, 3);
    p.writeString(e.serviceName ?? '');
    const v6 = e.ipv6 ? ipv6ToBytes(e.ipv6) : undefined;
    if (v6) {
      p.writeFieldBegin('ipv6', TType.STRING, 4);
      p.writeBinary(Buffer.from(v6));
    }
    p.writeFieldStop();
    p.writeStructEnd();
  }
}

/** A 128-bit id may arrive whole in traceId or already split into traceIdHigh. */
function splitTraceId(span: V1Span): [string | undefined, string] {
  const id = span.traceId;
  const high = span.traceIdHigh ?? (id.length > 16 ? id.slice(0, id.length - 16) : undefined);
  const low = id.length > 16 ? id.slice(-16) : id;
  return [high !== undefined && !/^0*$/.test(high) ? high : undefined, low];
}

function idToInt64(hex: string): Int64 {
  return new thrift.Int64(Buffer.from(hex.padStart(16, '0'), 'hex'));
}

function longToInt64(n: number): Int64 {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(Math.trunc(n)));
  return new thrift.Int64(b);
}
