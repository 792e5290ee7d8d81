// The UI reads Zipkin JSON v2, which is exactly the server's span model: share the types, not a copy.
export type { Span, Endpoint, Annotation, SpanKind, SpanLink } from '../../../src/model/span.js';
export type { DependencyLink } from '../../../src/model/dependency-link.js';
