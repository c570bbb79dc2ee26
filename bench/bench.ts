/**
 * `npm run bench`: for every variant of every model, the random engine's
 * runs and time to first failure (median over 10 seeds, without shrinking),
 * the shrunk and minimized length (median), and the exhaustive engine's
 * shortest length, states and states per second on the variant's
 * configuration. Then the exhaustive engine's own section (`npm run bench --
 * engine [MODEL]` runs only that): per model, states/s, transitions/s, bytes
 * per state in both storage modes, the symmetry reduction and the speedup on
 * two worker threads, on the §7 configuration and on a larger one. And the
 * bug-finding power of every buggy variant (`npm run bench -- power [MODEL]`
 * alone; see `power.ts`). The liveness engine's figures per variant:
 * `npm run bench -- liveness [MODEL]`, and where the exhaustive engine's time
 * goes, `npm run bench -- profile [MODEL]`, are not part of the full run; the
 * state-count factor of `--memory lkmm` over SC (`npm run bench -- memory
 * [MODEL]`) is. How many states partial-order reduction could prune, before
 * it is built: `npm run bench -- por [MODEL]` (`por.ts`). Each phase of a
 * transition timed alone, and what a packed state could give at most:
 * `npm run bench -- phases [MODEL]` (`phases.ts`). What a transition cache
 * over collapsed states could give, measured on the engine's graph:
 * `npm run bench -- memo [MODEL]` (`memo.ts`); the same cache built end to
 * end and timed against the engine: `npm run bench -- cached [MODEL]`
 * (`cached.ts`). Timings are measured here, never asserted in tests.
 */
import type { AnyModel } from '../model/contract.js';
import { expectationText, expectedProperty } from '../model/contract.js';
import { textTable } from '../reports/table.js';
import { MODELS, modelSource } from '../model/registry.js';
import os from 'node:os';
import type { ExploreResult } from '../properties/explore.js';
import { explore } from '../properties/explore.js';
import { exploreParallel } from '../properties/explore-parallel.js';
import { checkLiveness } from '../properties/liveness.js';
import { randomSearch } from '../shrinkers/search.js';
import type { PowerRow } from './power.js';
import { median, powerRow, powerTable } from './power.js';
import { profileExplore, summarize } from './profile.js';
import { porPotential } from './por.js';
import type { CachedResult } from './cached.js';
import { cachedSearch } from './cached.js';
import { memoCeiling, memoSplit } from './memo.js';
import { packedCeiling, phaseSplit, rulesCeiling } from './phases.js';
import { roundRobin } from './rounds.js';
import { underMemoryModel } from '../model/memory.js';

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);

function row(m: AnyModel, variant: string, runs: number): string[] {
  const v = m.variants.find((x) => x.name === variant);
  if (!v) return [];
  const target = expectedProperty(v);
  const bfs = explore(m.machine(v.name, v.exploreConfig ?? m.smallConfig), target ? { target } : {});
  const rate = Math.round(bfs.states / Math.max(bfs.ms / 1000, 1e-3));
  const expect = expectationText(v);
  const bfsCols = [String(bfs.states), String(rate), bfs.counterexample ? String(bfs.counterexample.steps.length) : bfs.complete ? 'none' : 'incomplete'];
  if (!target) {
    const r = randomSearch(m, v.name, { seed: 1, runs });
    return [m.name, v.name, expect, r.failure ? `FOUND ${r.failure.property}` : 'none', `${r.runs}`, `${(r.ms / 1000).toFixed(2)}s`, '-', ...bfsCols];
  }
  const first = SEEDS.map((seed) => randomSearch(m, v.name, { seed, runs, noShrink: true }));
  const shrunk = SEEDS.map((seed) => randomSearch(m, v.name, { seed, runs }));
  const found = first.filter((r) => r.failure).length;
  return [
    m.name, v.name, expect, `${found}/10`,
    String(median(first.map((r) => r.runs))),
    `${median(first.map((r) => r.ms)).toFixed(0)}ms`,
    String(median(shrunk.filter((r) => r.failure).map((r) => r.failure?.trace.steps.length ?? 0))),
    ...bfsCols,
  ];
}

