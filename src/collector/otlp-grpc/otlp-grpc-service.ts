import { decodeOtlpTraces } from '../../codec/otlp/otlp-codec.js';
import { encodeOtlpResponseProto } from '../../codec/otlp/otlp-proto-codec.js';
import type { OtlpSpans } from '../../codec/otlp/otlp-span-mapper.js';
import type { Collector } from '../collector.js';
import type { UnaryMethod } from './grpc-unary-server.js';

export const OTLP_TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** OTLP/gRPC TraceService/Export: the request bytes through the collector, partial_success for bad spans. */
export function otlpTraceExportMethod(collector: Collector): UnaryMethod {
  return {
    path: OTLP_TRACE_EXPORT_PATH,
    async handle(request, peer) {
      let decoded: OtlpSpans | undefined;
      // grpc-js has read the message already; it counts against the bytes in flight until decoded.
      await collector.bodies.hold(request.length, () =>
        collector.acceptMessage(
          'otlp-grpc',
          request,
          (b) => {
            decoded = decodeOtlpTraces(b, 'protobuf');
            return decoded.spans;
          },
          peer,
        ),
      );
      const rejected = decoded?.rejectedSpans ?? 0;
      collector.dropSpans('otlp-grpc', rejected);
      return encodeOtlpResponseProto(
        rejected > 0 ? { rejectedSpans: rejected, errorMessage: decoded?.errorMessage ?? '' } : undefined,
      );
    },
  };
}
