/**
 * Random engine: fast-check generates a configuration and a schedule, an
 * array of choices read as "take the (k mod n)-th of the n enabled actions".
 * The schedule is plain data, so fast-check's array shrinker shortens it;
 * every property is checked after every step.
 *
 * Shrinking keeps the *same* property failing: the first failure fixes the
 * target property (the variant's expected one when it is among those
 * violated), and a shrink candidate counts as failing only if it violates it.
 * With `target`, only that property fails a run at all (the gate's search for
 * a variant's declared bug).
 */
import fc from 'fast-check';
import type { AnyMachine, AnyModel } from '../model/contract.js';
import { expectedProperty, variantOf } from '../model/contract.js';
import type { RunResult, Trace } from './check.js';
import type { CheckOptions, RunOptions } from './core.js';
import { preemptions } from './preemptions.js';
import type { LockGraph } from './lockorder.js';
import { runTrace, SameProperty, sometimesNames } from './check.js';

/** Shortens a trace that violates `property` on `m`, keeping that violation. */
export type Minimizer = (m: AnyMachine, trace: Trace, property: string) => Trace;

/** Options of a random run: the shared {@link CheckOptions} that apply, and the random engine's own. */
export interface RandomOptions extends Pick<CheckOptions, 'timeLimitMs' | 'stop' | 'onRun'> {
  readonly seed: number;
  readonly runs: number;
  /** Longest schedule generated (default 200). fast-check's default size would cap it at 10. */
  readonly maxSteps?: number;
  /** Bound on fast-check shrink steps before the minimizer takes over (default 400). */
  readonly maxShrinks?: number;
  /** Every run's trace adds its lock-order edges here (predictive lock-order checking). */
  readonly lockGraph?: LockGraph;
  /** Skip shrinking (to time the first failure alone). */
  readonly noShrink?: boolean;
  /**
   * Shortens fast-check's shrunk counterexample further (the trace minimizer,
   * `shrinkers/minimize.ts`, passed in by the layers above: `shrinkers/search.ts`).
   * Without it the counterexample is fast-check's shrunk trace.
   */
  readonly minimize?: Minimizer;
  /**
   * Search for this property only (as the exhaustive engine's `target`): a
   * run ending on another violation counts as passing and is tallied in
   * `others`. Default: the first violation of any property.
   */
  readonly target?: string;
}

/** A random run's outcome. */
export interface RandomResult {
  readonly model: string;
  readonly variant: string;
  readonly seed: number;
  /** Runs executed, up to and including the first failing one. */
  readonly runs: number;
  readonly ms: number;
  /** Shrunk counterexample, if a run failed. */
  readonly failure?: {
    readonly property: string;
    readonly message: string;
    readonly config: unknown;
    /** Length of the trace fast-check shrank to, before the minimizer. */
    readonly shrunkSteps: number;
    /** Preemptions in `trace` (switches away from a context that could have run on). */
    readonly preemptions: number;
    /** The counterexample: minimized when a {@link RandomOptions.minimize} was given, else as fast-check shrank it. */
    readonly trace: Trace;
    /** fast-check's replay path of the shrunk counterexample. */
    readonly path: string;
    readonly shrinks: number;
  };
  /** Per sometimes-property: in how many runs it was witnessed. */
  readonly witnesses: ReadonlyMap<string, number>;
  /** True when the time limit stopped the runs before the budget was spent. */
  readonly interrupted?: boolean;
  /** An error thrown by the model itself (e.g. `next` threw), reported as such. */
  readonly modelError?: string;
  /** Targeted runs only: runs that ended on another property's violation, by property. */
  readonly others?: ReadonlyMap<string, number>;
}

/** Runs one schedule on a machine, on the fast path when the machine opted in (unless `opts.fastPath` is false). */
export function runSchedule(m: AnyMachine, schedule: readonly number[], opts: RunOptions = {}): RunResult {
  return runTrace(
    m,
    (i, enabled) => {
      const k = schedule[i];
      return k === undefined ? undefined : enabled[k % enabled.length];
    },
    Number.POSITIVE_INFINITY,
    { fastPath: true, ...opts },
  );
}

/**
 * A way of scheduling runs: fast-check generates its schedules, `run` plays
 * one on a machine. The random engine and PCT are the two; everything else
 * about a search (judging, witnesses, lock order, shrinking, minimizing) is
 * shared by {@link searchVariant}.
 */
