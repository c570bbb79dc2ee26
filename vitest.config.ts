import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // *.deep.test.ts: `npm run test:deep` (vitest.deep.config.ts), outside the budget
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**', '**/*.deep.test.ts'],
    // generous: a test shares its core with another file's, and with whatever else runs
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // vitest's default is one worker fewer than the CPUs: a single worker on a
    // 2-core machine, so files ran one at a time. The suites are CPU-bound and
    // single-threaded; two workers keep both cores busy. Files start longest
    // first (vitest's sequencer uses the durations of the previous run).
    maxWorkers: 2,
  },
});
