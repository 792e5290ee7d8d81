import thrift from 'thrift';
import type { Int64 } from 'thrift';
import { normalizeEndpoint } from '../../model/endpoint.js';
import type { Endpoint } from '../../model/span.js';
import type { V1Annotation, V1BinaryAnnotation, V1Span } from '../v1/v1-span.js';
import { checkDeclaredCount } from '../decode-bounds.js';
import { BoundedReadTransport } from './bounded-read-transport.js';
import { ipFromBytes } from './ip-bytes.js';
import { AnnotationType, TType } from './thrift-types.js';

/** A structural problem in the thrift bytes (not a span validation rule). */
export class ThriftFormatError extends Error {}

type Protocol = InstanceType<typeof thrift.TBinaryProtocol>;

/**
 * Reads zipkinCore.thrift structs with the thrift library's TBinaryProtocol. Like zipkin's
 * V1ThriftSpanReader, a field is recognised by id AND type; anything else is skipped, so newer or
 * older writers with extra fields still decode.
 */
export class ThriftV1Reader {
  private readonly transport: BoundedReadTransport;
  private readonly protocol: Protocol;

  constructor(bytes: Uint8Array) {
    this.transport = new BoundedReadTransport(bytes);
    this.protocol = new thrift.TBinaryProtocol(this.transport);
  }

  get position(): number {
    return this.transport.position;
  }

  get remaining(): number {
    return this.transport.remaining;
  }

  /**
   * The list header. zipkin ignores the element type byte; we accept STRUCT (12) and STRING (11), the
   * latter written by an old zipkin-reporter-java bug (openzipkin/zipkin-reporter-java#133) and accepted
   * by zipkin's detector, and reject the rest as not a list of spans.
   */
  readSpanListHeader(): number {
    const { etype, size } = this.protocol.readListBegin();
    if (etype !== TType.STRUCT && etype !== TType.STRING) {
      throw new ThriftFormatError(`expected a list of structs (type 12) but the list type was ${etype}`);
    }
    return this.checkedSize(size, 'list');
  }

  readSpan(): V1Span {
    let traceId: string | undefined;
    let traceIdHigh: string | undefined;
    let id: string | undefined;
    const span: Omit<V1Span, 'traceId' | 'id'> = { annotations: [], binaryAnnotations: [] };
    this.readStruct((type, fid) => {
      if (type === TType.I64 && fid === 1) traceId = this.readId();
      else if (type === TType.STRING && fid === 3) span.name = this.protocol.readString();
      else if (type === TType.I64 && fid === 4) id = this.readId();
      else if (type === TType.I64 && fid === 5) span.parentId = this.readId();
      else if (type === TType.LIST && fid === 6)
        this.readList(
          (a) => span.annotations.push(a),
          () => this.readAnnotation(),
        );
      else if (type === TType.LIST && fid === 8) {
        this.readList(
          (b) => span.binaryAnnotations.push(b),
          () => this.readBinaryAnnotation(),
        );
      } else if (type === TType.BOOL && fid === 9) span.debug = this.protocol.readByte() === 1;
      else if (type === TType.I64 && fid === 10) span.timestamp = this.readLong();
      else if (type === TType.I64 && fid === 11) span.duration = this.readLong();
      else if (type === TType.I64 && fid === 12) traceIdHigh = this.readId();
      else return false;
      return true;
    });
    if (traceId === undefined) throw new ThriftFormatError('span is missing trace_id (field 1)');
    if (id === undefined) throw new ThriftFormatError('span is missing id (field 4)');
    const out: V1Span = { traceId, id, ...span };
    if (traceIdHigh !== undefined && traceIdHigh !== '0000000000000000') out.traceIdHigh = traceIdHigh;
    return out;
  }

  /** zipkin: an annotation without a timestamp or value is dropped, not an error. */
  private readAnnotation(): V1Annotation | undefined {
    let timestamp = 0;
    let value: string | undefined;
    let endpoint: Endpoint | undefined;
    this.readStruct((type, fid) => {
      if (type === TType.I64 && fid === 1) timestamp = this.readLong();
      else if (type === TType.STRING && fid === 2) value = this.protocol.readString();
      else if (type === TType.STRUCT && fid === 3) endpoint = this.readEndpoint();
      else return false;
      return true;
    });
    if (timestamp === 0 || value === undefined) return undefined;
    return endpoint ? { timestamp, value, endpoint } : { timestamp, value };
  }

