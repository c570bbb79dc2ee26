/**
 * The search core: the one place where a transition is judged, a state is
 * expanded into its judged successors, and a recorded run is replayed. Every
 * engine (BFS, its parallel workers, liveness, random, PCT) and the
 * minimizer go through it, so they agree on what a violation is, on what a
 * model that throws means, and on how a trace is rebuilt.
 *
 * - {@link Judge}: the built-in kernel checks, the model's `always` and
 *   `quiescent` properties, the *sometimes* witnesses, lock-order edges, and
 *   a model that throws in `next` or `actions` turned into a `model-threw`
 *   violation. A state is judged *before* its actions are computed: a model
 *   whose `actions` throws on a state that already violates a property is
 *   reported with that property, not as a crash.
 * - {@link successors}: expands one state, asking a {@link Visitor} which
 *   successors are new (those are judged whole, their actions computed for
 *   the stuck-state check; a known one is judged on the step alone).
 * - {@link runTrace}: one run, an action chosen at each step; {@link replay}:
 *   a recorded run by action index or label, asserting at every step that
 *   the action is enabled and, for a run this search produced, that the
 *   recorded violation recurs at the end. A divergence there means the model
 *   broke the contract (actions and next must depend only on the state): a
 *   {@link NondeterministicModel} error that says so.
 * - {@link Clock}: the one place a search polls its deadline, its stop
 *   request and its progress callback.
 */
import type { ActionBase, AnyMachine, Property, StepInfo, Transition } from '../model/contract.js';
import { actionLabel } from '../model/contract.js';
import { builtinViolations } from '../model/kernel/checks.js';
import { nextOnFastPath, shareWith } from '../model/kernel/immer.js';
import type { KernelState, LockState } from '../model/kernel/state.js';
import type { RaceSteps } from './races.js';
import { defaultMaxMemory, memoryOver } from './memory-bound.js';

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

/** Name of the violation recorded when a model's `next` or `actions` throws. */
export const MODEL_THREW = 'model-threw';

/** The violation for an exception thrown by a model. */
export function modelThrew(e: unknown): Violation {
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return { property: MODEL_THREW, message: `model threw: ${msg}` };
}

/** Raised when a recorded action is not enabled where it stands (a replay file or a minimizer candidate). */
export class ReplayDivergence extends Error {}

/**
 * Raised when a run this search produced does not replay: the model's
 * `actions` or `next` gave different results for the same state, which the
 * contract forbids (model/contract.ts). The message names the step.
 */
export class NondeterministicModel extends Error {}

const NONE: readonly Violation[] = Object.freeze([]);

/** A kernel slice with no fault and no waiter cannot show a lock cycle or a lock-discipline fault. */
function kernelQuiet(k: KernelState): boolean {
  if (k.faults.length) return false;
  for (const name in k.locks) if ((k.locks[name] as LockState).waiters.length) return false;
  return true;
}

type Checked = Extract<Property<unknown, ActionBase>, { kind: 'always' | 'quiescent' }>;
type Sometimes = Extract<Property<unknown, ActionBase>, { kind: 'sometimes' }>;

/** What gathers lock-order edges step by step (`LockGraph` in lockorder.ts). */
export interface LockEdges {
  addStep(prev: KernelState, next: KernelState, ctx: string, step: number, labels: () => readonly string[], source: string, config?: unknown): void;
}

/** Where lock-order edges go, and how their origin is named. */
export interface LockSink {
  readonly graph: LockEdges;
  /** Where the trace came from, e.g. `explore` or `seed 3 run 12`. */
  readonly source: string;
  readonly config?: unknown;
}

/** How a {@link Judge} judges. */
export interface JudgeOptions {
  /** Check properties and built-ins (default true). `false`: a liveness search, where only a throwing model is news. */
  readonly judge?: boolean;
  /** Lock-order edges of every transition go here. */
  readonly lock?: LockSink;
  /** The footprint of every transition goes here (spec 06 §5's race check). */
  readonly races?: RaceSteps;
  /** Polled once per transition. */
  readonly clock?: Clock;
  /**
   * Take steps on the fast path (plain copies, model/kernel/immer.ts) when
   * the machine opted in ({@link Machine.fastPath}); default false:
   * replays and reports stay on immer.
   */
  readonly fastPath?: boolean;
}

/** What judging a state found: its violations, and its actions when they were computed. */
export interface Judged {
  readonly violations: readonly Violation[];
  /** Undefined when not judging, or when `actions` threw on a state that violates something anyway. */
  readonly actions: readonly ActionBase[] | undefined;
  /** `actions` threw and nothing else is violated: the only violation is `model-threw`. */
  readonly threw?: true;
}