function print(rows: string[][]): void {
  for (const l of textTable(rows)) process.stdout.write(l + '\n');
}

/**
 * A configuration 10–100× the §7 one per model (the reference variant), for
 * the engine section: one more budget of the environment each (msgmni: §7 as
 * written, with two created namespaces). On a loaded machine some stop at
 * the time limit; the row says so.
 */
const LARGER: Record<string, Record<string, unknown>> = {
  memcg: { charges: 2 },
  slab: { pages: 3 },
  balloon: { oomEvents: 1 },
  msgmni: { creates: 2 },
  reserve: { sets: 2 },
};

/** Time limit of one exploration of a larger configuration. */
const LARGE_LIMIT_MS = 60_000;

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** One engine row: verdict, counts, throughput, storage. */
function engineRow(model: string, config: string, how: string, r: ExploreResult, reduction: string): string[] {
  const sec = Math.max(r.ms / 1000, 1e-3);
  const found = r.counterexample ? `violation (${r.counterexample.steps.length} steps)` : r.complete ? 'complete' : `incomplete: ${r.stopped ?? 'bound'}`;
  return [
    model, config, how, found, String(r.states), String(r.depth), String(r.transitions), sec.toFixed(2),
    String(Math.round(r.states / sec)), String(Math.round(r.transitions / sec)), r.bytesPerState.toFixed(1), String(r.peakFrontier), reduction, load(),
  ];
}

/**
 * The exhaustive engine per model: the reference on its §7 configuration in
 * fingerprint mode on the fast path and on the immer path, in exact mode, without symmetry (the reduction factor is the
 * ratio of state counts), on two worker threads; then a larger configuration
 * (time-limited) on one thread and on two.
 */
async function engineSection(only: string | undefined): Promise<void> {
  const rows = [['model', 'config', 'engine', 'verdict', 'states', 'depth', 'transitions', 's', 'states/s', 'trans/s', 'B/state', 'peak frontier', 'symmetry ×', 'load 1/5/15m']];
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    const runs: [string, unknown, number | undefined][] = [['§7', m.smallConfig, undefined]];
    const big = LARGER[m.name];
    if (big) runs.push([`§7 + ${JSON.stringify(big)}`, { ...(m.smallConfig as object), ...big }, LARGE_LIMIT_MS]);
    for (const [label, config, limit] of runs) {
      const machine = m.machine('reference', config);
      const opts = limit !== undefined ? { timeLimitMs: limit } : {};
      // both paths once on a small budget first, so that neither row pays the JIT's warm-up
      for (const fastPath of [true, false]) explore(machine, { maxStates: 10_000, fastPath });
      const fp = explore(machine, opts);
      // the same search with every step through immer: the fast path's gain, measured in one run (issue 18)
      const slow = explore(machine, { ...opts, fastPath: false });
      const gain = fp.states / fp.ms / (slow.states / slow.ms);
      // without symmetry: no canonical key, and every choice a model prunes as symmetric enumerated
      const all = machine.symmetry ? explore(m.machine('reference', config, { symmetry: false }), { ...opts, symmetry: false }) : undefined;
      const factor = all && fp.complete && all.complete ? (all.states / fp.states).toFixed(2) : all ? '?' : '1 (none)';
      rows.push(engineRow(m.name, label, `fingerprint, fast path (×${gain.toFixed(2)})`, fp, factor));
      rows.push(engineRow(m.name, label, 'fingerprint, immer path', slow, ''));
      if (all) rows.push(engineRow(m.name, label, 'fingerprint, no symmetry', all, ''));
      if (limit === undefined) rows.push(engineRow(m.name, label, 'exact', explore(machine, { ...opts, exact: true }), ''));
      const two = await exploreParallel(machine, { ...modelSource(m.name), variant: 'reference', config }, 2, opts);
      // states per second, not time: a time-limited run of either kind lasts the limit
      const speedup = two.states / two.ms / (fp.states / fp.ms);
      rows.push(engineRow(m.name, label, `2 workers (×${speedup.toFixed(2)})`, two, ''));
      process.stderr.write(`engine ${m.name} ${label} done\n`);
    }
  }
  process.stdout.write('\nexhaustive engine (reference variant):\n');
  print(rows);
  process.stdout.write(
    `\nB/state: the fingerprint table and the trace links per distinct state (exact: an estimate of the stored key strings); peak frontier: whole states held at once, not in B/state. ` +
      `fast path (×g): states/s over the immer path (every step through immer drafts; the other rows take the fast path). ` +
      `symmetry ×: states without / with the model's symmetry reduction. 2 workers (×s): speedup in states/s over one thread on ${os.cpus().length} cores; ` +
      `larger configurations stop after ${LARGE_LIMIT_MS / 1000} s. The load average is that of the machine when the row was measured.\n`,
  );
}

