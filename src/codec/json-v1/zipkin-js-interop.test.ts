import { describe, expect, it } from 'vitest';
import { jsonEncoder, model, option, TraceId } from 'zipkin';
import type { Span } from '../../model/span.js';
import { decodeJsonV2List } from '../json-v2/json-v2-codec.js';
import { decodeJsonV1List } from './json-v1-codec.js';

/** Spans as the zipkin-js tracer builds them, to check our decoders against a real client's encoders. */
function zipkinJsSpan(kind: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER', shared = false): model.Span {
  const span = new model.Span(
    new TraceId({
      traceId: '463ac35c9f6413ad48485a3953bb6124',
      parentId: new option.Some('a2fb4a1d1a96d312'),
      spanId: 'b7ad6b7169203331',
      sampled: new option.Some(true),
      shared,
    }),
  );
  span.setName('GET /Api');
  span.setKind(kind);
  span.setTimestamp(1_700_000_000_000_000);
  span.setDuration(1_500);
  span.setLocalEndpoint(new model.Endpoint({ serviceName: 'Frontend', ipv4: '10.0.0.1', port: 8080 }));
  span.setRemoteEndpoint(new model.Endpoint({ serviceName: 'backend', ipv4: '10.0.0.2', port: 9000 }));
  span.addAnnotation(1_700_000_000_000_500, 'wire.send');
  span.putTag('http.path', '/api');
  return span;
}

const EXPECTED: Omit<Span, 'kind'> = {
  traceId: '463ac35c9f6413ad48485a3953bb6124',
  parentId: 'a2fb4a1d1a96d312',
  id: 'b7ad6b7169203331',
  name: 'get /api',
  timestamp: 1_700_000_000_000_000,
  duration: 1_500,
  localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
  remoteEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2', port: 9000 },
  annotations: [{ timestamp: 1_700_000_000_000_500, value: 'wire.send' }],
  tags: { 'http.path': '/api' },
};

describe('zipkin-js encoders -> our decoders', () => {
  for (const kind of ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'] as const) {
    it(`JSON v1 and v2 decode a ${kind} span to the same v2 span`, () => {
      const span = zipkinJsSpan(kind);
      const want: Span = { ...EXPECTED, kind };
      expect(decodeJsonV2List(`[${jsonEncoder.JSON_V2.encode(span)}]`)).toStrictEqual([want]);
      expect(decodeJsonV1List(`[${jsonEncoder.JSON_V1.encode(span)}]`)).toStrictEqual([want]);
    });
  }

  it('a shared server span keeps shared=true through JSON v1 (no v1 timestamp) and JSON v2', () => {
    const span = zipkinJsSpan('SERVER', true);
    const want: Span = { ...EXPECTED, kind: 'SERVER', shared: true };
    expect(decodeJsonV2List(`[${jsonEncoder.JSON_V2.encode(span)}]`)).toStrictEqual([want]);
    expect(decodeJsonV1List(`[${jsonEncoder.JSON_V1.encode(span)}]`)).toStrictEqual([want]);
  });
});
