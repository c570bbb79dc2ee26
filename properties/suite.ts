/**
 * Judging a variant against its declared expectation with both engines:
 * the exhaustive engine on its configuration, and the random engine over a
 * set of seeds. Work is split into items (one exploration, one item per
 * seed) so a CI gate can shard it; each item returns the problems it found
 * (empty when the variant behaves as declared), so test suites, the
 * benchmark and the gate share one verdict.
 */
import type { AnyModel, VariantDef } from '../model/contract.js';
import { expectedProperty, variantOf } from '../model/contract.js';
import type { ExploreResult } from './explore.js';
import { explore } from './explore.js';
import type { LivenessResult } from './liveness.js';
import { checkLiveness, eventuallyNames } from './liveness.js';
import type { Minimizer, RandomResult } from './random.js';
import { randomCheck } from './random.js';
import type { PctResult } from './pct.js';
import { pctCheck } from './pct.js';
import { LockGraph, lockdepReport } from './lockorder.js';

/** What kind of departure a problem is; selects the CI exit code. */
export type ProblemKind = 'safety' | 'deadlock' | 'liveness' | 'vacuity' | 'lost-power' | 'model-error';

/** One departure from a variant's expectation. */
export interface Problem {
  readonly kind: ProblemKind;
  readonly text: string;
}

/** Budgets of a variant check. */
export interface VariantCheckOptions {
  readonly seeds: readonly number[];
  readonly runs: number;
  readonly maxStates?: number;
  /** Skip the exhaustive engine (for configurations too large to explore). */
  readonly skipExplore?: boolean;
  /** Accept an exploration stopped by `maxStates` (quick profiles). */
  readonly allowIncomplete?: boolean;
  /** Stop the random engine after this many milliseconds (the run is then marked interrupted). */
  readonly timeLimitMs?: number;
  /** Hold shrunk counterexamples to 2× the BFS-shortest of their configuration (default true). */
  readonly compareShortest?: boolean;
  /** Polled by the engines; true stops them (e.g. Ctrl-C), and an item cut short that way judges nothing. */
  readonly stop?: () => boolean;
  /**
   * The trace minimizer, passed in from above (`shrinkers/search.ts`
   * `withMinimizer`); without it a counterexample is fast-check's shrunk
   * trace, and `compareShortest` holds that to 2× the shortest.
   */
  readonly minimize?: Minimizer;
}

/** Both engines' results for one variant. */
export interface VariantCheck {
  readonly model: string;
  readonly variant: string;
  readonly bfs?: ExploreResult;
  readonly random: readonly RandomResult[];
  /** Every way the variant departs from its expectation; empty when it behaves as declared. */
  readonly problems: readonly string[];
  readonly kinds: readonly Problem[];
}

/** The kind of a violated property: built-in deadlock, a liveness property, or safety. */
export function violationKind(model: AnyModel, variant: string, property: string): ProblemKind {
  if (property === 'deadlock') return 'deadlock';
  const m = model.machine(variant, variantOf(model, variant).exploreConfig ?? model.smallConfig);
  const p = m.properties.find((x) => x.name === property);
  if (p?.kind === 'eventually') return 'liveness';
  return p && p.kind !== 'sometimes' && p.category === 'liveness' ? 'liveness' : 'safety';
}

/** The exploration item of a variant. */
export function checkExploreItem(model: AnyModel, variantName: string, opts: Pick<VariantCheckOptions, 'maxStates' | 'allowIncomplete' | 'stop'>): { bfs: ExploreResult; problems: Problem[]; config: unknown; target: string | undefined } {
  const v = variantOf(model, variantName);
  const target = expectedProperty(v);
  const problems: Problem[] = [];
  const config = v.exploreConfig ?? model.smallConfig;
  const bfs = explore(model.machine(v.name, config), {
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(opts.stop ? { stop: opts.stop } : {}),
  });
  // stopped on request: neither complete nor a verdict on the variant
  if (bfs.stopped === 'stop') return { bfs, problems, config, target };
  if (target === undefined) {
    for (const [p, x] of bfs.violated) problems.push({ kind: violationKind(model, v.name, p), text: `explore: ${p} violated (${x.message})` });
    if (!bfs.complete && !opts.allowIncomplete) problems.push({ kind: 'vacuity', text: `explore: incomplete after ${bfs.states} states` });
    for (const [w, seen] of bfs.witnesses) if (!seen && bfs.complete) problems.push({ kind: 'vacuity', text: `explore: sometimes ${w} never witnessed (vacuous)` });
  } else if (!bfs.counterexample && (bfs.complete || !opts.allowIncomplete)) {
    problems.push({ kind: 'lost-power', text: `explore: ${target} not found among ${bfs.states} states` });
  }
  return { bfs, problems, config, target };
}

