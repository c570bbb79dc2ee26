/**
 * The one place the model suites meet the variant check of
 * properties/suite.ts. Every suite judges its variants as `mmcheck ci
 * --profile ci` does (its seeds, complete explorations), and holds each
 * shrunk counterexample to twice a BFS-shortest; the 10-seed repetition
 * lives in `mmcheck ci --profile deep`. Each check and each
 * exploration is made once per test file and shared by the tests that read
 * it. When the engine API changes, only this module needs adapting.
 */
import { expect } from 'vitest';
import { PROFILES } from '../cli/ci.js';
import { canonical } from '../model/canonical.js';
import type { AnyMachine, AnyModel } from '../model/contract.js';
import { expectedProperty as propertyOf, variantOf } from '../model/contract.js';
import type { ExploreOptions, ExploreResult } from '../properties/explore.js';
import { explore } from '../properties/explore.js';
import type { VariantCheck, VariantCheckOptions } from '../properties/suite.js';
import { seeds } from '../properties/suite.js';
import { variantSearch as checkVariant } from '../shrinkers/search.js';

const ci = PROFILES.ci;
if (!ci) throw new Error('cli/ci.ts has no ci profile');

/**
 * Random runs per seed for a variant that must hold (or is harmless): the
 * harmless variants had 3 × 1,000 before and the references 10,000 on one
 * seed; 3 × 1,000 reach every witness of every model, and `deep` spends 10 ×
 * 10,000. A buggy variant keeps the `ci` profile's cap; it stops at its first
 * failure anyway (the slowest, msgmni W1 and slab W2, need about 2,800 runs
 * on one of the seeds).
 */
export const HOLDS_RUNS = 1_000;

/**
 * The test suites' budget for a buggy variant: the `ci` profile's seeds, runs
 * and explorations. (`deep` compares every shrunk counterexample with the
 * BFS-shortest of its own configuration, an exploration per seed that can
 * take 20 s on balloon; {@link expectCaught} does it only when the
 * exploration configuration's shortest does not already bound it.)
 */
export const SUITE_BUDGET: VariantCheckOptions = {
  seeds: seeds(ci.seeds),
  runs: ci.runs,
  maxStates: ci.maxStates,
  allowIncomplete: ci.allowIncomplete,
  compareShortest: ci.compareShortest,
};

/** The suites' budget for a variant that must hold or is harmless: {@link SUITE_BUDGET} with {@link HOLDS_RUNS} runs a seed. */
export const HOLDS_BUDGET: VariantCheckOptions = { ...SUITE_BUDGET, runs: HOLDS_RUNS };

/**
 * {@link HOLDS_BUDGET}'s random runs without its exploration: `npm test`'s
 * budget for a reference or harmless variant whose exploration configuration
 * is one of the large pinned ones. Those complete explorations, with their
 * pinned state counts, are `properties/explorations.deep.test.ts` (`npm run
 * test:deep`, run by CI after `npm test`); `npm test` still explores every
 * member of each family completely.
 */
export const HOLDS_RANDOM_BUDGET: VariantCheckOptions = { ...HOLDS_BUDGET, skipExplore: true };

/** The property a variant declares it violates, or `undefined` for one that holds or is harmless. */
export function expectedProperty(model: AnyModel, variant: string): string | undefined {
  return propertyOf(variantOf(model, variant));
}

/** Names of the variants that declare a violation, in the model's order. */
export function buggyVariants(model: AnyModel): string[] {
  return model.variants.filter((v) => propertyOf(v) !== undefined).map((v) => v.name);
}

/** Names of the variants that must hold (reference) or are declared harmless, in the model's order. */
export function passingVariants(model: AnyModel): string[] {
  return model.variants.filter((v) => propertyOf(v) === undefined).map((v) => v.name);
}

/** A variant's machine on `config`, by default the variant's exploration configuration (else the model's small one). */
export function machineOf(model: AnyModel, variant: string, config?: unknown): AnyMachine {
  return model.machine(variant, config ?? variantOf(model, variant).exploreConfig ?? model.smallConfig);
}

// Per model object (a suite may check a modified copy of a model), keyed by variant and budget.
const checks = new WeakMap<AnyModel, Map<string, VariantCheck>>();

/** The budget of a variant: {@link SUITE_BUDGET} if it declares a violation, else {@link HOLDS_BUDGET}. */
export function budgetOf(model: AnyModel, variant: string): VariantCheckOptions {
  return expectedProperty(model, variant) === undefined ? HOLDS_BUDGET : SUITE_BUDGET;
}

/** The two-engine check of a variant at {@link budgetOf} (or `budget`), made once per test file. */
export function variantCheck(model: AnyModel, variant: string, budget: VariantCheckOptions = budgetOf(model, variant)): VariantCheck {
  let byKey = checks.get(model);
  if (!byKey) checks.set(model, (byKey = new Map()));
  const key = `${variant} ${canonical(budget)}`;
  let r = byKey.get(key);
  if (!r) byKey.set(key, (r = checkVariant(model, variant, budget)));
  return r;
}