/** Bug-finding power per buggy variant (issue 8's table). */
function powerSection(only: string | undefined): void {
  const rows: PowerRow[] = [];
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    for (const v of m.variants) {
      const property = expectedProperty(v);
      if (property === undefined) continue;
      rows.push(powerRow(m, v.name, property));
      process.stderr.write(`power ${m.name} ${v.name} done\n`);
    }
  }
  process.stdout.write('\nbug-finding power (buggy variants):\n');
  for (const l of powerTable(rows)) process.stdout.write(l + '\n');
}

/** Each liveness graph is bounded: without symmetry reduction some configurations (balloon W1's) outgrow memory. */
const LIVENESS_MAX_STATES = 500_000;

/** The liveness engine on each variant's exploration configuration: graph size, time, and the lassos it found. */
function livenessSection(only: string | undefined): void {
  const rows = [['model', 'variant', 'expected', 'eventually', 'found', 'states', 'transitions', 's', 'states/s', 'load 1/5/15m']];
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    for (const v of m.variants) {
      const r = checkLiveness(m.machine(v.name, v.exploreConfig ?? m.smallConfig), { maxStates: LIVENESS_MAX_STATES });
      if (!r.properties.length) continue;
      const found = [...r.violations.values()].map((x) => `${x.property} ${x.kind === 'cycle' ? `lasso ${x.prefix}+${x.cycle}` : `stuck at ${x.prefix}`}`).join(', ');
      const sec = Math.max(r.ms / 1000, 1e-3);
      const expect = expectationText(v);
      rows.push([m.name, v.name, expect, r.properties.join(' '), found || (r.complete ? 'none' : 'incomplete'), `${r.states}${r.complete ? '' : '+'}`, String(r.transitions), sec.toFixed(1), String(Math.round(r.states / sec)), load()]);
      process.stderr.write(`liveness ${m.name} ${v.name} done\n`);
    }
  }
  process.stdout.write('\nliveness engine (eventually-properties, exploration configuration of each variant):\n');
  print(rows);
  process.stdout.write(`\nlasso p+c: a prefix of p steps, then a cycle of c; stuck at p: no context can move after p steps; states+: stopped at ${LIVENESS_MAX_STATES} states.\n`);
}

