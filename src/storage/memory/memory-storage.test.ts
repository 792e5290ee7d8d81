import { describeStorageConformance } from '../conformance/index.js';
import { MemoryStorage } from './memory-storage.js';

describeStorageConformance({
  name: 'mem',
  create: async (options) => new MemoryStorage({ ...options, maxSpans: 500_000 }),
});
