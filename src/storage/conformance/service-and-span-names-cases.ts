import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { BACKEND, baseSpan, newClientSpan, newTrace, span } from './fixtures.js';
import { accept } from './harness.js';
import type { WithStorage } from './harness.js';

/** zipkin ITServiceAndSpanNames: the name lists behind the UI's drop-downs. */
export function describeServiceAndSpanNames(withStorage: WithStorage): void {
  const store = (body: Parameters<WithStorage>[1]) => () => withStorage({}, body);
  const pad = (i: number) => (i < 10 ? `0${i}` : String(i));

  describe('service and span names (zipkin ITServiceAndSpanNames)', () => {
    it(
      'lists local service names only',
      store(async (s) => {
        expect(await s.serviceAndSpanNames().getServiceNames()).toEqual([]);
        await accept(s, [newClientSpan()]);
        expect(await s.serviceAndSpanNames().getServiceNames()).toEqual(['frontend']);
        await accept(s, newTrace());
        expect(await s.serviceAndSpanNames().getServiceNames()).toEqual(['backend', 'frontend']);
      }),
    );

    it(
      'lists no service for a span without a local service name',
      store(async (s) => {
        await accept(s, [baseSpan({ localEndpoint: null, remoteEndpoint: BACKEND })]);
        expect(await s.serviceAndSpanNames().getServiceNames()).toEqual([]);
      }),
    );

    it(
      'lists remote service names of a service',
      store(async (s) => {
        const client = newClientSpan();
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('frontend')).toEqual([]);
        await accept(s, [client]);
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('frontend1')).toEqual([]);
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('frontend')).toEqual(['backend']);
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('backend')).toEqual([]);
      }),
    );

    it(
      'lists all 51 remote service names, sorted',
      store(async (s) => {
        const spans: Span[] = [];
        for (let i = 50; i >= 0; i--) {
          spans.push(baseSpan({ id: (i + 1).toString(16), remoteEndpoint: { serviceName: `yak${pad(i)}` } }));
        }
        await accept(s, spans);
        const expected = Array.from({ length: 51 }, (_, i) => `yak${pad(i)}`);
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('frontend')).toEqual(expected);
      }),
    );

    it(
      'de-duplicates remote service names',
      store(async (s) => {
        await accept(
          s,
          Array.from({ length: 51 }, () => baseSpan({ remoteEndpoint: BACKEND })),
        );
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('frontend')).toEqual(['backend']);
      }),
    );

    it(
      'lists no remote service for spans without one',
      store(async (s) => {
        await accept(s, [baseSpan()]);
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('frontend')).toEqual([]);
      }),
    );

    it(
      'lowercases the service name given for remote service names',
      store(async (s) => {
        await accept(s, [newClientSpan()]);
        expect(await s.serviceAndSpanNames().getRemoteServiceNames('FrontEnd')).toEqual(['backend']);
      }),
    );

    it(
      'does not list a remote service as having span names',
      store(async (s) => {
        await accept(s, [newClientSpan()]);
        expect(await s.serviceAndSpanNames().getSpanNames('backend')).toEqual([]);
      }),
    );

    it(
      'lists span names of a service',
      store(async (s) => {
        expect(await s.serviceAndSpanNames().getSpanNames('frontend')).toEqual([]);
        await accept(s, [baseSpan()]);
        expect(await s.serviceAndSpanNames().getSpanNames('frontend1')).toEqual([]);
        expect(await s.serviceAndSpanNames().getSpanNames('frontend')).toEqual(['get']);
      }),
    );

    it(
      'lists all 51 span names, sorted',
      store(async (s) => {
        const spans = Array.from({ length: 51 }, (_, i) => baseSpan({ name: `yak${pad(50 - i)}` }));
        await accept(s, spans);
        const expected = Array.from({ length: 51 }, (_, i) => `yak${pad(i)}`);
        expect(await s.serviceAndSpanNames().getSpanNames('frontend')).toEqual(expected);
      }),
    );

    it(
      'de-duplicates span names',
      store(async (s) => {
        await accept(
          s,
          Array.from({ length: 51 }, () => baseSpan()),
        );
        expect(await s.serviceAndSpanNames().getSpanNames('frontend')).toEqual(['get']);
      }),
    );

    it(
      'lists no span name for spans without one',
      store(async (s) => {
        await accept(s, [baseSpan({ name: undefined })]);
        expect(await s.serviceAndSpanNames().getSpanNames('frontend')).toEqual([]);
      }),
    );

    it(
      'lowercases the service name given for span names, and stores names lowercase',
      store(async (s) => {
        await accept(s, [
          span({ ...baseSpan(), name: 'GET /Users', localEndpoint: { serviceName: 'FrontEnd' } }),
        ]);
        expect(await s.serviceAndSpanNames().getSpanNames('FRONTEND')).toEqual(['get /users']);
        expect(await s.serviceAndSpanNames().getServiceNames()).toEqual(['frontend']);
      }),
    );

    it(
      'lists names from the reference trace per service',
      store(async (s) => {
        await accept(s, newTrace());
        const names = s.serviceAndSpanNames();
        expect(await names.getSpanNames('frontend')).toEqual(['get']);
        expect(await names.getSpanNames('backend')).toEqual(['get', 'query']);
        expect(await names.getRemoteServiceNames('frontend')).toEqual(['backend']);
        expect(await names.getRemoteServiceNames('backend')).toEqual(['db']);
        expect(await names.getSpanNames('db')).toEqual([]);
      }),
    );
  });
}
