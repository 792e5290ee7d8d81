import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Server-backed and browser suites start real processes; keep the 2-core machine from thrashing.
    maxWorkers: 2,
  },
});
