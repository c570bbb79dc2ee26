/**
 * One-line checking of a model inside a user's own vitest file:
 *
 * ```ts
 * import { checkModel } from 'mmcheck/vitest';
 * import { myModel } from './my-model.js';
 * checkModel(myModel);
 * ```
 *
 * registers one test per variant, named `<model> <variant> <expectation>`
 * (no seed in the name, so CI history stays comparable), each asserting that
 * the variant behaves as declared under both engines.
 *
 * This is `mmcheck/vitest`: like `index.ts`, a public entry point above
 * the layers, so it can run the engines with the minimizer, as the gate does.
 */
import { describe, expect, test } from 'vitest';
import type { ActionBase, ModelDef } from './model/contract.js';
import { erase, expectedProperty } from './model/contract.js';
import { seeds } from './properties/suite.js';
import { variantSearch } from './shrinkers/search.js';

/** Budgets of {@link checkModel}. */
export interface CheckModelOptions {
  /** Seeds per variant (default 10). */
  readonly seeds?: number;
  /** Random runs per seed (default 1,000). */
  readonly runs?: number;
  /** State budget of each exploration (default 2,000,000). */
  readonly maxStates?: number;
  /** Test timeout in ms (default 120,000). */
  readonly timeout?: number;
}

/** Registers a vitest test per variant of `model`; see the module comment. */
export function checkModel<S, A extends ActionBase, C>(model: ModelDef<S, A, C>, opts: CheckModelOptions = {}): void {
  const m = erase(model);
  describe(`mmcheck ${m.name}`, () => {
    for (const v of m.variants) {
      const want = expectedProperty(v);
      const expected = want !== undefined ? `violates ${want}` : v.expect.kind;
      test(
        `${m.name} ${v.name} ${expected}`,
        () => {
          const r = variantSearch(m, v.name, { seeds: seeds(opts.seeds ?? 10), runs: opts.runs ?? 1_000, maxStates: opts.maxStates ?? 2_000_000 });
          expect(r.problems).toEqual([]);
        },
        opts.timeout ?? 120_000,
      );
    }
  });
}
