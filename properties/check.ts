/**
 * What every engine does at each step: check the built-in kernel checks and
 * the model's properties on a transition, and note the *sometimes* witnesses.
 * Also the one way to run a list of actions (a schedule or a replay) into a
 * {@link Trace}, so that every engine and `repro` produce the same traces.
 */
import { setAutoFreeze } from 'immer';
import type { ActionBase, AnyMachine, StepInfo, Transition } from '../model/contract.js';
import { actionLabel } from '../model/contract.js';
import { builtinViolations } from '../model/kernel/checks.js';
import type { KernelState, LockState } from '../model/kernel/state.js';

// Engines never mutate a state they were given; freezing every produced state
// costs about half of the exploration time, so it is off wherever engines run.
setAutoFreeze(false);

/** One violated property at one step. */
export interface Violation {
  readonly property: string;
  readonly message: string;
}

/** One step of a trace. */
export interface TraceStep {
  readonly action: ActionBase;
  readonly label: string;
  readonly info: StepInfo;
  readonly state: unknown;
}

/** A run from the initial state; `violations` are those of the last state, empty if it passed. */
export interface Trace {
  readonly init: unknown;
  readonly steps: readonly TraceStep[];
  readonly violations: readonly Violation[];
  /**
   * For a lasso (a liveness counterexample): the 0-based index of the first
   * step of the cycle; the steps from there to the end repeat forever (the
   * last one returns to the state the cycle started from).
   */
  readonly loop?: number;
}

/** A kernel slice with no fault and no waiter cannot show a lock cycle or a lock-discipline fault. */
function kernelQuiet(k: KernelState): boolean {
  if (k.faults.length) return false;
  for (const name in k.locks) if ((k.locks[name] as LockState).waiters.length) return false;
  return true;
}

const NONE: readonly Violation[] = Object.freeze([]);

/**
 * The checker of every engine: every violation at a transition, built-ins
 * first, then the model's `always` properties, then `quiescent` ones if the
 * new state is quiescent. `enabled` is the number of actions enabled in
 * `t.next`. The property lists are sorted out once, the built-in checks are
 * skipped when the kernel slice has no waiter and no fault (no cycle and no
 * fault to report then; the stuck-state check still runs when nothing is
 * enabled), and a transition that violates nothing allocates nothing (the
 * shared empty result is frozen).
 */
export function stepChecker(m: AnyMachine): (t: Transition<unknown, ActionBase>, enabled: number) => readonly Violation[] {
  // sometimes-properties are witnesses; eventually-properties need a lasso (liveness.ts)
  const checked = m.properties.filter((p): p is Extract<typeof p, { kind: 'always' | 'quiescent' }> => p.kind === 'always' || p.kind === 'quiescent');
  return (t, enabled) => {
    const k = m.kernel(t.next);
    let q: boolean | undefined;
    let out: Violation[] | undefined;
    if (!kernelQuiet(k) || enabled === 0) {
      q = m.quiescent(t.next);
      const b = builtinViolations(k, enabled, q);
      if (b.length) out = b.map((v) => ({ ...v }));
    }
    for (const p of checked) {
      if (p.kind === 'quiescent' && !(q ??= m.quiescent(t.next))) continue;
      const msg = p.check(t);
      if (msg !== undefined) (out ??= []).push({ property: p.name, message: msg });
    }
    return out ?? NONE;
  };
}

/** Names of the *sometimes* properties witnessed at this transition. */
export function witnessesAt(m: AnyMachine, t: Transition<unknown, ActionBase>): string[] {
  const out: string[] = [];
  for (const p of m.properties) if (p.kind === 'sometimes' && p.check(t)) out.push(p.name);
  return out;
}

/** Names of the model's *sometimes* properties. */
export function sometimesNames(m: AnyMachine): string[] {
  return m.properties.filter((p) => p.kind === 'sometimes').map((p) => p.name);
}

/**
 * Picks an action for each step. Returns `undefined` to stop the run.
 * `i` is the step index, `enabled` the enabled actions (never empty).
 */
export type Chooser = (i: number, enabled: readonly ActionBase[], s: unknown) => ActionBase | undefined;

/** Result of {@link runTrace}: the trace, the witnesses met, and whether the chooser diverged. */
export interface RunResult {
  readonly trace: Trace;
  readonly witnessed: ReadonlySet<string>;
}