export interface Scheduler<T> {
  readonly schedules: fc.Arbitrary<T>;
  run(m: AnyMachine, schedule: T, opts?: RunOptions): RunResult;
  /** Called with every run's result before any failure (to gather statistics such as contexts met). */
  observe?(res: RunResult): void;
}

/** Searches one variant with a scheduler; see {@link RandomOptions}. */
export function searchVariant<T>(model: AnyModel, variantName: string, opts: RandomOptions, sched: Scheduler<T>): RandomResult {
  const variant = variantOf(model, variantName);
  const expected = expectedProperty(variant);
  const configArb = variant.randomConfig ?? model.randomConfig;
  const witnesses = new Map<string, number>();
  const judge = new SameProperty(opts.target ?? expected, opts.target !== undefined);
  let modelError: string | undefined;
  let runsUntilFailure = 0;

  // fast-check's shrinker is bounded (its cost grows with schedule length);
  // the minimizer finishes the job on the short trace it leaves
  const input = fc.limitShrink(fc.tuple(configArb, sched.schedules), opts.maxShrinks ?? 400);
  let stopped = false;
  const prop = fc.property(input, ([config, schedule]) => {
    // a stop request: a precondition failure that interrupts ends fast-check's loop at once (no more inputs are generated)
    if (!judge.shrinking && (stopped ||= opts.stop?.() === true)) throw new fc.PreconditionFailure(true);
    let res: RunResult;
    try {
      const m = model.machine(variantName, config);
      if (witnesses.size === 0) for (const n of sometimesNames(m)) witnesses.set(n, 0);
      // lock-order edges come from the runs before the first failure, not from shrink attempts
      const lock = opts.lockGraph && !judge.shrinking ? { graph: opts.lockGraph, source: `seed ${opts.seed} run ${runsUntilFailure + 1}`, config } : undefined;
      res = sched.run(m, schedule, lock ? { lock } : {});
    } catch (e) {
      modelError ??= e instanceof Error ? e.message : String(e);
      throw e;
    }
    if (!judge.shrinking) {
      runsUntilFailure++;
      for (const w of res.witnessed) witnesses.set(w, (witnesses.get(w) ?? 0) + 1);
      sched.observe?.(res);
    }
    const shrinking = judge.shrinking;
    const passes = judge.passes(res.trace.violations);
    if (!shrinking) opts.onRun?.(!passes);
    return passes;
  });

  const t0 = performance.now();
  const details = fc.check(prop, {
    seed: opts.seed,
    numRuns: opts.runs,
    endOnFailure: opts.noShrink ?? false,
    ...(opts.timeLimitMs !== undefined ? { interruptAfterTimeLimit: Math.max(1, opts.timeLimitMs) } : {}),
  });
  const ms = performance.now() - t0;
  const base = {
    model: model.name, variant: variantName, seed: opts.seed, runs: runsUntilFailure, ms, witnesses,
    ...(details.interrupted || stopped ? { interrupted: true } : {}),
    ...(opts.target !== undefined ? { others: judge.others } : {}),
  };
  if (modelError !== undefined) return { ...base, modelError };
  if (!details.failed || !details.counterexample) return base;
  const [[config, schedule]] = details.counterexample;
  const m = model.machine(variantName, config);
  const shrunk = sched.run(m, schedule).trace;
  const first = shrunk.violations.find((x) => x.property === judge.target) ?? shrunk.violations[0];
  // fast-check shrinks the schedule; the minimizer, if given, then drops steps it left behind
  const trace = first && !opts.noShrink && opts.minimize ? opts.minimize(m, shrunk, first.property) : shrunk;
  const v = trace.violations.find((x) => x.property === first?.property) ?? trace.violations[0];
  return {
    ...base,
    failure: {
      property: v?.property ?? 'unknown',
      message: v?.message ?? '',
      config,
      shrunkSteps: shrunk.steps.length,
      preemptions: preemptions(m, trace),
      trace,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}

/** Checks one variant of a model with random configurations and uniformly random schedules. */
export function randomCheck(model: AnyModel, variantName: string, opts: RandomOptions): RandomResult {
  const schedules = fc.array(fc.nat({ max: 1 << 16 }), { minLength: 1, maxLength: opts.maxSteps ?? 200, size: 'max' });
  return searchVariant(model, variantName, opts, { schedules, run: runSchedule });
}
