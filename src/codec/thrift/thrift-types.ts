import thrift from 'thrift';

/** TBinaryProtocol type codes (thrift TType); the library's enum is ambient-only in its typings. */
export const TType = {
  STOP: thrift.Thrift.Type.STOP,
  BOOL: thrift.Thrift.Type.BOOL,
  I16: thrift.Thrift.Type.I16,
  I32: thrift.Thrift.Type.I32,
  I64: thrift.Thrift.Type.I64,
  STRING: thrift.Thrift.Type.STRING,
  STRUCT: thrift.Thrift.Type.STRUCT,
  LIST: thrift.Thrift.Type.LIST,
} as const;

/** zipkinCore.thrift AnnotationType: only BOOL (addresses) and STRING (tags) survive v1 -> v2. */
export const AnnotationType = { BOOL: 0, BYTES: 1, STRING: 6 } as const;
