import protobuf from 'protobufjs';

/**
 * openzipkin/zipkin-api zipkin.proto (package zipkin.proto3), as a protobufjs JSON descriptor so it ships
 * inside the compiled module (no .proto file to locate at runtime). Field names are the camelCase
 * protobufjs uses for decoded objects; the wire only sees the ids.
 */
const descriptor = {
  nested: {
    zipkin: {
      nested: {
        proto3: {
          nested: {
            Span: {
              fields: {
                traceId: { type: 'bytes', id: 1 },
                parentId: { type: 'bytes', id: 2 },
                id: { type: 'bytes', id: 3 },
                kind: { type: 'Kind', id: 4 },
                name: { type: 'string', id: 5 },
                timestamp: { type: 'fixed64', id: 6 },
                duration: { type: 'uint64', id: 7 },
                localEndpoint: { type: 'Endpoint', id: 8 },
                remoteEndpoint: { type: 'Endpoint', id: 9 },
                annotations: { rule: 'repeated', type: 'Annotation', id: 10 },
                tags: { keyType: 'string', type: 'string', id: 11 },
                debug: { type: 'bool', id: 12 },
                shared: { type: 'bool', id: 13 },
              },
              nested: {
                Kind: {
                  values: { SPAN_KIND_UNSPECIFIED: 0, CLIENT: 1, SERVER: 2, PRODUCER: 3, CONSUMER: 4 },
                },
              },
            },
            Endpoint: {
              fields: {
                serviceName: { type: 'string', id: 1 },
                ipv4: { type: 'bytes', id: 2 },
                ipv6: { type: 'bytes', id: 3 },
                port: { type: 'int32', id: 4 },
              },
            },
            Annotation: {
              fields: {
                timestamp: { type: 'fixed64', id: 1 },
                value: { type: 'string', id: 2 },
              },
            },
            ListOfSpans: {
              fields: { spans: { rule: 'repeated', type: 'Span', id: 1 } },
            },
            ReportResponse: { fields: {} },
            // The zipkin gRPC collector: POST /zipkin.proto3.SpanService/Report.
            SpanService: {
              methods: { Report: { requestType: 'ListOfSpans', responseType: 'ReportResponse' } },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor).resolveAll();

export const spanType = root.lookupType('zipkin.proto3.Span');
export const endpointType = root.lookupType('zipkin.proto3.Endpoint');
export const annotationType = root.lookupType('zipkin.proto3.Annotation');
/** zipkin.proto3.ListOfSpans: the POST /api/v2/spans protobuf body and the gRPC Report request. */
export const listOfSpansType = root.lookupType('zipkin.proto3.ListOfSpans');
/** zipkin.proto3.ReportResponse: the (empty) gRPC Report response. */
export const reportResponseType = root.lookupType('zipkin.proto3.ReportResponse');
/** zipkin.proto3.SpanService, for a gRPC server built from this schema. */
export const spanService = root.lookupService('zipkin.proto3.SpanService');

/** Field id -> wire type of each message, to reject a known field sent with the wrong wire type. */
export const WIRE_TYPES: ReadonlyMap<protobuf.Type, ReadonlyMap<number, number>> = new Map(
  [spanType, endpointType, annotationType, listOfSpansType].map((t) => [
    t,
    new Map(t.fieldsArray.map((f) => [f.id, wireTypeOf(f)])),
  ]),
);

function wireTypeOf(f: protobuf.Field): number {
  if (
    f.map ||
    f.repeated ||
    f.type === 'bytes' ||
    f.type === 'string' ||
    f.resolvedType instanceof protobuf.Type
  ) {
    return 2;
  }
  if (f.type === 'fixed64') return 1;
  return 0; // varint: uint64, int32, bool, enum
}
