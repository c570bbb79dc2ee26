/**
 * `mmcheck ci`: the gate a project runs on every change. Every model's
 * `reference` (and harmless variant) must hold with every witness reached,
 * and every buggy variant must still be caught with the property it declares
 * — "harness lost power" otherwise. Work is split into items (one exploration,
 * one per family member of a variant that must hold, one per seed and variant,
 * and per model that takes the fast path its differential check) that `--shard i/n` divides
 * deterministically, and `--time-limit` bounds.
 *
 * `mmcheck run` is this same loop under a search profile ({@link searchProfile}):
 * one seed item per variant, searched for any violation (or the one asked
 * for), random or PCT, and reported as found rather than judged against the
 * variant's declaration.
 */
import type { AnyModel } from '../model/contract.js';
import { expectationText, variantOf } from '../model/contract.js';
import { textTable } from '../reports/table.js';
import type { RandomResult } from '../properties/random.js';
import type { Problem, SeedSearch } from '../properties/suite.js';
import { checkExploreItem, checkLivenessItem, checkSeedItem, livenessOf, searchSeed, seeds, violationKind } from '../properties/suite.js';
import { exploreMember, familyOf, memberOf, memberProblems } from '../properties/family.js';
import { checkFastPath } from '../properties/fastpath.js';
import { withMinimizer } from '../shrinkers/search.js';
import type { Finding } from '../properties/outcome.js';
import { exploreOutcome, livenessOutcome } from '../properties/outcome.js';
import { preemptions } from '../properties/preemptions.js';
import { exitFor } from './exit.js';

/** A budget profile. */
export interface Profile {
  readonly seeds: number;
  readonly runs: number;
  /** State budget of each exploration; an exploration cut short is accepted only in `quick`. */
  readonly maxStates: number;
  readonly allowIncomplete: boolean;
  /** Also hold each shrunk counterexample to twice the BFS-shortest of its configuration (an extra exploration per seed). */
  readonly compareShortest: boolean;
  /**
   * Also check on lassos the buggy variants declared as a safety property
   * (a whole-graph search per variant). Variants that must hold, and bugs
   * declared only as an eventually-property, get their lassos in every profile.
   */
  readonly liveness: boolean;
  /**
   * State budget of each family-member item (properties/family.ts), below the
   * member's own; `undefined`: the member's own budget.
   */
  readonly familyCap?: number;
  /**
   * A search profile (`mmcheck run`): seed items only, and each reports what
   * it found (see {@link SearchMode}) instead of holding the variant to its
   * declaration. Undefined: the gate.
   */
  readonly search?: SearchMode;
}

/** How the seed items of a search profile search. */
export interface SearchMode {
  /** The property searched for in every variant; undefined: the first violation of any property. */
  readonly target?: string | undefined;
  /** PCT with this bug depth instead of uniformly random schedules. */
  readonly pctDepth?: number | undefined;
}

/** The profile of `mmcheck run`: one seed per variant, `runs` runs each, searched as `mode` says. */
export function searchProfile(runs: number, mode: SearchMode): Profile {
  return { seeds: 1, runs, maxStates: 0, allowIncomplete: true, compareShortest: false, liveness: false, search: mode };
}

/** The documented budget profiles. */
export const PROFILES: Record<string, Profile> = {
  quick: { seeds: 1, runs: 2_000, maxStates: 50_000, allowIncomplete: true, compareShortest: false, liveness: false, familyCap: 10_000 },
  ci: { seeds: 3, runs: 5_000, maxStates: 2_000_000, allowIncomplete: false, compareShortest: false, liveness: false },
  deep: { seeds: 10, runs: 10_000, maxStates: 5_000_000, allowIncomplete: false, compareShortest: true, liveness: true },
  // no false alarm over 10 × 100,000 = 10⁶ random runs of every reference and harmless variant (a bug ends its
  // seed at the first violation), plus every exhaustive check; `ci` prints the resident memory before and after
  soak: { seeds: 10, runs: 100_000, maxStates: 5_000_000, allowIncomplete: false, compareShortest: false, liveness: true },
};