/**
 * Whether a variant's machine has eventually-properties (`live`), and
 * whether its declared property is one with no safety form of the same name
 * (`livenessOnly`): the exhaustive and random engines cannot see it.
 */
export function livenessOf(model: AnyModel, variant: string): { live: boolean; livenessOnly: boolean } {
  const v = variantOf(model, variant);
  const m = model.machine(v.name, v.exploreConfig ?? model.smallConfig);
  const names = eventuallyNames(m);
  const declared = expectedProperty(v);
  const livenessOnly = declared !== undefined && names.includes(declared) && !m.properties.some((p) => p.name === declared && p.kind !== 'eventually');
  return { live: names.length > 0, livenessOnly };
}

/**
 * The liveness item of a variant: its eventually-properties on the
 * exploration configuration (properties/liveness.ts). A variant that
 * declares one of them as its violation must show it (else the harness lost
 * power); a correct or harmless one must show no liveness violation and a
 * complete graph. A variant declaring a safety property is judged by the
 * other items only; `result` is absent when the machine declares no
 * eventually-property.
 */
export function checkLivenessItem(model: AnyModel, variantName: string, opts: Pick<VariantCheckOptions, 'maxStates' | 'allowIncomplete' | 'stop'>): { result?: LivenessResult; problems: Problem[]; config: unknown; target: string | undefined } {
  const v = variantOf(model, variantName);
  const config = v.exploreConfig ?? model.smallConfig;
  const m = model.machine(v.name, config);
  const names = eventuallyNames(m);
  const target = expectedProperty(v);
  if (!names.length) return { problems: [], config, target };
  const result = checkLiveness(m, { ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}), ...(opts.stop ? { stop: opts.stop } : {}) });
  const problems: Problem[] = [];
  if (result.stopped === 'stop') return { result, problems, config, target };
  if (target !== undefined && names.includes(target)) {
    if (!result.violations.has(target) && (result.complete || !opts.allowIncomplete))
      problems.push({ kind: 'lost-power', text: `liveness: ${target} not found among ${result.states} states` });
  } else if (target === undefined) {
    for (const [p, x] of result.violations) problems.push({ kind: 'liveness', text: `liveness: ${p} violated (${x.message})` });
    if (!result.complete && !opts.allowIncomplete) problems.push({ kind: 'vacuity', text: `liveness: incomplete after ${result.states} states` });
  }
  return { result, problems, config, target };
}

/** What a random search says beyond its own failure (see {@link searchFindings}). */
export interface SearchFindings {
  readonly problems: Problem[];
  /** The lockdep-style report of a lock-order cycle no run deadlocked on. */
  readonly lockdep?: string;
  /** For a variant that must hold and spent its budget: each witness as "w in N of M runs (p%)". */
  readonly witnessRates?: string;
}

/**
 * The judgements every random search of a variant gets besides its own
 * failure, shared by the gate and `mmcheck run`: a cycle in the lock orders
 * its runs took (a deadlock predicted although no run deadlocked), and, for a
 * variant that must hold and ran its whole budget, a witness never reached.
 */
export function searchFindings(v: VariantDef<unknown>, r: RandomResult, graph: LockGraph): SearchFindings {
  const problems: Problem[] = [];
  const cycle = r.failure?.property === 'deadlock' ? undefined : graph.cycle();
  const lockdep = cycle ? lockdepReport(cycle) : undefined;
  if (lockdep !== undefined) problems.push({ kind: 'deadlock', text: `seed ${r.seed}: ${lockdep.split('\n').slice(0, 2).join(': ')}` });
  if (expectedProperty(v) !== undefined || r.failure || r.interrupted || r.witnesses.size === 0) return { problems, ...(lockdep !== undefined ? { lockdep } : {}) };
  // a run budget spent without ever reaching a witness proves nothing about it
  for (const [w, n] of r.witnesses) if (n === 0) problems.push({ kind: 'vacuity', text: `seed ${r.seed}: sometimes ${w} witnessed in 0 of ${r.runs} runs (0%): vacuous` });
  const witnessRates = [...r.witnesses].map(([w, n]) => `${w} in ${n} of ${r.runs} runs (${((100 * n) / Math.max(r.runs, 1)).toFixed(1)}%)`).join(', ');
  return { problems, ...(lockdep !== undefined ? { lockdep } : {}), witnessRates };
}

/** How one seed of a variant is searched (see {@link searchSeed}). */
export interface SeedSearchOptions extends Pick<VariantCheckOptions, 'runs' | 'timeLimitMs' | 'stop' | 'minimize'> {
  /** The property searched for; undefined: the first violation of any property. */
  readonly target?: string | undefined;
  /** PCT with this bug depth instead of uniformly random schedules. */
  readonly pctDepth?: number;
  /** Called once per run (not per shrink attempt): what a progress bar counts. */
  readonly onRun?: () => void;
}