/** Where the exhaustive engine's time goes, per model (bench/profile.ts): not part of the full run. */
async function profileSection(only: string | undefined): Promise<void> {
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    for (const fast of [false, true]) {
      const { profile, states, ms, compiled } = await profileExplore(m, PROFILE_MAX_STATES, fast);
      const { layers, functions } = summarize(profile);
      const path = fast ? 'fast path' : 'immer path';
      process.stdout.write(`\n${m.name} reference, small configuration, ${path}: ${states} states in ${(ms / 1000).toFixed(1)} s under the profiler (load ${load()})\n`);
      print([['layer', 'self time'], ...layers.filter(([, p]) => p >= 0.5).map(([k, p]) => [k, `${p.toFixed(1)} %`])]);
      print([['function', 'self time'], ...functions.map(([k, p]) => [k, `${p.toFixed(1)} %`])]);
      if (fast) process.stdout.write(`compiled copiers so far in this process: ${compiled.shapes} object shapes; walked as dictionaries: ${compiled.dictionaries.join(', ') || 'none'}\n`);
    }
  }
}

const PROFILE_MAX_STATES = 60_000;

/**
 * The cost of the kernel's memory model (issue 19): for every variant whose
 * machine keeps a weak memory under `lkmm`, the complete exploration
 * (every property, `--keep-going`) of its exploration configuration under
 * SC and under LKMM: states, the factor, and the properties violated.
 */
function memorySection(only: string | undefined): void {
  const rows = [['model', 'variant', 'sc states', 'lkmm states', 'lkmm / sc', 'sc violated', 'lkmm violated', 'sc s', 'lkmm s', 'load 1/5/15m']];
  for (const m of MODELS) {
    if ((only !== undefined && m.name !== only) || m.weakMemory === undefined) continue;
    const lk = underMemoryModel(m, 'lkmm');
    for (const v of m.variants) {
      const weak = lk.machine(v.name, lk.variants.find((x) => x.name === v.name)?.exploreConfig ?? lk.smallConfig);
      // a variant that marks nothing runs the same under both (DRF-SC): no row
      if (weak.kernel(weak.init()).mem === undefined) continue;
      const sc = explore(m.machine(v.name, v.exploreConfig ?? m.smallConfig), { keepGoing: true });
      const wk = explore(weak, { keepGoing: true });
      const names = (r: ExploreResult): string => [...r.violated.keys()].join(' ') || 'none';
      rows.push([m.name, v.name, `${sc.states}${sc.complete ? '' : '+'}`, `${wk.states}${wk.complete ? '' : '+'}`, `${(wk.states / sc.states).toFixed(2)}×`, names(sc), names(wk), (sc.ms / 1000).toFixed(1), (wk.ms / 1000).toFixed(1), load()]);
      process.stderr.write(`memory ${m.name} ${v.name} done\n`);
    }
  }
  process.stdout.write('\nweak memory (--memory lkmm against sc, complete exploration of each variant\'s configuration, every property):\n');
  print(rows);
}

/** States an ample set could prune, per model (bench/por.ts): not part of the full run. */
function porSection(only: string | undefined): void {
  const rows = [['model', 'states', 'complete', '≥2 contexts enabled', 'a context with own-field steps only', '… that no property sees', 'a step of any context that no property sees', 'those steps (states)', 'what the properties see (times)']];
  const pct = (n: number, of: number): string => `${n} (${((100 * n) / Math.max(of, 1)).toFixed(1)} %)`;
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    const r = porPotential(m.machine('reference', m.smallConfig), POR_MAX_STATES);
    rows.push([m.name, String(r.states), r.complete ? 'yes' : 'no', String(r.interleaved), pct(r.local, r.interleaved), pct(r.invisible, r.interleaved), pct(r.someInvisible, r.interleaved), r.invisibleSteps.map(([f, n]) => `${f} ${n}`).join('; ') || '-', r.visibleBy.map(([f, n]) => `${f} ${n}`).join('; ') || '-']);
    process.stderr.write(`por ${m.name} done\n`);
  }
  process.stdout.write('\npartial-order reduction, room for ample sets (reference, §7 configuration; an upper bound, see bench/por.ts):\n');
  print(rows);
}