/** One unit of gate work. */
export interface WorkItem {
  readonly model: AnyModel;
  readonly variant: string;
  /** `undefined`: the exploration; otherwise the random engine with this seed. */
  readonly seed?: number;
  /** The liveness check of the variant (see {@link workItems}), instead of the exploration. */
  readonly liveness?: boolean;
  /** The exploration of this member of the model's family, instead of the exploration configuration. */
  readonly member?: string;
  /**
   * The fast path's differential check (properties/fastpath.ts) on the
   * variant's exploration configuration, instead of a search: one per model
   * that opted in, on its reference, so a gate never trusts an exploration
   * the fast path took without comparing it with immer.
   */
  readonly fastPath?: boolean;
}

/** Transitions the gate's differential check of the fast path compares per model. */
export const FAST_PATH_TRANSITIONS = 10_000;

/**
 * Every item of a gate run, in a fixed order; under a search profile, only
 * the seed items. `variant` keeps one variant of each model.
 */
export function workItems(models: readonly AnyModel[], profile: Profile, seedBase: number, variant?: string): WorkItem[] {
  const items: WorkItem[] = [];
  for (const model of models) {
    if (!profile.search && (variant === undefined || variant === 'reference') && model.machine('reference', model.smallConfig).fastPath === true) items.push({ model, variant: 'reference', fastPath: true });
    for (const v of model.variants) {
      if (variant !== undefined && v.name !== variant) continue;
      if (profile.search) {
        for (const s of seeds(profile.seeds)) items.push({ model, variant: v.name, seed: seedBase + s - 1 });
        continue;
      }
      const { live, livenessOnly } = livenessOf(model, v.name);
      // a bug declared only as an eventually-property has one judge, the liveness engine
      if (!livenessOnly) items.push({ model, variant: v.name });
      // a variant that must hold is held to every member; a buggy one is judged on its own configuration
      if (v.expect.kind !== 'violates') for (const f of familyOf(model)) items.push({ model, variant: v.name, member: f.name });
      // lassos in every profile for what must hold and for liveness-only bugs; for a bug declared as a
      // safety property (with or without an eventually twin) in the deep profile only
      if (live && (profile.liveness || v.expect.kind !== 'violates' || livenessOnly)) items.push({ model, variant: v.name, liveness: true });
      if (!livenessOnly) for (const s of seeds(profile.seeds)) items.push({ model, variant: v.name, seed: seedBase + s - 1 });
    }
  }
  return items;
}

/**
 * The items with the ones that hold most memory first — liveness graphs,
 * then explorations, then family members, then seeds, then the fast path's
 * differential checks — each group in its own order. The soak runs them so: its high-water mark is reached in its
 * first tenth, and growth measured from there is what the run keeps.
 */
