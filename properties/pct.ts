/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010). Each context (a lane of the trace: a kernel
 * thread, a callback, the environment) gets a random priority; at every step
 * the enabled context of highest priority runs; at d−1 random change points
 * the running context drops below every initial priority. A bug of depth d
 * is then found by one run with probability at least 1/(n·k^(d−1)) for n
 * contexts and k steps.
 *
 * Priorities, change points and the choice among one context's own enabled
 * actions are fast-check values, so a failing run shrinks and replays like a
 * random-engine one.
 */
import fc from 'fast-check';
import type { ActionBase, AnyMachine, AnyModel } from '../model/contract.js';
import { variantOf } from '../model/contract.js';
import type { RunResult } from './check.js';
import { runTrace, SameProperty } from './check.js';
import type { RandomResult } from './random.js';
import { minimizeTrace } from '../shrinkers/minimize.js';

/** Options of a PCT run. */
export interface PctOptions {
  readonly seed: number;
  readonly runs: number;
  /** Bug depth d: d−1 priority change points per run. */
  readonly depth: number;
  /** Steps per run, k (default 100). */
  readonly maxSteps?: number;
}

/** One run's scheduling decisions. */
export interface PctSchedule {
  /** Priority of the i-th context met (higher runs first). */
  readonly priorities: readonly number[];
  /** Steps at which the running context's priority drops. */
  readonly changePoints: readonly number[];
  /** Choice among the running context's own enabled actions, per step. */
  readonly picks: readonly number[];
}

/** Runs one PCT schedule. */
export function runPct(m: AnyMachine, p: PctSchedule): RunResult {
  const prio = new Map<string, number>();
  let dropped = 0;
  return runTrace(
    m,
    (i, enabled) => {
      const byCtx = new Map<string, ActionBase[]>();
      for (const a of enabled) {
        const c = m.describe(a).ctx;
        if (!prio.has(c)) prio.set(c, 1000 + (p.priorities[prio.size] ?? prio.size));
        byCtx.set(c, [...(byCtx.get(c) ?? []), a]);
      }
      // highest priority first; ties (never, priorities are distinct) by name
      const ctx = [...byCtx.keys()].sort((x, y) => (prio.get(y) ?? 0) - (prio.get(x) ?? 0) || (x < y ? -1 : 1))[0] as string;
      const mine = byCtx.get(ctx) ?? [];
      const a = mine[(p.picks[i] ?? 0) % mine.length];
      // change point: the context that runs now drops below every initial priority
      if (p.changePoints.includes(i + 1)) prio.set(ctx, p.changePoints.length - dropped++);
      return a;
    },
    p.picks.length,
  );
}

/** The PCT guarantee for n contexts, k steps and depth d, and the runs it implies for 99% confidence. */
export function pctBound(n: number, k: number, d: number): { p: number; runsFor99: number } {
  const p = 1 / (n * Math.pow(k, d - 1));
  return { p, runsFor99: Math.ceil(Math.log(0.01) / Math.log(1 - p)) };
}

/** PCT result: the random engine's shape plus the bound of this run. */
export interface PctResult extends RandomResult {
  readonly contexts: number;
  readonly bound: { readonly p: number; readonly runsFor99: number };
}

/** Checks one variant with PCT schedules; a failure is shrunk by fast-check, then minimized. */
export function pctCheck(model: AnyModel, variantName: string, opts: PctOptions): PctResult {
  const variant = variantOf(model, variantName);
  const expected = variant.expect.kind === 'violates' ? variant.expect.property : undefined;
  const k = opts.maxSteps ?? 100;
  const d = Math.max(1, opts.depth);
  let contexts = 0;
  const judge = new SameProperty(expected);
  let runs = 0;
  const witnesses = new Map<string, number>();
  const schedule = fc.record({
    priorities: fc.uniqueArray(fc.nat({ max: 10_000 }), { minLength: 16, maxLength: 16 }),
    changePoints: fc.array(fc.integer({ min: 1, max: k }), { minLength: d - 1, maxLength: d - 1 }),
    picks: fc.array(fc.nat({ max: 1 << 16 }), { minLength: k, maxLength: k }),
  });
  const prop = fc.property(fc.limitShrink(fc.tuple(variant.randomConfig ?? model.randomConfig, schedule), 400), ([config, s]) => {
    const m = model.machine(variantName, config);
    const res = runPct(m, s);
    if (!judge.shrinking) {
      runs++;
      contexts = Math.max(contexts, new Set(res.trace.steps.map((x) => x.info.ctx)).size);
      for (const w of res.witnessed) witnesses.set(w, (witnesses.get(w) ?? 0) + 1);
    }
    return judge.passes(res.trace.violations);
  });
  const t0 = performance.now();
  const details = fc.check(prop, { seed: opts.seed, numRuns: opts.runs });
  const ms = performance.now() - t0;
  const base = { model: model.name, variant: variantName, seed: opts.seed, runs, ms, witnesses, contexts, bound: pctBound(Math.max(contexts, 1), k, d) };
  if (!details.failed || !details.counterexample) return base;
  const [[config, s]] = details.counterexample;
  const m = model.machine(variantName, config);
  const shrunk = runPct(m, s).trace;
  const first = shrunk.violations.find((x) => x.property === judge.target) ?? shrunk.violations[0];
  const trace = first ? minimizeTrace(m, shrunk, first.property) : shrunk;
  const v = trace.violations.find((x) => x.property === first?.property) ?? trace.violations[0];
  return {
    ...base,
    failure: { property: v?.property ?? 'unknown', message: v?.message ?? '', config, schedule: [], trace, path: details.counterexamplePath ?? '', shrinks: details.numShrinks },
  };
}