/** State budget of the exploration of a random counterexample's own configuration (as properties/suite.ts). */
const OWN_CONFIG_STATES = 300_000;

/**
 * Asserts a buggy variant is caught as declared: no departure from its
 * expectation, the shortest counterexample violates its property, every
 * seed's random search ends on it, and each shrunk counterexample is at
 * most twice the BFS-shortest: that of the exploration configuration, or
 * (random configurations differ) that of the counterexample's own. Returns
 * the check for further assertions.
 */
export function expectCaught(model: AnyModel, variant: string, budget?: VariantCheckOptions): VariantCheck {
  const want = expectedProperty(model, variant);
  if (want === undefined) throw new Error(`${model.name} ${variant} declares no violation`);
  const r = variantCheck(model, variant, budget);
  expect(r.problems).toEqual([]);
  expect(r.bfs?.counterexample?.violations.map((x) => x.property)).toContain(want);
  expect(r.random.map((x) => ({ seed: x.seed, property: x.failure?.property }))).toEqual(r.random.map((x) => ({ seed: x.seed, property: want })));
  expect(r.random).toHaveLength((budget ?? SUITE_BUDGET).seeds.length);
  const shortest = r.bfs?.counterexample?.steps.length ?? 0;
  for (const x of r.random) {
    const len = x.failure?.trace.steps.length ?? Number.POSITIVE_INFINITY;
    if (len <= 2 * shortest) continue;
    const own = explored(model, variant, x.failure?.config, { target: want, maxStates: OWN_CONFIG_STATES }).counterexample?.steps.length ?? 0;
    expect({ seed: x.seed, len, twiceShortest: 2 * own, within: len <= 2 * own }).toMatchObject({ seed: x.seed, within: true });
  }
  return r;
}

/**
 * Asserts a variant that must hold (or is harmless) does: no departure, a
 * complete exploration without violations (unless the budget skips it),
 * every sometimes-witness reached by the exploration and by every seed's
 * runs, and each seed's whole run budget spent. Returns the check for further assertions.
 */
export function expectHolds(model: AnyModel, variant: string, budget?: VariantCheckOptions): VariantCheck {
  expect(expectedProperty(model, variant)).toBeUndefined();
  const b = budget ?? HOLDS_BUDGET;
  const r = variantCheck(model, variant, b);
  expect(r.problems).toEqual([]);
  if (!b.skipExplore) {
    expect(r.bfs?.complete).toBe(true);
    expect([...(r.bfs?.violated.keys() ?? [])]).toEqual([]);
    expect([...(r.bfs?.witnesses ?? [])].filter(([, seen]) => !seen)).toEqual([]);
  }
  for (const x of r.random) {
    expect({ seed: x.seed, failure: x.failure?.property, modelError: x.modelError, runs: x.runs }).toEqual({ seed: x.seed, failure: undefined, modelError: undefined, runs: b.runs });
    expect([...x.witnesses].filter(([, n]) => n === 0)).toEqual([]);
  }
  return r;
}

// Explorations by model object, then by variant, configuration and options.
const explorations = new WeakMap<AnyModel, Map<string, ExploreResult>>();

/**
 * The exploration of a variant on `config` (default: its exploration
 * configuration) with `opts`, made once per test file: several tests read the
 * same shortest counterexample or the same complete state space.
 */
export function explored(model: AnyModel, variant: string, config?: unknown, opts: Pick<ExploreOptions, 'target' | 'maxStates' | 'exact' | 'symmetry'> = {}): ExploreResult {
  let byKey = explorations.get(model);
  if (!byKey) explorations.set(model, (byKey = new Map()));
  const c = config ?? variantOf(model, variant).exploreConfig ?? model.smallConfig;
  const key = `${variant} ${canonical(c)} ${canonical(opts)}`;
  let r = byKey.get(key);
  if (!r) byKey.set(key, (r = explore(model.machine(variant, c), opts)));
  return r;
}

/** The exploration this file's variant check of `variant` made (at the suite's budget), if it made one. */
export function shortestMade(model: AnyModel, variant: string): ExploreResult | undefined {
  return checks.get(model)?.get(`${variant} ${canonical(SUITE_BUDGET)}`)?.bfs;
}

/** The shortest counterexample of a buggy variant on its exploration configuration (shared with its variant check). */
export function shortestOf(model: AnyModel, variant: string): ExploreResult {
  const target = expectedProperty(model, variant);
  if (target === undefined) throw new Error(`${model.name} ${variant} declares no violation`);
  // the variant check explores the same configuration for the same target: reuse it when made
  return shortestMade(model, variant) ?? explored(model, variant, undefined, { target });
}
