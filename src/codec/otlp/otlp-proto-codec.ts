import { DecodeError } from '../../model/decode-error.js';
import { checkProtobufBudget } from '../decode-bounds.js';
import {
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RetryInfo,
  RpcStatus,
} from './otlp-schema.js';
import type { OtlpTraceRequest } from './otlp-types.js';

interface ProtoScopeSpans {
  scope?: unknown;
  spans?: Array<Record<string, unknown>>;
}
interface ProtoResourceSpans {
  scopeSpans?: ProtoScopeSpans[];
  instrumentationLibrarySpans?: ProtoScopeSpans[];
}

/** Parses an application/x-protobuf ExportTraceServiceRequest. Throws DecodeError when it is not one. */
export function decodeOtlpProto(bytes: Uint8Array): OtlpTraceRequest {
  let message;
  try {
    checkProtobufBudget(ExportTraceServiceRequest, bytes, 'ExportTraceServiceRequest');
    message = ExportTraceServiceRequest.decode(bytes);
  } catch (e) {
    throw new DecodeError(
      `Malformed reading ExportTraceServiceRequest from protobuf: ${(e as Error).message}`,
    );
  }
  const obj = ExportTraceServiceRequest.toObject(message, { longs: String, enums: Number }) as {
    resourceSpans?: ProtoResourceSpans[];
  };
  for (const rs of obj.resourceSpans ?? []) {
    // Pre-1.0 SDKs send instrumentation_library_spans (field 1000) with the same layout.
    if (rs.instrumentationLibrarySpans) {
      rs.scopeSpans = [...(rs.scopeSpans ?? []), ...rs.instrumentationLibrarySpans];
      delete rs.instrumentationLibrarySpans;
    }
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        hexField(span, 'traceId');
        hexField(span, 'spanId');
        hexField(span, 'parentSpanId');
        for (const link of (span.links as Array<Record<string, unknown>> | undefined) ?? []) {
          hexField(link, 'traceId');
          hexField(link, 'spanId');
        }
      }
    }
  }
  return obj as OtlpTraceRequest;
}

function hexField(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v instanceof Uint8Array) o[key] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** ExportTraceServiceResponse; partial_success is left unset on full success (OTLP spec). */
export function encodeOtlpResponseProto(partial?: PartialSuccess): Uint8Array {
  const body = partial
    ? { partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage } }
    : {};
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(body)).finish();
}

/** google.rpc.Status, optionally with a RetryInfo detail (OTLP: how long a throttled client waits). */
export function encodeRpcStatusProto(code: number, message: string, retryAfterSeconds?: number): Uint8Array {
  const details =
    retryAfterSeconds === undefined
      ? []
      : [
          {
            typeUrl: 'type.googleapis.com/google.rpc.RetryInfo',
            value: RetryInfo.encode(
              RetryInfo.fromObject({ retryDelay: { seconds: retryAfterSeconds } }),
            ).finish(),
          },
        ];
  return RpcStatus.encode(RpcStatus.fromObject({ code, message, details })).finish();
}