/** One seed's search: the engine's result, and what its runs say beyond its own failure. */
export interface SeedSearch {
  readonly random: RandomResult;
  /** Set when the search ran PCT: its bound for the programs met. */
  readonly pct?: PctResult;
  readonly findings: SearchFindings;
}

/**
 * Searches one seed of a variant with the random engine (or PCT), its runs
 * adding their lock orders to one graph: the search both the gate and
 * `mmcheck run` make, before each judges it its own way.
 */
export function searchSeed(model: AnyModel, variantName: string, seed: number, opts: SeedSearchOptions): SeedSearch {
  const v = variantOf(model, variantName);
  const graph = new LockGraph();
  const engine = {
    seed, runs: opts.runs, lockGraph: graph,
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
    ...(opts.stop ? { stop: opts.stop } : {}),
    ...(opts.onRun ? { onRun: opts.onRun } : {}),
    ...(opts.minimize ? { minimize: opts.minimize } : {}),
  };
  const pct = opts.pctDepth !== undefined ? pctCheck(model, v.name, { ...engine, depth: opts.pctDepth }) : undefined;
  const random = pct ?? randomCheck(model, v.name, engine);
  return { random, ...(pct ? { pct } : {}), findings: searchFindings(v, random, graph) };
}

/** One random-engine item of a variant: one seed. */
export function checkSeedItem(
  model: AnyModel,
  variantName: string,
  seed: number,
  opts: Pick<VariantCheckOptions, 'runs' | 'maxStates' | 'timeLimitMs' | 'compareShortest' | 'stop' | 'minimize'> & Pick<SeedSearchOptions, 'onRun'>,
  shortest?: number,
): { random: RandomResult; problems: Problem[]; findings: SearchFindings } {
  const v = variantOf(model, variantName);
  const target = expectedProperty(v);
  const problems: Problem[] = [];
  // a buggy variant is judged on its declared property: the search looks for
  // that one (other violations on the way are tallied, not taken as the answer)
  const { random: r, findings } = searchSeed(model, v.name, seed, { ...opts, target });
  problems.push(...findings.problems);
  if (r.modelError !== undefined) problems.push({ kind: 'model-error', text: `seed ${seed}: model threw: ${r.modelError}` });
  else if (target === undefined) {
    if (r.failure) problems.push({ kind: violationKind(model, v.name, r.failure.property), text: `seed ${seed}: ${r.failure.property} violated (${r.failure.message})` });
  } else if (!r.failure) {
    if (!r.interrupted) problems.push({ kind: 'lost-power', text: `seed ${seed}: ${target} not found in ${r.runs} runs` });
  } else {
    if (r.failure.property !== target) problems.push({ kind: 'lost-power', text: `seed ${seed}: found ${r.failure.property}, expected ${target}` });
    if (opts.compareShortest === false) return { random: r, problems, findings };
    // compare with the shortest trace in the counterexample's own configuration
    const len = r.failure.trace.steps.length;
    const own = explore(model.machine(v.name, r.failure.config), { target, maxStates: opts.maxStates ?? 300_000 }).counterexample?.steps.length;
    const best = own ?? shortest;
    if (best !== undefined && len > 2 * best) problems.push({ kind: 'safety', text: `seed ${seed}: shrunk to ${len} steps, more than 2× the BFS-shortest ${best} of its configuration` });
  }
  return { random: r, problems, findings };
}

/**
 * Runs both engines on a variant and lists the departures from its
 * expectation: a correct or harmless variant must show no violation and, for
 * the exhaustive run, every sometimes witness; a buggy one must be found by
 * both engines, with its declared property, on every seed, and the random
 * engine's shrunk trace must be at most twice the BFS-shortest.
 */
export function checkVariant(model: AnyModel, variantName: string, opts: VariantCheckOptions): VariantCheck {
  const kinds: Problem[] = [];
  let bfs: ExploreResult | undefined;
  if (!opts.skipExplore) {
    const e = checkExploreItem(model, variantName, opts);
    bfs = e.bfs;
    kinds.push(...e.problems);
  }
  const random = opts.seeds.map((seed) => {
    const s = checkSeedItem(model, variantName, seed, opts, bfs?.counterexample?.steps.length);
    kinds.push(...s.problems);
    return s.random;
  });
  return { model: model.name, variant: variantName, ...(bfs ? { bfs } : {}), random, problems: kinds.map((p) => p.text), kinds };
}

/** Seeds 1…n. */
export function seeds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
