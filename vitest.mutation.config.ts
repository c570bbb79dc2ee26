/**
 * Vitest configuration of the mutation checks (`npm run mutation -- <model>`):
 * only `model/<model>/*.check.ts` (`mutation.check.ts`, and more files where
 * one model's check is split), which `npm test` never runs (the names do not
 * end in `.test.ts`). The model comes from MMCHECK_MUTATION_MODEL
 * so that Stryker, which loads this file in its own workers, runs one model's
 * check only.
 */
import { defineConfig } from 'vitest/config';

const model = process.env.MMCHECK_MUTATION_MODEL ?? '*';

export default defineConfig({
  test: {
    include: [`model/${model}/*.check.ts`],
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**'],
    testTimeout: 60_000,
  },
});
