/**
 * Judging a variant against its declared expectation with both engines:
 * the exhaustive engine on its configuration, and the random engine over a
 * set of seeds. Returns the problems found (empty when the variant behaves
 * as declared), so test suites, the benchmark and a CI gate share one verdict.
 */
import type { AnyModel } from '../model/contract.js';
import { variantOf } from '../model/contract.js';
import type { ExploreResult } from './explore.js';
import { explore } from './explore.js';
import type { RandomResult } from './random.js';
import { randomCheck } from './random.js';

/** Budgets of a variant check. */
export interface VariantCheckOptions {
  readonly seeds: readonly number[];
  readonly runs: number;
  readonly maxStates?: number;
  /** Skip the exhaustive engine (for configurations too large to explore). */
  readonly skipExplore?: boolean;
}

/** Both engines' results for one variant. */
export interface VariantCheck {
  readonly model: string;
  readonly variant: string;
  readonly bfs?: ExploreResult;
  readonly random: readonly RandomResult[];
  /** Every way the variant departs from its expectation; empty when it behaves as declared. */
  readonly problems: readonly string[];
}

/**
 * Runs both engines on a variant and lists the departures from its
 * expectation: a correct or harmless variant must show no violation and, for
 * the exhaustive run, every sometimes witness; a buggy one must be found by
 * both engines, with its declared property, on every seed, and the random
 * engine's shrunk trace must be at most twice the BFS-shortest.
 */
export function checkVariant(model: AnyModel, variantName: string, opts: VariantCheckOptions): VariantCheck {
  const v = variantOf(model, variantName);
  const problems: string[] = [];
  const target = v.expect.kind === 'violates' ? v.expect.property : undefined;
  let bfs: ExploreResult | undefined;
  if (!opts.skipExplore) {
    bfs = explore(model.machine(v.name, v.exploreConfig ?? model.smallConfig), {
      ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
      ...(target !== undefined ? { target } : {}),
    });
    if (target === undefined) {
      for (const [p, x] of bfs.violated) problems.push(`explore: ${p} violated (${x.message})`);
      if (!bfs.complete) problems.push(`explore: incomplete after ${bfs.states} states`);
      for (const [w, seen] of bfs.witnesses) if (!seen) problems.push(`explore: sometimes ${w} never witnessed (vacuous)`);
    } else if (!bfs.counterexample) problems.push(`explore: ${target} not found among ${bfs.states} states`);
  }
  const random = opts.seeds.map((seed) => randomCheck(model, v.name, { seed, runs: opts.runs }));
  const shortest = bfs?.counterexample?.steps.length;
  // random configurations differ from the exploration's; lengths are compared within one configuration
  for (const r of random) {
    if (r.modelError !== undefined) problems.push(`seed ${r.seed}: model threw: ${r.modelError}`);
    if (target === undefined) {
      if (r.failure) problems.push(`seed ${r.seed}: ${r.failure.property} violated (${r.failure.message})`);
    } else if (!r.failure) problems.push(`seed ${r.seed}: ${target} not found in ${r.runs} runs`);
    else {
      if (r.failure.property !== target) problems.push(`seed ${r.seed}: found ${r.failure.property}, expected ${target}`);
      // compare with the shortest trace in the counterexample's own configuration
      const len = r.failure.trace.steps.length;
      const own = explore(model.machine(v.name, r.failure.config), { target, maxStates: opts.maxStates ?? 300_000 }).counterexample?.steps.length;
      const best = own ?? shortest;
      if (best !== undefined && len > 2 * best) problems.push(`seed ${r.seed}: shrunk to ${len} steps, more than 2× the BFS-shortest ${best} of its configuration`);
    }
  }
  return { model: model.name, variant: v.name, ...(bfs ? { bfs } : {}), random, problems };
}

/** Seeds 1…n. */
export function seeds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