export function heaviestFirst(items: readonly WorkItem[]): WorkItem[] {
  const rank = (it: WorkItem): number => (it.fastPath === true ? 4 : it.liveness ? 0 : it.seed !== undefined ? 3 : it.member !== undefined ? 2 : 1);
  return items.map((it, i) => ({ it, i })).sort((x, y) => rank(x.it) - rank(y.it) || x.i - y.i).map((x) => x.it);
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n, got '${text}'`);
  return { index, count };
}

/** The items of shard i of n: every n-th item, so shards are balanced and together cover all items exactly once. */
export function shardOf<T>(items: readonly T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Outcome of one item. */
export interface ItemResult {
  readonly item: WorkItem;
  readonly problems: readonly Problem[];
  readonly ms: number;
  /** Not run (the time limit was reached first), or cut short by a stop request: judges nothing. */
  readonly skipped?: boolean;
  readonly detail: string;
  /** A seed item's search (the engine's result and its lock-order and witness findings), when it ran. */
  readonly search?: SeedSearch;
  /**
   * The counterexample an exploration or liveness item found (the declared
   * property's first), as `explore` saves it: what `ci --counterexamples` writes.
   */
  readonly found?: { readonly finding: Finding; readonly preemptions?: number };
}

/** What {@link runItems} reports as it goes, and what stops it. */
export interface RunHooks {
  /** Milliseconds since the epoch after which no item starts, and the one under way stops. */
  readonly deadline?: number | undefined;
  /** Polled by the engines; true stops them (a signal). */
  readonly stop?: (() => boolean) | undefined;
  /** An item starts. */
  readonly onStart?: (item: WorkItem) => void;
  /** One more run of a seed item (not a shrink attempt). */
  readonly onRun?: () => void;
  /** An item ended (or was not run); an exception thrown here ends the loop. */
  readonly onItem?: (result: ItemResult) => void;
  /** What of each result the loop keeps (default: all of it); see {@link withoutFindings}. */
  readonly keep?: (result: ItemResult) => ItemResult;
}

/**
 * An item's result without the counterexample it found (`search`, `found`)
 * when it behaved as declared: what the gate's report needs, and all a long
 * run should hold on to (a soak kept some 10 KB an item otherwise, and its
 * heap grew with the items run). A departure keeps its counterexample.
 */
export function withoutFindings(r: ItemResult): ItemResult {
  if (r.problems.length > 0) return r;
  const { search: _search, found: _found, ...rest } = r;
  return rest;
}

/**
 * Runs gate items until done, until the deadline, or until `stop` asks to
 * stop (a signal): the item under way then stops at its next step and,
 * unless it already found something, counts as not run.
 */
export function runItems(items: readonly WorkItem[], profile: Profile, hooks: RunHooks = {}): ItemResult[] {
  const out: ItemResult[] = [];
  const { deadline, stop: requested } = hooks;
  // the time limit stops the item under way too, whatever its engine: a signal or the deadline
  const stop = requested !== undefined || deadline !== undefined ? (): boolean => (requested?.() ?? false) || (deadline !== undefined && Date.now() >= deadline) : undefined;
  const engine = stop ? { ...profile, stop } : profile;
  const push = (r: ItemResult): void => {
    out.push(hooks.keep ? hooks.keep(r) : r);
    hooks.onItem?.(r);
  };
  for (const item of items) {
    const left = deadline !== undefined ? deadline - Date.now() : undefined;
    if ((left !== undefined && left <= 0) || stop?.()) {
      push({ item, problems: [], ms: 0, skipped: true, detail: requested?.() ? 'not run: stopped' : 'not run: time limit' });
      continue;
    }
    hooks.onStart?.(item);
    const t0 = performance.now();
    // random counterexamples are minimized: run prints and saves them, the deep profile holds them to 2× the shortest
    const budget = withMinimizer({ runs: profile.runs, ...(left !== undefined ? { timeLimitMs: left } : {}), ...(stop ? { stop } : {}), ...(hooks.onRun ? { onRun: hooks.onRun } : {}) });
    if (item.fastPath === true) {
      const config = variantOf(item.model, item.variant).exploreConfig ?? item.model.smallConfig;
      const r = checkFastPath(item.model.machine(item.variant, config), { transitions: FAST_PATH_TRANSITIONS });
      const problems: Problem[] = r.disagreement ? [{ kind: 'model-error', text: r.disagreement.message }] : [];
      push({ item, problems, ms: performance.now() - t0, detail: `fast path: ${r.transitions} transitions${r.disagreement ? ', disagrees with immer' : ' agree with immer'}` });
    } else if (item.liveness) {
      const { result, problems, config, target } = checkLivenessItem(item.model, item.variant, engine);
      if (result?.stopped === 'stop') {
        push({ item, problems: [], ms: performance.now() - t0, skipped: true, detail: `liveness: stopped after ${result.states} states` });
        continue;
      }
      const finding = result ? livenessOutcome(result, config, target).findings[0] : undefined;
      push({ item, problems, ms: performance.now() - t0, detail: `liveness: ${result ? `${result.states} states, ${result.violations.size ? [...result.violations.keys()].join(' ') : 'no violation'}` : 'no eventually-property'}`, ...(finding ? { found: { finding } } : {}) });
    } else if (item.member !== undefined) {
      const o = exploreMember(item.model, item.variant, memberOf(item.model, item.member), profile.familyCap, stop);
      if (o.stopped) {
        push({ item, problems: [], ms: performance.now() - t0, skipped: true, detail: `family ${o.member}: stopped after ${o.states} states` });
        continue;
      }
      const detail = `family ${o.member}: ${o.states} states${o.complete ? ', complete' : ', bounded'}${o.violated.length ? `, violates ${o.violated.join(' ')}` : ''}`;
      push({ item, problems: memberProblems(item.model, item.variant, o), ms: performance.now() - t0, detail });
    } else if (item.seed === undefined) {
      const { bfs, problems, config, target } = checkExploreItem(item.model, item.variant, engine);
      if (bfs.stopped === 'stop') {
        push({ item, problems: [], ms: performance.now() - t0, skipped: true, detail: `explore: stopped after ${bfs.states} states` });
        continue;
      }
      const detail = bfs.counterexample ? `explore: shortest ${bfs.counterexample.steps.length} steps` : `explore: ${bfs.states} states${bfs.complete ? ', complete' : ', bounded'}`;
      const finding = exploreOutcome(bfs, config, target).findings[0];
      const found = finding ? { finding, preemptions: preemptions(item.model.machine(item.variant, config), finding.trace) } : undefined;
      push({ item, problems, ms: performance.now() - t0, detail, ...(found ? { found } : {}) });
    } else if (profile.search) {
      const search = searchSeed(item.model, item.variant, item.seed, { ...budget, target: profile.search.target, ...(profile.search.pctDepth !== undefined ? { pctDepth: profile.search.pctDepth } : {}) });
      push({ item, problems: foundProblems(item, search), ms: performance.now() - t0, detail: seedDetail(item.seed, search.random), search, ...(search.random.interrupted && !search.random.failure && requested?.() ? { skipped: true } : {}) });
    } else {
      const { random, problems, findings } = checkSeedItem(item.model, item.variant, item.seed, { ...budget, compareShortest: profile.compareShortest });
      const search = { random, findings };
      if (random.interrupted && !random.failure && requested?.()) {
        push({ item, problems: [], ms: performance.now() - t0, skipped: true, detail: `seed ${item.seed}: stopped after ${random.runs} runs`, search });
        continue;
      }
      push({ item, problems, ms: performance.now() - t0, detail: seedDetail(item.seed, random), search });
    }
  }
  return out;
}

/** What a seed item's detail says: the property found and after how many runs, or the runs made. */
function seedDetail(seed: number, random: RandomResult): string {
  return random.failure ? `seed ${seed}: ${random.failure.property} in ${random.runs} runs` : `seed ${seed}: ${random.runs} runs${random.interrupted ? ' (interrupted)' : ''}`;
}

/**
 * The problems of a search-profile item, as `mmcheck run` reports them: the
 * kind of whatever violation it found (expected or not: the table says which),
 * a model that threw, and the lock-order and witness findings of its runs.
 */
function foundProblems(item: WorkItem, s: SeedSearch): Problem[] {
  const r = s.random;
  const found: Problem[] = r.failure ? [{ kind: violationKind(item.model, item.variant, r.failure.property), text: `seed ${r.seed}: ${r.failure.property} violated (${r.failure.message})` }] : [];
  const threw: Problem[] = r.modelError !== undefined ? [{ kind: 'model-error', text: `seed ${r.seed}: model threw: ${r.modelError}` }] : [];
  return [...found, ...threw, ...s.findings.problems];
}

/** Lines of the gate's report and its exit code. */
export function gateReport(results: readonly ItemResult[]): { lines: string[]; code: number } {
  const lines: string[] = [];
  const byVariant = new Map<string, ItemResult[]>();
  for (const r of results) {
    const k = `${r.item.model.name} ${r.item.variant}`;
    byVariant.set(k, [...(byVariant.get(k) ?? []), r]);
  }
  const rows: string[][] = [['model', 'variant', 'expected', 'verdict', 'items', 'time']];
  for (const [, rs] of byVariant) {
    const first = rs[0];
    if (!first) continue;
    const v = first.item.model.variants.find((x) => x.name === first.item.variant);
    const expected = v ? expectationText(v) : '?';
    const problems = rs.flatMap((r) => r.problems);
    const ran = rs.filter((r) => !r.skipped);
    const verdict = problems.some((p) => p.kind === 'lost-power')
      ? 'LOST POWER'
      : problems.length
        ? `BROKEN (${[...new Set(problems.map((p) => p.kind))].join(', ')})`
        : ran.length < rs.length ? 'ok (partial)' : 'ok';
    rows.push([first.item.model.name, first.item.variant, expected, verdict, `${ran.length}/${rs.length}`, `${(rs.reduce((a, r) => a + r.ms, 0) / 1000).toFixed(1)}s`]);
    for (const p of problems) lines.push(`  ${first.item.model.name} ${first.item.variant}: ${p.kind === 'lost-power' ? `harness lost power: ${first.item.variant} no longer caught — ` : ''}${p.text}`);
  }
  return { lines: [...textTable(rows), ...lines], code: exitFor(results.flatMap((r) => r.problems.map((p) => p.kind))) };
}