/**
 * The judgement of one machine's transitions, and the witnesses met so far.
 * Built once per search (per run for the random engines).
 */
export class Judge {
  /** Sometimes-properties and whether a witness was met. */
  readonly witnesses = new Map<string, boolean>();
  /** Transitions taken through this judge. */
  transitions = 0;
  readonly judging: boolean;
  private readonly checked: readonly Checked[];
  private pending: readonly Sometimes[];
  readonly lock: LockSink | undefined;
  /** Where footprints go, when the search checks for races. */
  readonly races: RaceSteps | undefined;
  readonly clock: Clock | undefined;

  constructor(
    readonly m: AnyMachine,
    opts: JudgeOptions = {},
  ) {
    this.judging = opts.judge !== false;
    // eventually-properties need a lasso (liveness.ts); sometimes-properties are witnesses
    this.checked = this.judging ? m.properties.filter((p): p is Checked => p.kind === 'always' || p.kind === 'quiescent') : [];
    this.pending = this.judging ? m.properties.filter((p): p is Sometimes => p.kind === 'sometimes') : [];
    for (const p of this.pending) this.witnesses.set(p.name, false);
    this.lock = opts.lock;
    this.races = opts.races;
    this.clock = opts.clock;
    this.fast = opts.fastPath === true && m.fastPath === true;
  }

  /** Whether {@link Judge.next} takes steps on the fast path. */
  readonly fast: boolean;

  /** The machine's step, on the fast path when {@link Judge.fast}. */
  next(s: unknown, a: ActionBase): unknown {
    return this.fast ? nextOnFastPath(this.m, s, a) : this.m.next(s, a);
  }

  /** The sometimes-properties witnessed so far. */
  witnessed(): string[] {
    return [...this.witnesses].flatMap(([n, w]) => (w ? [n] : []));
  }

  /** Notes the witnesses of a transition; a witnessed property is never asked again. */
  private note(t: Transition<unknown, ActionBase>): void {
    if (this.pending.length === 0) return;
    let hit = false;
    for (const p of this.pending)
      if (p.check(t)) {
        this.witnesses.set(p.name, true);
        hit = true;
      }
    if (hit) this.pending = this.pending.filter((p) => this.witnesses.get(p.name) !== true);
  }

  /** Whether the state being judged is quiescent: asked at most once per judgement (-1: not yet). */
  private q = -1;
  private quiescent(s: unknown): boolean {
    if (this.q < 0) this.q = this.m.quiescent(s) ? 1 : 0;
    return this.q === 1;
  }

  /** The model's properties on a transition (built-ins not included). */
  private properties(t: Transition<unknown, ActionBase>): Violation[] | undefined {
    let out: Violation[] | undefined;
    for (const p of this.checked) {
      if (p.kind === 'quiescent' && !this.quiescent(t.next)) continue;
      const msg = p.check(t);
      if (msg !== undefined) (out ??= []).push({ property: p.name, message: msg });
    }
    return out;
  }

  /**
   * Judges a transition into a state not met before (or the initial state:
   * no `prev`): the model's properties first, then its actions (a throw is
   * `model-threw` only when nothing else is violated), then the built-in
   * checks, which need the count of enabled actions. Built-ins come first in
   * the result. They are skipped when the kernel slice has no waiter and no
   * fault and something is enabled (no cycle, fault or stuck state then).
   */
  fresh(t: Transition<unknown, ActionBase>): Judged {
    const m = this.m;
    if (!this.judging) return { violations: NONE, actions: undefined };
    this.note(t);
    this.q = -1;
    const props = this.properties(t);
    let actions: readonly ActionBase[] | undefined;
    try {
      actions = m.actions(t.next);
    } catch (e) {
      if (!props) return { violations: [modelThrew(e)], actions: undefined, threw: true };
    }
    // a state whose actions threw but which violates a property: judge it as if something were enabled
    const enabled = actions?.length ?? 1;
    const k = m.kernel(t.next);
    if (kernelQuiet(k) && enabled > 0) return { violations: props ?? NONE, actions };
    const b = builtinViolations(k, enabled, this.quiescent(t.next));
    if (b.length === 0) return { violations: props ?? NONE, actions };
    return { violations: [...b.map((v) => ({ ...v })), ...(props ?? [])], actions };
  }

