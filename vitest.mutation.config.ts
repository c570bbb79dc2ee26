/**
 * Vitest configuration of the mutation checks (`npm run mutation -- <model>`):
 * only `model/<model>/mutation.check.ts`, which `npm test` never runs (its
 * name does not end in `.test.ts`). The model comes from MMCHECK_MUTATION_MODEL
 * so that Stryker, which loads this file in its own workers, runs one model's
 * check only.
 */
import { defineConfig } from 'vitest/config';

const model = process.env.MMCHECK_MUTATION_MODEL ?? '*';

export default defineConfig({
  test: {
    include: [`model/${model}/mutation.check.ts`],
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**'],
    testTimeout: 60_000,
  },
});
