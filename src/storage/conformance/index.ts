import { describe } from 'vitest';
import { describeAutocompleteTags } from './autocomplete-cases.js';
import { describeDependencies } from './dependencies-cases.js';
import { makeWithStorage, type StorageConformanceOptions } from './harness.js';
import { describeSearchDisabled } from './search-disabled-cases.js';
import { describeServiceAndSpanNames } from './service-and-span-names-cases.js';
import { describeSpanStoreHeavy } from './span-store-heavy-cases.js';
import { describeSpanStore } from './span-store-cases.js';
import { describeStrictTraceIdFalse } from './strict-trace-id-false-cases.js';
import { describeTraces } from './traces-cases.js';

export type { StorageCapabilities, StorageConformanceOptions } from './harness.js';

/**
 * The one storage conformance suite (reference: zipkin-tests ITStorage and friends). Call it from a backend's
 * test file; every test gets an empty store created with the options it needs: a new one per test, or,
 * when the backend gives `clear`, one per distinct options per file, cleared between tests.
 * The suite uses only the StorageComponent interfaces. A missing optional feature is declared in
 * `capabilities` with its reason and shows up as a skipped test naming that reason.
 */
export function describeStorageConformance(opts: StorageConformanceOptions): void {
  const capabilities = opts.capabilities ?? {};
  const withStorage = makeWithStorage(opts.create, opts.clear, capabilities);
  describe(`storage conformance: ${opts.name}`, () => {
    describeSpanStore(withStorage, capabilities);
    describeSpanStoreHeavy(withStorage);
    describeTraces(withStorage, capabilities);
    describeStrictTraceIdFalse(withStorage);
    describeSearchDisabled(withStorage);
    describeAutocompleteTags(withStorage);
    describeServiceAndSpanNames(withStorage);
    describeDependencies(withStorage, capabilities);
  });
}