  /**
   * Judges a transition into a known state: its state-only checks ran when it
   * was first met (the stuck-state check included), so only what the step
   * itself can add is asked, and `actions` need not run again.
   */
  known(t: Transition<unknown, ActionBase>): readonly Violation[] {
    if (!this.judging) return NONE;
    this.note(t);
    this.q = -1;
    const k = this.m.kernel(t.next);
    const props = this.properties(t);
    const b = kernelQuiet(k) ? NONE : builtinViolations(k, 1, this.quiescent(t.next));
    if (b.length === 0) return props ?? NONE;
    return [...b.map((v) => ({ ...v })), ...(props ?? [])];
  }

  /** The initial state, judged. */
  initial(): Judged & { readonly state: unknown } {
    const state = this.m.init();
    const j = this.fresh({ next: state });
    return { state, ...j };
  }

  /** Adds the lock-order edges of a step; `labels` is asked only for a new edge. */
  lockStep(s: unknown, n: unknown, a: ActionBase, step: number, labels: () => readonly string[]): void {
    const l = this.lock;
    if (l !== undefined) l.graph.addStep(this.m.kernel(s), this.m.kernel(n), this.m.describe(a).ctx, step, labels, l.source, l.config);
  }

  /** Counts a transition and polls the clock; true when the search must stop. */
  tick(): boolean {
    this.transitions++;
    return this.clock !== undefined && this.clock.tick();
  }
}

/** How {@link successors} ended. */
export type Expansion = 'done' | 'stop' | 'threw' | 'clock';

/** What an engine does with the successors of one state. */
export interface Visitor {
  /** Whether `n` is a state not met before (the engine's seen-set decides); new ones are judged whole. */
  isNew(n: unknown): boolean;
  /** A judged successor by action number `ai`; returning true ends the expansion (`stop`). */
  successor(ai: number, a: ActionBase, n: unknown, fresh: boolean, violations: readonly Violation[]): boolean | void;
  /**
   * The model threw: in `next` for action `ai`, or in `actions` of the new
   * state it led to (and nothing else is violated there), or in `actions` of
   * the state being expanded (`ai` = -1).
   */
  threw(ai: number, v: Violation): void;
  /** Depth of the state being expanded (the step number of lock-order edges). */
  readonly depth: number;
  /** Labels from the initial state through action `ai` of the state being expanded (asked only for a new lock-order edge). */
  pathLabels(ai: number): readonly string[];
}

/**
 * Expands state `s`: every enabled action, its successor, judged, given to
 * `v`. Stops at the first throw, when the visitor says so, or when the
 * judge's clock runs out.
 */
export function successors(j: Judge, s: unknown, v: Visitor): Expansion {
  const m = j.m;
  let acts: readonly ActionBase[];
  try {
    acts = m.actions(s);
  } catch (e) {
    v.threw(-1, modelThrew(e));
    return 'threw';
  }
  for (let ai = 0; ai < acts.length; ai++) {
    const a = acts[ai] as ActionBase;
    let n: unknown;
    try {
      n = j.next(s, a);
    } catch (e) {
      v.threw(ai, modelThrew(e));
      return 'threw';
    }
    if (j.tick()) return 'clock';
    if (j.lock !== undefined) j.lockStep(s, n, a, v.depth, () => v.pathLabels(ai));
    if (j.races !== undefined) j.races.addStep(m, s, a, n, v.depth, () => v.pathLabels(ai), 'explore');
    const fresh = v.isNew(n);
    // a new state is kept (frontier, graph): on the fast path it shares what it did not change with its parent, as under immer
    if (fresh && j.fast) n = shareWith(s, n);
    const t = { prev: s, action: a, next: n };
    let vs: readonly Violation[];
    if (fresh) {
      const r = j.fresh(t);
      vs = r.violations;
      if (r.threw && vs[0]) {
        v.threw(ai, vs[0]);
        return 'threw';
      }
    } else vs = j.known(t);
    if (v.successor(ai, a, n, fresh, vs) === true) return 'stop';
  }
  return 'done';
}

/**
 * Picks an action for each step. Returns `undefined` to stop the run.
 * `i` is the step index, `enabled` the enabled actions (never empty).
 */
export type Chooser = (i: number, enabled: readonly ActionBase[], s: unknown) => ActionBase | undefined;

/** Result of {@link runTrace}: the trace and the witnesses met. */
export interface RunResult {
  readonly trace: Trace;
  readonly witnessed: ReadonlySet<string>;
}

