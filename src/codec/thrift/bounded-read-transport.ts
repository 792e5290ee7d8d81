import type { TTransport } from 'thrift';

/** Thrown when the input ends before a value it declares; turned into a DecodeError by the codec. */
export class ThriftEndOfInputError extends Error {}

/**
 * A read-only thrift transport over one in-memory message. The library's own transports either expect
 * framing or grow ring buffers; this one gives TBinaryProtocol plain bounds-checked reads, and exposes
 * how many bytes are left so the reader can reject a declared size larger than the input before it
 * loops or allocates (a 5-byte body may claim 2^31 list elements).
 */
export class BoundedReadTransport implements TTransport {
  private pos = 0;
  private readonly buf: Buffer;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  ensureAvailable(len: number): void {
    if (!Number.isInteger(len) || len < 0) {
      throw new ThriftEndOfInputError(`invalid length ${len} at byte ${this.pos}`);
    }
    if (len > this.remaining) {
      throw new ThriftEndOfInputError(
        `needed ${len} bytes at byte ${this.pos} but only ${this.remaining} remain`,
      );
    }
  }

  read(len: number): Buffer {
    this.ensureAvailable(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  readByte(): number {
    this.ensureAvailable(1);
    return this.buf.readInt8(this.pos++);
  }

  readI16(): number {
    this.ensureAvailable(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readI32(): number {
    this.ensureAvailable(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    this.ensureAvailable(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** TBinaryProtocol passes the declared length although the typings omit it. */
  readString(len?: number): string {
    const n = len ?? 0;
    this.ensureAvailable(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  commitPosition(): void {}
  rollbackPosition(): void {}
  isOpen(): boolean {
    return true;
  }
  open(): boolean {
    return true;
  }
  close(): boolean {
    return true;
  }
  setCurrSeqId(): void {}
  write(): void {
    throw new Error('BoundedReadTransport is read-only');
  }
  flush(): void {}
}