/** Each transition's phases alone, per model (bench/phases.ts): not part of the full run. */
function phasesSection(only: string | undefined): void {
  const us = (x: number): string => x.toFixed(2);
  const rows = [['model', 'states', 'transitions', 'actions', 'step immer', 'step fast', '… copy', 'share', 'key', 'hash', 'judge', 'engine immer', 'engine fast', 'fast/immer', 'ceiling, packed', 'ceiling, rule code', 'load 1/5/15m']];
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    const p = phaseSplit(m.machine('reference', m.smallConfig), PHASES_MAX_STATES);
    rows.push([m.name, String(p.states), String(p.transitions), us(p.actions), us(p.immerStep), us(p.fastStep), us(p.copy), us(p.share), us(p.key), us(p.hash), us(p.judge), us(p.engineImmer), us(p.engineFast), `${(p.engineImmer / p.engineFast).toFixed(2)}×`, `${packedCeiling(p).toFixed(2)}×`, `${rulesCeiling(p).toFixed(2)}×`, load()]);
    process.stderr.write(`phases ${m.name} done\n`);
  }
  process.stdout.write(`\nwhere a transition's time goes (µs per transition, reference, §7 configuration, at most ${PHASES_MAX_STATES} states; medians of 3; see bench/phases.ts):\n`);
  print(rows);
  process.stdout.write('ceiling, packed: engine immer ÷ (engine fast − copy − share − key − hash), the fast path\'s gain if a packed state made those free.\n');
  process.stdout.write('ceiling, rule code: engine immer ÷ (actions + step fast − copy + judge), the gain if only the model\'s guards, effects and properties cost anything.\n');
}

/** A transition cache over collapsed states, per model (bench/memo.ts): not part of the full run. */
function memoSection(only: string | undefined): void {
  const us = (x: number): string => x.toFixed(2);
  const per = (e: number, of: number): string => `${e} (${((100 * e) / Math.max(of, 1)).toFixed(1)} %)`;
  const rows = [['model', 'states', 'transitions', 'components', 'widest key: guard / step / check', 'entries: guards', 'entries: steps', 'entries: properties', 'conflicts: guards / steps / checks', 'vectors / keys', 'code: guards', 'code: step', 'code: properties', 'lookup: guards', 'lookup: step', 'lookup: properties', 'hash', 'engine immer', 'ceiling, cached', 'load 1/5/15m']];
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    const p = memoSplit(m.machine('reference', m.smallConfig), PHASES_MAX_STATES);
    rows.push([m.name, String(p.states), String(p.transitions), String(p.components), `${p.rowActions} / ${p.rowStepMax} / ${p.rowJudge}`, per(p.entriesActions, p.actionCalls * p.guards), per(p.entriesStep, p.transitions), per(p.entriesJudge, p.transitions * p.judgeParts), p.conflicts.join(' / '), `${p.vectors} / ${p.keys}`, us(p.codeActions), us(p.codeStep), us(p.codeJudge), us(p.hitActions), us(p.hitStep), us(p.hitJudge), us(p.hash), us(p.engineImmer), `${memoCeiling(p).toFixed(2)}×`, load()]);
    process.stderr.write(`memo ${m.name} done\n`);
  }
  process.stdout.write(`\na transition cache over collapsed states (µs per transition, reference, §7 configuration, at most ${PHASES_MAX_STATES} states; medians of 3; see bench/memo.ts):\n`);
  print(rows);
  process.stdout.write('entries: distinct keys, the calls of the model\'s code a cached search still makes (each as a share of the guard calls, the steps, the checks).\n');
  process.stdout.write('ceiling, cached: engine immer ÷ (the three lookups + hash + each entry once at the code\'s cost), the engine\'s own bookkeeping left out.\n');
}

/**
 * The transition cache built end to end, per model (bench/cached.ts): the
 * complete §7 search on it and on both of the engine's paths, alternating,
 * medians of 3 after a warm-up round. Not part of the full run.
 */
