/**
 * The deep test files (`npm run test:deep`): `**\/*.deep.test.ts`, checks
 * too slow for `npm test`'s budget (the largest pinned state spaces). A
 * nightly job beside `mmcheck ci --profile deep`; see the README.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.deep.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**', '.scaffold-*/**'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
  },
});
