import thrift from 'thrift';
import type { TProtocol } from 'thrift';

/**
 * scribe.thrift, the part zipkin's Scribe collector serves:
 *   struct LogEntry { 1: string category, 2: string message }
 *   enum ResultCode { OK = 0, TRY_LATER = 1 }
 *   service Scribe { ResultCode Log(1: list<LogEntry> messages) }
 * Read and written with the thrift library's protocol (TBinaryProtocol over a framed transport), shared by
 * the listener and by clients (the tests use it with thrift.createClient).
 */
export interface LogEntry {
  category: string;
  message: string;
}

export const ResultCode = { OK: 0, TRY_LATER: 1 } as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

const Type = thrift.Thrift.Type;

/** Reads `Log_args` (after readMessageBegin). Unknown fields are skipped, as generated code does. */
export function readLogArgs(input: TProtocol): LogEntry[] {
  const entries: LogEntry[] = [];
  input.readStructBegin();
  for (;;) {
    const field = input.readFieldBegin();
    if (field.ftype === Type.STOP) break;
    if (field.fid === 1 && field.ftype === Type.LIST) {
      const list = input.readListBegin();
      for (let i = 0; i < list.size; i++) entries.push(readLogEntry(input));
      input.readListEnd();
    } else {
      input.skip(field.ftype);
    }
    input.readFieldEnd();
  }
  input.readStructEnd();
  return entries;
}

function readLogEntry(input: TProtocol): LogEntry {
  const entry: LogEntry = { category: '', message: '' };
  input.readStructBegin();
  for (;;) {
    const field = input.readFieldBegin();
    if (field.ftype === Type.STOP) break;
    if (field.fid === 1 && field.ftype === Type.STRING) entry.category = input.readString();
    else if (field.fid === 2 && field.ftype === Type.STRING) entry.message = input.readString();
    else input.skip(field.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  return entry;
}

export function writeLogArgs(output: TProtocol, entries: readonly LogEntry[]): void {
  output.writeStructBegin('Log_args');
  output.writeFieldBegin('messages', Type.LIST, 1);
  output.writeListBegin(Type.STRUCT, entries.length);
  for (const e of entries) {
    output.writeStructBegin('LogEntry');
    output.writeFieldBegin('category', Type.STRING, 1);
    output.writeString(e.category);
    output.writeFieldEnd();
    output.writeFieldBegin('message', Type.STRING, 2);
    output.writeString(e.message);
    output.writeFieldEnd();
    output.writeFieldStop();
    output.writeStructEnd();
  }
  output.writeListEnd();
  output.writeFieldEnd();
  output.writeFieldStop();
  output.writeStructEnd();
}

/** `Log_result`: field 0 is the return value. */
export function writeLogResult(output: TProtocol, code: ResultCode): void {
  output.writeStructBegin('Log_result');
  output.writeFieldBegin('success', Type.I32, 0);
  output.writeI32(code);
  output.writeFieldEnd();
  output.writeFieldStop();
  output.writeStructEnd();
}

/** Reads `Log_result`; undefined when the server sent no return value. */
export function readLogResult(input: TProtocol): number | undefined {
  let success: number | undefined;
  input.readStructBegin();
  for (;;) {
    const field = input.readFieldBegin();
    if (field.ftype === Type.STOP) break;
    if (field.fid === 0 && field.ftype === Type.I32) success = input.readI32();
    else input.skip(field.ftype);
    input.readFieldEnd();
  }
  input.readStructEnd();
  return success;
}
