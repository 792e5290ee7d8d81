import protobuf from 'protobufjs';

/**
 * The subset of opentelemetry-proto that trace ingestion needs (common/v1, resource/v1, trace/v1,
 * collector/trace/v1) plus google.rpc.Status/RetryInfo for error bodies. One package keeps the schema
 * small: protobuf wire format does not carry package names, and gRPC paths are spelled out by the
 * transports. Field numbers follow opentelemetry-proto; protobufjs exposes them in lowerCamelCase, which
 * is also OTLP/JSON's spelling.
 */
const SCHEMA = `
syntax = "proto3";
package skein.otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
  // Deprecated before OTLP 1.0 but still sent by old SDKs; same layout as ScopeSpans.
  repeated ScopeSpans instrumentation_library_spans = 1000;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Event {
  fixed64 time_unix_nano = 1;
  string name = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Link {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5;
  fixed32 flags = 6;
}
message Status { string message = 2; int32 code = 3; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }

message Any { string type_url = 1; bytes value = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
message RpcStatus { int32 code = 1; string message = 2; repeated Any details = 3; }
message RetryInfo { Duration retry_delay = 1; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;

const type = (name: string): protobuf.Type => root.lookupType(`skein.otlp.${name}`);

export const ExportTraceServiceRequest = type('ExportTraceServiceRequest');
export const ExportTraceServiceResponse = type('ExportTraceServiceResponse');
/** google.rpc.Status */
export const RpcStatus = type('RpcStatus');
/** google.rpc.RetryInfo */
export const RetryInfo = type('RetryInfo');