/** Options of {@link runTrace}. */
export interface RunOptions {
  /** Check properties (default true); `false` for a liveness run, where only a throw ends it early. */
  readonly judge?: boolean;
  /** Lock-order edges of the run go here. */
  readonly lock?: LockSink;
  /**
   * Take the steps on the fast path when the machine opted in (default
   * false). The random engines set it; replays, and so reports and
   * minimizing, stay on immer, so a replay of a random run is also a check
   * of the two paths against each other.
   */
  readonly fastPath?: boolean;
}

/**
 * Runs a machine from its initial state, choosing each action with `choose`,
 * judging every transition, until a violation, a state with no enabled
 * action, `maxSteps`, or the chooser stops.
 */
export function runTrace(m: AnyMachine, choose: Chooser, maxSteps = Number.POSITIVE_INFINITY, opts: RunOptions = {}): RunResult {
  const j = new Judge(m, opts);
  const init = m.init();
  const steps: TraceStep[] = [];
  const start = j.fresh({ next: init });
  let violations = start.violations;
  let enabled: readonly ActionBase[] = [];
  if (violations.length === 0) {
    try {
      enabled = start.actions ?? m.actions(init);
    } catch (e) {
      violations = [modelThrew(e)];
    }
  }
  let s = init;
  while (violations.length === 0 && enabled.length > 0 && steps.length < maxSteps) {
    const a = choose(steps.length, enabled, s);
    if (a === undefined) break;
    let n: unknown;
    try {
      n = j.next(s, a);
    } catch (e) {
      // a model that throws is a finding about the model, with the trace that led there
      steps.push({ action: a, label: actionLabel(a), info: m.describe(a, s), state: s });
      violations = [modelThrew(e)];
      break;
    }
    j.transitions++;
    j.lockStep(s, n, a, steps.length, () => [...steps.map((x) => x.label), actionLabel(a)]);
    const r = j.fresh({ prev: s, action: a, next: n });
    steps.push({ action: a, label: actionLabel(a), info: m.describe(a, s, n), state: n });
    s = n;
    violations = r.violations;
    if (violations.length) break;
    try {
      enabled = r.actions ?? m.actions(s);
    } catch (e) {
      violations = [modelThrew(e)];
    }
  }
  return { trace: { init, steps, violations }, witnessed: new Set(j.witnessed()) };
}

/** One recorded step: the index of the action among those enabled, or its label ({@link actionLabel}). */
export type RecordedStep = number | string;

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Check properties along the way (default true); `false` for a liveness run. */
  readonly judge?: boolean;
  /**
   * The run was produced by a search of this very machine (default: it was
   * not; it comes from a file or a minimizer's candidate). A divergence then
   * breaks the contract and throws {@link NondeterministicModel}; else
   * {@link ReplayDivergence}.
   */
  readonly recorded?: { readonly by: string; readonly violation?: Violation };
}

function describeStep(want: RecordedStep): string {
  return typeof want === 'number' ? `action #${want}` : `action ${want}`;
}

/**
 * Re-executes a recorded run: at every step the recorded action must be
 * enabled; for a run recorded by a search (`recorded`), the run must also go
 * to its end without stopping on an earlier violation, and the recorded
 * violation must recur there.
 */
export function replay(m: AnyMachine, steps: readonly RecordedStep[], opts: ReplayOptions = {}): RunResult {
  const rec = opts.recorded;
  const diverge = (detail: string): Error =>
    rec
      ? new NondeterministicModel(
          `the model's \`actions\` or \`next\` gave different results for the same state: ${detail}, replaying the ${steps.length}-step run ${rec.by} found. ` +
            '`actions(s)` must list the same actions in the same order for equal states and `next` must give equal states (model/contract.ts); `--check-model` names the step that varies',
        )
      : new ReplayDivergence(detail);
  const r = runTrace(
    m,
    (i, enabled) => {
      const want = steps[i];
      if (want === undefined) return undefined;
      const a = typeof want === 'number' ? enabled[want] : enabled.find((x) => actionLabel(x) === want);
      if (!a) throw diverge(`step ${i + 1}: ${describeStep(want)} is not enabled (enabled: ${enabled.map(actionLabel).join(' ')})`);
      return a;
    },
    Number.POSITIVE_INFINITY,
    { judge: opts.judge !== false },
  );
  if (!rec) return r;
  const t = r.trace;
  const at = t.steps.length;
  const seen = t.violations.map((v) => v.property).join(', ') || 'nothing';
  if (at < steps.length) throw diverge(`the run ended after step ${at} (${t.steps.at(-1)?.label ?? 'the initial state'}) on ${seen}, before ${describeStep(steps[at] as RecordedStep)}`);
  const want = rec.violation;
  if (want && !t.violations.some((v) => v.property === want.property))
    throw diverge(`at step ${at} (${t.steps.at(-1)?.label ?? 'the initial state'}) the search saw ${want.property} violated (${want.message}), the replay violates ${seen}`);
  return r;
}

