import { defineConfig } from 'vitest/config';

// Files that replace a model module with vi.mock: they need a module graph of their own.
const MOCKING = ['model/memcg/m5-oracle.test.ts', 'model/msgmni/msgmni-oracle.test.ts', 'model/balloon/balloon-oracle.test.ts'];
// *.deep.test.ts: `npm run test:deep` (vitest.deep.config.ts), outside the budget
const EXCLUDE = ['node_modules/**', 'dist/**', '.stryker-tmp/**', '.scaffold-*/**', '**/*.deep.test.ts'];

export default defineConfig({
  test: {
    // generous: a test shares its core with another file's, and with whatever else runs
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // vitest's default is one worker fewer than the CPUs: a single worker on a
    // 2-core machine, so files ran one at a time. The suites are CPU-bound and
    // single-threaded; two workers keep both cores busy. Files start longest
    // first (vitest's sequencer uses the durations of the previous run).
    maxWorkers: 2,
    projects: [
      // Most files share a worker's module cache (isolate: false): the models,
      // engines and libraries load once per worker, not once per file, and a
      // memoised exploration (test/variants.ts) serves every file of that
      // worker — about 9 % of the suite's CPU time. No file sets global state.
      { extends: true, test: { name: 'shared', include: ['**/*.test.ts'], exclude: [...EXCLUDE, ...MOCKING], isolate: false } },
      { extends: true, test: { name: 'mocking', include: MOCKING, exclude: EXCLUDE } },
    ],
  },
});