/**
 * Runs a machine from its initial state, choosing each action with `choose`,
 * checking every transition, until a violation, a state with no enabled
 * action, or the chooser stops.
 */
export function runTrace(m: AnyMachine, choose: Chooser, maxSteps = Number.POSITIVE_INFINITY): RunResult {
  const check = stepChecker(m);
  const init = m.init();
  const witnessed = new Set<string>();
  let s = init;
  let enabled = m.actions(s);
  const steps: TraceStep[] = [];
  let violations = check({ next: s }, enabled.length);
  for (const w of witnessesAt(m, { next: s })) witnessed.add(w);
  while (violations.length === 0 && enabled.length > 0 && steps.length < maxSteps) {
    const a = choose(steps.length, enabled, s);
    if (a === undefined) break;
    let n: unknown;
    try {
      n = m.next(s, a);
      enabled = m.actions(n);
    } catch (e) {
      // a model that throws is a finding about the model, with the trace that led there
      steps.push({ action: a, label: actionLabel(a), info: m.describe(a), state: s });
      violations = [modelThrew(e)];
      break;
    }
    const t = { prev: s, action: a, next: n };
    s = n;
    steps.push({ action: a, label: actionLabel(a), info: m.describe(a), state: s });
    violations = check(t, enabled.length);
    for (const w of witnessesAt(m, t)) witnessed.add(w);
  }
  return { trace: { init, steps, violations }, witnessed };
}

/** Name of the violation recorded when a model's `next` or `actions` throws. */
export const MODEL_THREW = 'model-threw';

/** The violation for an exception thrown by a model. */
export function modelThrew(e: unknown): Violation {
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return { property: MODEL_THREW, message: `model threw: ${msg}` };
}

/** Raised when a recorded action is not enabled where it stands. */
export class ReplayDivergence extends Error {}

/**
 * Re-executes actions given by their labels ({@link actionLabel}); throws
 * {@link ReplayDivergence} naming the first label that is not enabled.
 */
export function replayLabels(m: AnyMachine, labels: readonly string[]): RunResult {
  return runTrace(m, (i, enabled) => {
    const want = labels[i];
    if (want === undefined) return undefined;
    const a = enabled.find((x) => actionLabel(x) === want);
    if (!a) throw new ReplayDivergence(`step ${i + 1}: action ${want} is not enabled (enabled: ${enabled.map(actionLabel).join(' ')})`);
    return a;
  });
}

/**
 * The pass/fail judgement random searches give fast-check. Untargeted: the
 * first failing run fixes the target property (the expected one when it is
 * among those violated), and from then on — while fast-check shrinks — a run
 * counts as failing only if it violates that same property. Targeted (like
 * the exhaustive engine's `target`): only the given property fails a run;
 * runs that end on another violation pass and are counted in `others`.
 */
export class SameProperty {
  /** The property being shrunk on, once a run has failed (or from the start, when targeted). */
  target: string | undefined;
  private failed = false;
  /** Runs that ended on a violation of another property than the target, by property. */
  readonly others = new Map<string, number>();
  constructor(
    private readonly expected: string | undefined,
    targeted = false,
  ) {
    if (targeted && expected !== undefined) this.target = expected;
  }

  /** Whether a run with these violations passes, from fast-check's point of view. */
  passes(vs: readonly Violation[]): boolean {
    if (vs.length === 0) return true;
    if (this.target === undefined) this.target = this.expected !== undefined && vs.some((v) => v.property === this.expected) ? this.expected : vs[0]?.property;
    // a throwing model always fails a run (targeting must not hide it), but
    // once shrinking, only the target counts, so the shrink stays on it
    const hit = vs.some((v) => v.property === this.target || (!this.failed && v.property === MODEL_THREW));
    if (hit && !this.failed) {
      this.failed = true;
      this.target = vs.find((v) => v.property === this.target)?.property ?? MODEL_THREW;
    } else if (!this.failed) for (const v of vs) this.others.set(v.property, (this.others.get(v.property) ?? 0) + 1);
    return !hit;
  }

  /** True once a run has failed (the runs after it are shrink attempts). */
  get shrinking(): boolean {
    return this.failed;
  }
}