function cachedSection(only: string | undefined): void {
  const rows = [['model', 'states', 'transitions', 'same count', 'cached s', 'fast path s', 'immer path s', 'cached / fast', 'cached / immer', 'misses: guards / steps / checks', 'checks asked directly', 'load 1/5/15m']];
  const pct = (x: number, of: number): string => `${((100 * x) / Math.max(of, 1)).toFixed(1)} %`;
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    const machine = m.machine('reference', m.smallConfig);
    let last: CachedResult | undefined;
    let sameCount = true;
    const med = roundRobin(
      {
        cached: () => {
          last = cachedSearch(machine, CACHED_MAX_STATES);
          return last.ms;
        },
        fast: () => {
          const r = explore(machine, { maxStates: CACHED_MAX_STATES });
          sameCount &&= last !== undefined && r.states === last.states && r.transitions === last.transitions && r.complete === last.complete;
          return r.ms;
        },
        immer: () => explore(machine, { maxStates: CACHED_MAX_STATES, fastPath: false }).ms,
      },
      3,
    );
    const c = last as CachedResult | undefined;
    if (c === undefined) continue;
    const [cached, fast, immer] = [med('cached'), med('fast'), med('immer')];
    rows.push([m.name, `${c.states}${c.complete ? '' : '+'}`, String(c.transitions), sameCount ? 'yes' : 'NO', (cached / 1000).toFixed(2), (fast / 1000).toFixed(2), (immer / 1000).toFixed(2), `${(fast / cached).toFixed(2)}×`, `${(immer / cached).toFixed(2)}×`, `${pct(c.misses[0], c.lookups[0])} / ${pct(c.misses[1], c.lookups[1])} / ${pct(c.misses[2], c.lookups[2])}`, c.directNames.join(' ') || '-', load()]);
    process.stderr.write(`cached ${m.name} done\n`);
  }
  process.stdout.write('\na transition cache built end to end (reference, §7 configuration, complete; wall s, medians of 3; see bench/cached.ts):\n');
  print(rows);
  process.stdout.write('same count: the cached search met the engine\'s states and transitions exactly. cached / fast: how many times faster than the engine\'s fast path (above 1: faster).\n');
}

/** The cached bench's bound on states: every §7 graph is smaller. */
const CACHED_MAX_STATES = 2_000_000;

/** States each model's graph is recorded to for {@link phasesSection} and {@link memoSection}. */
const PHASES_MAX_STATES = 60_000;

/** States each model's graph is explored to for {@link porSection}: every §7 graph is smaller. */
const POR_MAX_STATES = 400_000;

const only = process.argv[2];
if (only === 'profile') await profileSection(process.argv[3]);
else if (only === 'engine') await engineSection(process.argv[3]);
else if (only === 'power') powerSection(process.argv[3]);
else if (only === 'liveness') livenessSection(process.argv[3]);
else if (only === 'memory') memorySection(process.argv[3]);
else if (only === 'por') porSection(process.argv[3]);
else if (only === 'phases') phasesSection(process.argv[3]);
else if (only === 'memo') memoSection(process.argv[3]);
else if (only === 'cached') cachedSection(process.argv[3]);
else {
  const header = ['model', 'variant', 'expected', 'found', 'runs→fail', 'time→fail', 'shrunk', 'bfs states', 'states/s', 'bfs shortest'];
  const rows = [header];
  for (const m of MODELS) {
    if (only !== undefined && m.name !== only) continue;
    for (const v of m.variants) {
      rows.push(row(m, v.name, 10_000));
      process.stderr.write(`${m.name} ${v.name} done\n`);
    }
  }
  print(rows);
  process.stdout.write('\nruns→fail, time→fail: median over seeds 1–10 of runs and time until the first failing run (no shrinking); shrunk: median length after shrinking and minimizing; reference and harmless rows: one seed of 10,000 runs.\n');
  powerSection(only);
  await engineSection(only);
  memorySection(only);
}
