import { decodePostSpansRequest, encodePostSpansResponse } from '../../codec/jaeger/jaeger-proto-codec.js';
import type { Collector } from '../collector.js';
import type { UnaryMethod } from '../otlp-grpc/grpc-unary-server.js';

export const JAEGER_POST_SPANS_PATH = '/jaeger.api_v2.CollectorService/PostSpans';

/** jaeger collector :14250 api_v2 CollectorService/PostSpans. */
export function jaegerPostSpansMethod(collector: Collector): UnaryMethod {
  return {
    path: JAEGER_POST_SPANS_PATH,
    async handle(request, peer) {
      await collector.bodies.hold(request.length, () =>
        collector.acceptMessage('jaeger-grpc', request, decodePostSpansRequest, peer),
      );
      return encodePostSpansResponse();
    },
  };
}
