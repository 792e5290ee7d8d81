import { describe, expect, it } from 'vitest';
import { baseSpan } from './fixtures.js';
import { accept } from './harness.js';
import type { WithStorage } from './harness.js';

/** zipkin ITAutocompleteTags: only AUTOCOMPLETE_KEYS are indexed; values come back de-duplicated. */
export function describeAutocompleteTags(withStorage: WithStorage): void {
  const withKeys = (body: Parameters<WithStorage>[1]) => () =>
    withStorage({ autocompleteKeys: ['http.host'] }, body);

  describe('autocomplete tags (zipkin ITAutocompleteTags)', () => {
    it(
      'ignores keys that are not configured',
      withKeys(async (s) => {
        await accept(s, [baseSpan({ tags: { 'http.method': 'GET' } })]);
        expect(await s.autocompleteTags().getKeys()).not.toContain('http.method');
        expect(await s.autocompleteTags().getValues('http.method')).toEqual([]);
      }),
    );

    it(
      'returns the configured keys and their values, de-duplicated and sorted',
      withKeys(async (s) => {
        expect(await s.autocompleteTags().getKeys()).toEqual(['http.host']);
        expect(await s.autocompleteTags().getValues('http.host')).toEqual([]);
        for (let i = 0; i < 2; i++) {
          await accept(s, [baseSpan({ tags: { 'http.method': 'GET', 'http.host': 'host1' } })]);
        }
        await accept(s, [baseSpan({ tags: { 'http.host': 'alpha' } })]);
        expect(await s.autocompleteTags().getKeys()).toEqual(['http.host']);
        expect(await s.autocompleteTags().getValues('http.host')).toEqual(['alpha', 'host1']);
        expect(await s.autocompleteTags().getValues('http.hos')).toEqual([]);
      }),
    );
  });
}