/** Re-executes actions given by their labels; throws {@link ReplayDivergence} naming the first label that is not enabled. */
export function replayLabels(m: AnyMachine, labels: readonly string[]): RunResult {
  return replay(m, labels);
}

/** What a search's polling site watches: its deadline, an outside stop request, and its progress callback. */
export interface ClockOptions {
  /** Stop after this many milliseconds from now. */
  readonly timeLimitMs?: number;
  /** Stop at this `Date.now()` time (a deadline shared with worker threads). */
  readonly deadline?: number;
  /** Polled with the deadline; true stops the search (e.g. Ctrl-C). */
  readonly stop?: () => boolean;
  /** Called about every `progressMs` milliseconds. */
  readonly onProgress?: () => void;
  readonly progressMs?: number;
  /** Stop once the process's resident memory exceeds this many bytes (default {@link defaultMaxMemory}). */
  readonly maxMemoryBytes?: number;
}

export { defaultMaxMemory, memoryOver } from './memory-bound.js';

/**
 * The one polling site of a search: every 256 ticks it reads the time once
 * and checks the deadline, the stop request and the progress interval.
 */
export class Clock {
  private n = 0;
  private readonly deadline: number;
  private nextProgress: number;
  /** Why the search must stop, once it must. */
  stoppedBy: 'time' | 'stop' | 'memory' | undefined;
  private readonly maxMemory: number;

  constructor(private readonly opts: ClockOptions = {}) {
    const now = Date.now();
    this.deadline = Math.min(opts.deadline ?? Number.POSITIVE_INFINITY, opts.timeLimitMs !== undefined ? now + opts.timeLimitMs : Number.POSITIVE_INFINITY);
    this.nextProgress = opts.onProgress ? now + (opts.progressMs ?? 10_000) : Number.POSITIVE_INFINITY;
    this.maxMemory = opts.maxMemoryBytes ?? defaultMaxMemory();
  }

  /** Counts one unit of work; true when the search must stop. */
  tick(): boolean {
    if ((++this.n & 255) !== 0) return false;
    return this.poll();
  }

  /** Checks now; true when the search must stop. */
  poll(): boolean {
    if (this.stoppedBy) return true;
    const now = Date.now();
    if (now >= this.deadline) this.stoppedBy = 'time';
    else if (this.opts.stop?.()) this.stoppedBy = 'stop';
    // every 16th poll (4,096 ticks): reading the memory figures costs more than the time
    else if ((this.n & 4095) === 0 && memoryOver(this.maxMemory)) this.stoppedBy = 'memory';
    if (this.stoppedBy) return true;
    if (now >= this.nextProgress) {
      this.nextProgress = now + (this.opts.progressMs ?? 10_000);
      this.opts.onProgress?.();
    }
    return false;
  }
}

/**
 * The options every engine shares: bounds, time limit, target, exactness,
 * and the hooks a front end needs. Each engine takes the fields that apply
 * to it (see `ExploreOptions`, `LivenessOptions`, `RandomOptions`).
 */
export interface CheckOptions {
  /** Stop after this many distinct states (exhaustive engines; default 5,000,000). */
  readonly maxStates?: number;
  /** Do not expand states at this depth (BFS; default none). */
  readonly maxDepth?: number;
  /** Stop after this many milliseconds (default none); the outcome is then incomplete. */
  readonly timeLimitMs?: number;
  /**
   * Search for this property: a violation of another one is recorded (BFS)
   * or tallied (random engines) and does not end the search.
   */
  readonly target?: string;
  /** Key states by their full canonical text instead of a 64-bit fingerprint (exhaustive engines; default false). */
  readonly exact?: boolean;
  /** Polled wherever the deadline is (the {@link Clock}); true stops the search, whose outcome is then incomplete. */
  readonly stop?: () => boolean;
  /** Random engines: called once per run (not per shrink attempt), so a progress bar can count runs. */
  readonly onRun?: (failed: boolean) => void;
  /** Interval of `onProgress` (default 10,000 ms). */
  readonly progressMs?: number;
  /** Exhaustive engines: stop, incomplete, once the process's resident memory exceeds this many bytes (default {@link defaultMaxMemory}). */
  readonly maxMemoryBytes?: number;
}