  /**
   * zipkin: only STRING values become tags, and a BOOL whose value is the single byte 1 with a host is
   * an address when the key is ca, sa or ma. Numbers and bytes were never queryable and are dropped.
   */
  private readBinaryAnnotation(): V1BinaryAnnotation | undefined {
    let key: string | undefined;
    let value: Buffer | undefined;
    let annotationType: number | undefined;
    let endpoint: Endpoint | undefined;
    this.readStruct((type, fid) => {
      if (type === TType.STRING && fid === 1) key = this.protocol.readString();
      else if (type === TType.STRING && fid === 2) value = this.readBinary();
      else if (type === TType.I32 && fid === 3) annotationType = this.protocol.readI32();
      else if (type === TType.STRUCT && fid === 4) endpoint = this.readEndpoint();
      else return false;
      return true;
    });
    if (key === undefined || value === undefined) return undefined;
    if (annotationType === AnnotationType.STRING) {
      const out: V1BinaryAnnotation = { key, value: value.toString('utf8'), type: 'STRING' };
      if (endpoint) out.endpoint = endpoint;
      return out;
    }
    const isAddress = key === 'ca' || key === 'sa' || key === 'ma';
    if (
      annotationType === AnnotationType.BOOL &&
      isAddress &&
      endpoint &&
      value.length === 1 &&
      value[0] === 1
    ) {
      return { key, value: true, type: 'BOOL', endpoint };
    }
    return undefined;
  }

  /**
   * Endpoint{1 ipv4 i32, 2 port i16 (unsigned), 3 service_name, 4 ipv6 binary}. ipv4 0 and port 0 mean
   * unknown. An endpoint that is present but empty stays present (as {}): zipkin's converter treats a
   * core annotation with any host as located.
   */
  private readEndpoint(): Endpoint {
    let ipv4: string | undefined;
    let ipv6: string | undefined;
    let port: number | undefined;
    let serviceName: string | undefined;
    this.readStruct((type, fid) => {
      if (type === TType.I32 && fid === 1) {
        const v = this.protocol.readI32();
        if (v !== 0) ipv4 = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
      } else if (type === TType.I16 && fid === 2) port = this.protocol.readI16() & 0xffff;
      else if (type === TType.STRING && fid === 3) serviceName = this.protocol.readString();
      else if (type === TType.STRING && fid === 4) ipv6 = ipFromBytes(this.readBinary());
      else return false;
      return true;
    });
    return normalizeEndpoint({ serviceName, ipv4, ipv6, port }) ?? {};
  }

  /** Reads fields until STOP; `field` returns false for a field it does not know, which is skipped. */
  private readStruct(field: (type: number, fid: number) => boolean): void {
    this.protocol.readStructBegin();
    for (;;) {
      const { ftype, fid } = this.protocol.readFieldBegin();
      if (ftype === TType.STOP) break;
      if (!field(ftype, fid)) this.skip(ftype);
      this.protocol.readFieldEnd();
    }
    this.protocol.readStructEnd();
  }

  private readList<T>(add: (item: T) => void, read: () => T | undefined): void {
    const { etype, size } = this.protocol.readListBegin();
    const n = this.checkedSize(size, 'list');
    if (etype !== TType.STRUCT) {
      // Not the declared element type: skip the elements rather than misread them.
      for (let i = 0; i < n; i++) this.skip(etype);
      return;
    }
    for (let i = 0; i < n; i++) {
      const item = read();
      if (item !== undefined) add(item);
    }
  }

  /** Every element takes at least one byte, so a count beyond the remaining bytes is a lie. */
  private checkedSize(size: number, what: string): number {
    return checkDeclaredCount(size, this.remaining, `${what} at byte ${this.position}`);
  }

  private skip(type: number): void {
    this.protocol.skip(type);
  }

  private readBinary(): Buffer {
    const len = this.protocol.readI32();
    if (len < 0) throw new ThriftFormatError(`negative binary size ${len} at byte ${this.position}`);
    return this.transport.read(len);
  }

  private readId(): string {
    return (this.protocol.readI64() as Int64).toOctetString();
  }

  private readLong(): number {
    const v = this.protocol.readI64() as Int64;
    return Number(v.buffer.readBigInt64BE(v.offset));
  }
}
