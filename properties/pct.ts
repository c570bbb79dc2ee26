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
import type { RunResult } from './check.js';
import { runTrace } from './check.js';
import type { RunOptions } from './core.js';
import type { RandomOptions, RandomResult } from './random.js';
import { searchVariant } from './random.js';

/** Steps per PCT run, k, unless `maxSteps` says otherwise. */
export const PCT_STEPS = 100;

/** Options of a PCT run: those of the random engine plus the bug depth. */
export interface PctOptions extends RandomOptions {
  /** Bug depth d: d−1 priority change points per run. */
  readonly depth: number;
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

/** Runs one PCT schedule, on the fast path when the machine opted in (unless `opts.fastPath` is false). */
export function runPct(m: AnyMachine, p: PctSchedule, opts: RunOptions = {}): RunResult {
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
    { fastPath: true, ...opts },
  );
}

/** The PCT guarantee for n contexts, k steps and depth d, and the runs it implies for 99% confidence. */
export function pctBound(n: number, k: number, d: number): { p: number; runsFor99: number } {
  const p = 1 / (n * Math.pow(k, d - 1));
  return { p, runsFor99: Math.ceil(Math.log(0.01) / Math.log(1 - p)) };
}

/** PCT result: the random engine's shape plus the bound of this run. */
export interface PctResult extends RandomResult {
  /** Most contexts met in one run, n. */
  readonly contexts: number;
  /** Longest run, k (runs end early at quiescence or a state with nothing enabled). */
  readonly steps: number;
  readonly bound: { readonly p: number; readonly runsFor99: number };
}

/** Checks one variant with PCT schedules; a failure is shrunk by fast-check, then minimized if `opts.minimize` is given. */
export function pctCheck(model: AnyModel, variantName: string, opts: PctOptions): PctResult {
  const k = opts.maxSteps ?? PCT_STEPS;
  const d = Math.max(1, opts.depth);
  let contexts = 0;
  let longest = 0;
  const schedules = fc.record({
    priorities: fc.uniqueArray(fc.nat({ max: 10_000 }), { minLength: 16, maxLength: 16 }),
    changePoints: fc.array(fc.integer({ min: 1, max: k }), { minLength: d - 1, maxLength: d - 1 }),
    picks: fc.array(fc.nat({ max: 1 << 16 }), { minLength: k, maxLength: k }),
  });
  const r = searchVariant(model, variantName, opts, {
    schedules,
    run: runPct,
    observe: (res) => {
      contexts = Math.max(contexts, new Set(res.trace.steps.map((x) => x.info.ctx)).size);
      longest = Math.max(longest, res.trace.steps.length);
    },
  });
  // the bound for the programs actually met: n contexts, k the longest run (at most the step budget)
  return { ...r, contexts, steps: longest, bound: pctBound(Math.max(contexts, 1), Math.max(longest, 1), d) };
}
