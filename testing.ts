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
 * the variant behaves as declared under both engines (and the liveness
 * engine, for eventually-properties).
 *
 * This is `mmcheck/vitest`: like `index.ts`, a public entry point above
 * the layers, so it can run the engines with the minimizer, as the gate does.
 */
import { describe, expect, test } from 'vitest';
import type { ActionBase, AnyModel, ModelDef } from './model/contract.js';
import { erase, expectedProperty, variantOf } from './model/contract.js';
import type { Finding } from './properties/outcome.js';
import { exploreOutcome, livenessOutcome, randomOutcome } from './properties/outcome.js';
import { checkLivenessItem, livenessOf, seeds } from './properties/suite.js';
import { replayCommand, saveCounterexample } from './reports/counterexample.js';
import { foundOf } from './reports/found.js';
import { variantSearch } from './shrinkers/search.js';

/** Budgets of {@link checkModel}. */
export interface CheckModelOptions {
  /** Seeds per variant (default 10). */
  readonly seeds?: number;
  /** Random runs per seed (default 1,000). */
  readonly runs?: number;
  /** State budget of each exploration, liveness graphs included (default 2,000,000). */
  readonly maxStates?: number;
  /** Test timeout in ms (default 120,000). */
  readonly timeout?: number;
  /**
   * Check eventually-properties on lassos too (default true): a variant that
   * must hold keeps them, a bug declared as one is found by the liveness
   * engine, as `mmcheck ci` judges them.
   */
  readonly liveness?: boolean;
  /** Where a failing variant's counterexample is written (default `mmcheck-out`). */
  readonly out?: string;
  /** The model module's path, for the replay command a failure prints (`--model PATH`). */
  readonly modelPath?: string;
}

/**
 * Why `variant` of `model` does not behave as declared, or `undefined` when
 * it does: every departure, and, when there is a trace (a violation of a
 * variant that must hold, or the wrong property found), the trace, written
 * under `opts.out`, with the command that replays it. {@link checkModel}'s
 * judgement, usable outside vitest.
 */
export function variantFailure(model: AnyModel, variant: string, opts: CheckModelOptions = {}): string | undefined {
  const maxStates = opts.maxStates ?? 2_000_000;
  const config = variantOf(model, variant).exploreConfig ?? model.smallConfig;
  const { live, livenessOnly } = livenessOf(model, variant);
  const problems: string[] = [];
  const findings: Finding[] = [];
  // a bug declared only as an eventually-property is the liveness engine's alone
  if (!livenessOnly) {
    const r = variantSearch(model, variant, { seeds: seeds(opts.seeds ?? 10), runs: opts.runs ?? 1_000, maxStates });
    problems.push(...r.problems);
    if (r.problems.length) findings.push(...(r.bfs ? exploreOutcome(r.bfs, config).findings : []), ...r.random.flatMap((x) => randomOutcome(x, 'random').findings));
  }
  // a bug only the liveness engine can see, with that engine turned off, would pass unjudged
  if (livenessOnly && opts.liveness === false) return `${model.name} ${variant}: declares ${expectedProperty(variantOf(model, variant)) ?? ''}, an eventually-property, and liveness: false leaves nothing to judge it`;
  if (live && opts.liveness !== false) {
    const l = checkLivenessItem(model, variant, { maxStates });
    problems.push(...l.problems.map((p) => p.text));
    if (l.problems.length && l.result) findings.push(...livenessOutcome(l.result, config).findings);
  }
  if (problems.length === 0) return undefined;
  const shown = findings[0];
  const saved = shown ? saveCounterexample(opts.out ?? 'mmcheck-out', foundOf(model, variant, shown, { modelPath: opts.modelPath })) : undefined;
  return `${model.name} ${variant}: ${problems.join('; ')}${saved ? `\n${saved.text}\nreplay: ${replayCommand(saved.json, opts.modelPath)}` : ''}`;
}

/** Registers a vitest test per variant of `model`; a failing one's message is {@link variantFailure}'s. */
export function checkModel<S, A extends ActionBase, C>(model: ModelDef<S, A, C>, opts: CheckModelOptions = {}): void {
  const m = erase(model);
  describe(`mmcheck ${m.name}`, () => {
    for (const v of m.variants) {
      const want = expectedProperty(v);
      const expected = want !== undefined ? `violates ${want}` : v.expect.kind;
      test(
        `${m.name} ${v.name} ${expected}`,
        () => {
          const failure = variantFailure(m, v.name, opts);
          if (failure !== undefined) expect.fail(failure);
        },
        opts.timeout ?? 120_000,
      );
    }
  });
}
