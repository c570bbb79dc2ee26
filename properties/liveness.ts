/**
 * Liveness engine: checks a machine's *eventually* properties (leads-to
 * obligations, see `EventuallyProperty` in model/contract.ts) on
 * lasso-shaped runs, under weak fairness of the contexts and with the
 * environment eventually stopping (spec 00 §6).
 *
 * It builds the whole reachable graph (its own depth-first search, the
 * states numbered breadth-first afterwards; a state is known by the 64-bit
 * fingerprint of its `livenessView`, or of the whole state, or with `exact`
 * by that value's canonical text; never by `view`, which may be a symmetry
 * reduction) and keeps every edge with the context it belongs to (`Machine.fairness`). Then, for each named obligation, a
 * violation is one of:
 * - a *stuck* state: the obligation is pending and no fair context has an
 *   enabled step (the environment has stopped, nothing else can move);
 * - a *fair cycle*: a strongly connected component of states where the
 *   obligation is pending, joined by steps of fair contexts only (the
 *   environment has stopped), in which every context enabled in all of its
 *   states takes a step inside it. For weak fairness this test on maximal
 *   components is exact: a context enabled throughout a component and never
 *   stepping in it is enabled throughout, and starved by, every cycle inside it.
 *
 * "Context" is the name `fairness(a)` returns (by default `describe(a).ctx`):
 * a context is enabled in a state when at least one of its steps is, and
 * takes a step when any of them is taken. The counterexample is a lasso: the
 * shortest prefix from the initial state to the component, then a cycle
 * through it that gives every context enabled all along it a step (or passes
 * a state where it is disabled); a stuck state has the prefix only.
 * Components are found with an iterative Tarjan (graphs have 10^5–10^6 states).
 *
 * Under a weak memory (`--memory lkmm`), a step whose read returned a
 * message older than the latest of its location (a *stale* read,
 * `staleReadCount` of model/kernel/lkmm.ts) is kept out of every cycle, as
 * the environment's steps are: every write becomes visible eventually, so a
 * context cannot re-read an old value forever. Its context still counts as
 * enabled (it could read the latest). The price: a livelock in which a
 * reader stays forever one write behind a writer that writes forever is not
 * reported; no lasso the hardware cannot run is.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import type { CheckOptions, RecordedStep, Trace, TraceStep, Violation, Visitor } from './core.js';
import { Clock, Judge, MODEL_THREW, replay, ReplayDivergence, successors } from './core.js';
import type { ClockOptions } from './core.js';
import { keySet, keyText } from './explore.js';
import { IntVec } from './intvec.js';
import { staleReadCount } from '../model/kernel/lkmm.js';

/** Bounds of a liveness check: the shared {@link CheckOptions} that apply (a bound or a stop makes the check incomplete). */
export interface LivenessOptions extends Pick<CheckOptions, 'maxStates' | 'timeLimitMs' | 'exact' | 'stop' | 'progressMs' | 'maxMemoryBytes'> {
  /** Check only these properties (default: every eventually-property of the machine). */
  readonly properties?: readonly string[];
  /** Called about every `progressMs` milliseconds while the graph is built. */
  readonly onProgress?: (p: LivenessProgress) => void;
  /** Build the graph on the fast path when the machine opted in (`Machine.fastPath`; default true). */
  readonly fastPath?: boolean;
}

/** Progress of the graph build, as given to {@link LivenessOptions.onProgress}. */
export interface LivenessProgress {
  /** Distinct states discovered so far. */
  readonly states: number;
  readonly transitions: number;
  readonly ms: number;
}

/** One liveness violation: a lasso, or a path to a stuck state. */
export interface LivenessViolation {
  readonly property: string;
  /** The obligation kept pending forever (as `pending` names it). */
  readonly obligation: string;
  /** `threw`: the model threw while the graph was built (property `model-threw`, the trace ends where it threw). */
  readonly kind: 'stuck' | 'cycle' | 'threw';
  readonly message: string;
  /** The run; for a cycle, `trace.loop` is the index of its first repeating step. */
  readonly trace: Trace;
  /** Steps before the cycle (or to the stuck state). */
  readonly prefix: number;
  /** Steps of the cycle (0 for a stuck state). */
  readonly cycle: number;
}

/** What a liveness check found. */
export interface LivenessResult {
  /** The eventually-properties checked. */
  readonly properties: readonly string[];
  /** The shortest violation of each violated property, by property name. */
  readonly violations: ReadonlyMap<string, LivenessViolation>;
  readonly states: number;
  readonly transitions: number;
  /** True when the whole reachable graph was built. */
  readonly complete: boolean;
  /** The bound that stopped building the graph, when one did. */
  readonly stopped?: 'states' | 'time' | 'stop' | 'memory';
  readonly ms: number;
  /** Bytes per state of the state index (the graph's edges come on top). */
  readonly bytesPerState: number;
}

/** Interns values by a string key: small dense ids for contexts, sets and signatures. */
class Interner<T> {
  readonly ids = new Map<string, number>();
  readonly values: T[] = [];
  id(key: string, value: () => T): number {
    let i = this.ids.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.ids.set(key, i);
      this.values.push(value());
    }
    return i;
  }
}

/**
 * The explored graph, its states numbered in breadth-first order from the
 * initial state: per state its BFS parent, its edges (target, action index,
 * context; -1 = environment).
 */
interface Graph {
  readonly n: number;
  /** Per state: 1 when its edges are all known (a bound may stop the search before). */
  readonly expanded: Uint8Array;
  readonly parent: IntVec;
  readonly parentAct: IntVec;
  readonly edgeStart: IntVec;
  readonly edgeTo: IntVec;
  readonly edgeAct: IntVec;
  readonly edgeCtx: IntVec;
  /** Per state: id of its pending-obligation signature (a set of obligation ids). */
  readonly pendingSig: IntVec;
  readonly sigs: readonly (readonly number[])[];
  /** Per state: id of the set of fair contexts enabled there. */
  readonly enabledSet: IntVec;
  readonly sets: readonly (readonly number[])[];
  readonly ctxNames: readonly string[];
  readonly obligations: readonly { readonly property: string; readonly item: string }[];
}

/** The context whose weak fairness a step counts toward, `null` for the environment: the machine's `fairness`, else its lane (`env`: the environment). */
function fairness(m: AnyMachine): (a: ActionBase, s: unknown) => string | null {
  if (m.fairness) return m.fairness.bind(m);
  return (a) => {
    const c = m.describe(a).ctx;
    return c === 'env' ? null : c;
  };
}

/** A state's key in the liveness engine: its `livenessView`, else the whole state. */
function livenessKey(m: AnyMachine): (s: unknown) => unknown {
  return m.livenessView ? m.livenessView.bind(m) : (s) => s;
}

/** The text of a state's liveness key, to compare two states exactly. */
function livenessText(m: AnyMachine): (s: unknown) => string {
  const key = livenessKey(m);
  return (s) => keyText(key(s));
}

/**
 * Builds the graph depth-first, so that only the states on the search's
 * stack are held whole (a breadth-first queue held hundreds of thousands),
 * then numbers the states breadth-first over the stored edges: prefixes
 * are BFS-tree paths, shortest from the initial state, exactly as a
 * breadth-first search would have found them.
 */
function buildGraph(
  m: AnyMachine,
  props: readonly string[],
  maxStates: number,
  clockOpts: ClockOptions,
  exact: boolean,
  fastPath: boolean,
  onProgress?: (states: number, transitions: number) => void,
): Graph & { transitions: number; stopped?: 'states' | 'time' | 'stop' | 'memory'; indexBytes: number; threw?: { state: number; ai: number; violation: Violation } } {
  const index = keySet(livenessKey(m), exact);
  const fairOf = fairness(m);
  const eventually = m.properties.filter((p) => p.kind === 'eventually' && props.includes(p.name));
  const ctxs = new Interner<string>();
  const sets = new Interner<number[]>();
  const sigs = new Interner<number[]>();
  const obls = new Interner<{ property: string; item: string }>();
  const signature = (s: unknown): number => {
    const ids: number[] = [];
    for (const p of eventually) if (p.kind === 'eventually') for (const item of p.pending(s)) ids.push(obls.id(`${p.name}\u0000${item}`, () => ({ property: p.name, item })));
    ids.sort((a, b) => a - b);
    return sigs.id(ids.join(','), () => ids);
  };
  // per state in discovery order (its number in `index`): signature, enabled set, first edge, edge count (-1: not expanded)
  const sig = new IntVec();
  const enabledOf = new IntVec();
  const first = new IntVec();
  const count = new IntVec();
  // edges in expansion order
  const to = new IntVec();
  const act = new IntVec();
  const ctx = new IntVec();
  // states whose expansion was cut short (the clock, or a throwing model)
  const partial = new Set<number>();
  const discover = (s: unknown): void => {
    sig.push(signature(s));
    enabledOf.push(-1);
    first.push(0);
    count.push(-1);
  };
  const init = m.init();
  index.intern(init);
  discover(init);
  const stack: unknown[] = [init];
  const stackIds: number[] = [0];
  let stopped: 'states' | 'time' | 'stop' | 'memory' | undefined;
  let threw: { state: number; ai: number; violation: Violation } | undefined;
  // the clock reports progress from the index and the judge's count, both made here
  const clock = new Clock(onProgress ? { ...clockOpts, onProgress: () => onProgress(index.size, judge.transitions) } : clockOpts);
  // liveness judges no safety property: the core only expands, counts, polls the clock and catches a throwing model
  const judge = new Judge(m, { judge: false, clock, fastPath });
  let s: unknown;
  let id = 0;
  let target = 0;
  let enabled: number[] = [];
  let readsBefore = 0;
  const visitor: Visitor = {
    depth: 0,
    isNew: (n) => {
      const known = index.size;
      target = index.intern(n);
      return target === known;
    },
    successor: (k, a, n, fresh) => {
      if (fresh) {
        discover(n);
        stack.push(n);
        stackIds.push(target);
      }
      const fair = fairOf(a, s);
      const c = fair === null ? -1 : ctxs.id(fair, () => fair);
      if (c >= 0 && !enabled.includes(c)) enabled.push(c);
      // the step's own reads: the count moved since the previous step of this state
      const reads = staleReadCount();
      const stale = reads !== readsBefore;
      readsBefore = reads;
      to.push(target);
      act.push(k);
      ctx.push(stale && c >= 0 ? STALE : c);
    },
    threw: (ai, v) => {
      threw = { state: id, ai, violation: v };
    },
    pathLabels: () => [],
  };
  while (stack.length) {
    if (index.size >= maxStates) {
      stopped = 'states';
      break;
    }
    s = stack.pop();
    id = stackIds.pop() as number;
    first.set(id, to.length);
    enabled = [];
    readsBefore = staleReadCount();
    const how = successors(judge, s, visitor);
    // a state cut short keeps the edges it stored (every discovered state needs one to be numbered) but counts as not expanded
    count.set(id, to.length - first.at(id));
    if (how !== 'done') {
      partial.add(id);
      if (how === 'clock') stopped = judge.clock?.stoppedBy ?? 'time';
      break;
    }
    enabled.sort((a, b) => a - b);
    enabledOf.set(id, sets.id(enabled.join(','), () => enabled));
  }
  const transitions = judge.transitions;

  // number the states breadth-first: every state was reached by a stored edge, so all get a number
  const n = index.size;
  const order = new Int32Array(n);
  const rank = new Int32Array(n).fill(-1);
  const parent = new Int32Array(n);
  const parentAct = new Int32Array(n);
  rank[0] = 0;
  parent[0] = -1;
  parentAct[0] = -1;
  let tail = 1;
  for (let h = 0; h < tail; h++) {
    const v = order[h] as number;
    const b = first.at(v);
    for (let i = b; i < b + count.at(v); i++) {
      const w = to.at(i);
      if (rank[w] !== -1) continue;
      rank[w] = tail;
      order[tail] = w;
      parent[tail] = h;
      parentAct[tail] = act.at(i);
      tail++;
    }
  }
  const edgeStart = new Int32Array(n + 1);
  const edgeTo = new Int32Array(to.length);
  const edgeAct = new Int32Array(to.length);
  const edgeCtx = new Int32Array(to.length);
  const pendingSig = new Int32Array(n);
  const enabledSet = new Int32Array(n);
  const expanded = new Uint8Array(n);
  let pos = 0;
  for (let r = 0; r < n; r++) {
    const v = order[r] as number;
    edgeStart[r] = pos;
    pendingSig[r] = sig.at(v);
    enabledSet[r] = enabledOf.at(v);
    if (count.at(v) < 0) continue;
    if (!partial.has(v)) expanded[r] = 1;
    const b = first.at(v);
    for (let i = b; i < b + count.at(v); i++, pos++) {
      edgeTo[pos] = rank[to.at(i)] as number;
      edgeAct[pos] = act.at(i);
      edgeCtx[pos] = ctx.at(i);
    }
  }
  edgeStart[n] = pos;
  return {
    n, expanded, parent: new IntVec(parent), parentAct: new IntVec(parentAct), edgeStart: new IntVec(edgeStart), edgeTo: new IntVec(edgeTo),
    edgeAct: new IntVec(edgeAct), edgeCtx: new IntVec(edgeCtx), pendingSig: new IntVec(pendingSig), enabledSet: new IntVec(enabledSet),
    sigs: sigs.values, sets: sets.values, ctxNames: ctxs.values, obligations: obls.values, transitions,
    ...(stopped ? { stopped } : {}), indexBytes: index.bytes,
    ...(threw ? { threw: { ...threw, state: rank[threw.state] as number } } : {}),
  };
}

/** The context of an edge that read a stale message: like the environment's (negative), outside every cycle. */
const STALE = -2;

/** Edge range of state `v` (empty for a state never expanded). */
function edgesOf(g: Graph, v: number): [number, number] {
  return [g.edgeStart.at(v), g.edgeStart.at(v + 1)];
}

/**
 * Strongly connected components of the states where `inside` holds, through
 * fair edges between such states; calls `visit` with each component's states.
 * Iterative Tarjan: an explicit stack of (state, next edge) frames.
 */
function components(g: Graph, inside: (v: number) => boolean, visit: (members: number[]) => void): void {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const frames: number[] = []; // pairs: state, cursor
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || !g.expanded[root] || !inside(root)) continue;
    const open = (v: number): void => {
      index[v] = low[v] = counter++;
      stack.push(v);
      onStack[v] = 1;
      frames.push(v, edgesOf(g, v)[0]);
    };
    open(root);
    while (frames.length) {
      const v = frames[frames.length - 2] as number;
      const cursor = frames[frames.length - 1] as number;
      const end = edgesOf(g, v)[1];
      if (cursor < end) {
        frames[frames.length - 1] = cursor + 1;
        const w = g.edgeTo.at(cursor);
        // a state never expanded (a bound stopped the search) is outside: its edges are unknown
        if (g.edgeCtx.at(cursor) < 0 || !g.expanded[w] || !inside(w)) continue;
        if (index[w] === -1) open(w);
        else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      frames.length -= 2;
      if (frames.length) {
        const u = frames[frames.length - 2] as number;
        low[u] = Math.min(low[u] as number, low[v] as number);
      }
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          members.push(w);
        } while (w !== v);
        visit(members);
      }
    }
  }
}

/** A path as edges (source state, edge index). */
type Path = { from: number; edge: number }[];

/** Shortest path inside `member` from `start` to a state where `goal` holds, by fair edges (`start` itself qualifies). */
function pathWithin(g: Graph, member: Set<number>, start: number, goal: (v: number) => boolean): { path: Path; end: number } | undefined {
  const prev = new Map<number, { from: number; edge: number } | null>([[start, null]]);
  const queue = [start];
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h] as number;
    if (goal(v) && (v !== start || h === 0)) {
      const path: Path = [];
      for (let x = v; prev.get(x); ) {
        const p = prev.get(x) as { from: number; edge: number };
        path.push(p);
        x = p.from;
      }
      return { path: path.reverse(), end: v };
    }
    const [b, e] = edgesOf(g, v);
    for (let i = b; i < e; i++) {
      const w = g.edgeTo.at(i);
      if (g.edgeCtx.at(i) < 0 || !member.has(w) || prev.has(w)) continue;
      prev.set(w, { from: v, edge: i });
      queue.push(w);
    }
  }
  return undefined;
}

/**
 * A cycle from `entry` through the component that is fair on its own: every
 * fair context enabled somewhere in the component either takes a step in
 * the cycle or is disabled at a state the cycle passes.
 */
function fairCycle(g: Graph, members: readonly number[], entry: number): Path {
  const member = new Set(members);
  const pending = new Set<number>();
  for (const v of members) for (const c of g.sets[g.enabledSet.at(v)] ?? []) pending.add(c);
  const disabledAt = (v: number, c: number): boolean => !(g.sets[g.enabledSet.at(v)] ?? []).includes(c);
  const internal = (v: number, c: number): boolean => {
    const [b, e] = edgesOf(g, v);
    for (let i = b; i < e; i++) if (g.edgeCtx.at(i) === c && member.has(g.edgeTo.at(i))) return true;
    return false;
  };
  const cycle: Path = [];
  let at = entry;
  const settle = (v: number): void => {
    for (const c of [...pending]) if (disabledAt(v, c)) pending.delete(c);
  };
  settle(at);
  // goals: for each unmet context, reach a state that disables it or has its internal edge, then take that edge
  while (pending.size || cycle.length === 0) {
    const want = [...pending];
    const hit = pathWithin(g, member, at, (v) => want.length === 0 || want.some((c) => disabledAt(v, c) || internal(v, c)));
    if (!hit) break;
    for (const p of hit.path) {
      cycle.push(p);
      pending.delete(g.edgeCtx.at(p.edge));
      settle(g.edgeTo.at(p.edge));
    }
    at = hit.end;
    // take an internal edge of a still-unmet context here (or any internal edge if the cycle is empty)
    const [b, e] = edgesOf(g, at);
    const take = (c: number | undefined): number => {
      for (let i = b; i < e; i++) if (g.edgeCtx.at(i) >= 0 && member.has(g.edgeTo.at(i)) && (c === undefined || g.edgeCtx.at(i) === c)) return i;
      return -1;
    };
    const c = [...pending].find((x) => internal(at, x));
    const i = c !== undefined ? take(c) : cycle.length === 0 ? take(undefined) : -1;
    if (i >= 0) {
      cycle.push({ from: at, edge: i });
      pending.delete(g.edgeCtx.at(i));
      at = g.edgeTo.at(i);
      settle(at);
    }
  }
  const back = pathWithin(g, member, at, (v) => v === entry);
  if (back) cycle.push(...back.path);
  return cycle;
}

/** The BFS-tree path from the initial state to `v`, as action indices. */
function prefixTo(g: Graph, v: number): number[] {
  const acts: number[] = [];
  for (let x = v; g.parent.at(x) >= 0; x = g.parent.at(x)) acts.push(g.parentAct.at(x));
  return acts.reverse();
}

function stuckMessage(item: string, at: number): string {
  return `${item} pending forever: no context can move (the environment has stopped) after step ${at}`;
}

function cycleMessage(item: string, length: number, loop: number, stepping: readonly string[]): string {
  return `${item} pending forever: a cycle of ${length} steps (from step ${loop + 1}) through pending states, with steps of ${stepping.join(', ')}, every context enabled throughout taking a step; the environment has stopped`;
}

/** Re-executes a path the graph search found (no safety judgement: this is a liveness run). */
function replayIndices(m: AnyMachine, acts: readonly RecordedStep[], violation?: Violation): { init: unknown; steps: readonly TraceStep[]; last: unknown; trace: Trace } {
  const { trace } = replay(m, acts, { judge: false, recorded: { by: 'the liveness search', ...(violation ? { violation } : {}) } });
  return { init: trace.init, steps: trace.steps, last: trace.steps.at(-1)?.state ?? trace.init, trace };
}

/** Checks every eventually-property of `m`; see the module comment. */
export function checkLiveness(m: AnyMachine, opts: LivenessOptions = {}): LivenessResult {
  const t0 = performance.now();
  const names = m.properties.filter((p) => p.kind === 'eventually' && (opts.properties?.includes(p.name) ?? true)).map((p) => p.name);
  // nothing to check: do not build the graph
  if (!names.length) return { properties: [], violations: new Map(), states: 0, transitions: 0, complete: true, ms: performance.now() - t0, bytesPerState: 0 };
  const clockOpts = { ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}), ...(opts.stop ? { stop: opts.stop } : {}), ...(opts.progressMs !== undefined ? { progressMs: opts.progressMs } : {}), ...(opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {}) };
  const onProgress = opts.onProgress;
  const g = buildGraph(m, names, opts.maxStates ?? 5_000_000, clockOpts, opts.exact === true, opts.fastPath !== false, onProgress ? (states, transitions) => onProgress({ states, transitions, ms: performance.now() - t0 }) : undefined);
  const found = new Map<string, LivenessViolation>();
  if (g.threw) {
    // a model that throws is a finding with the trace that led there, as in every engine
    const acts = [...prefixTo(g, g.threw.state), ...(g.threw.ai >= 0 ? [g.threw.ai] : [])];
    const r = replayIndices(m, acts, g.threw.violation);
    found.set(MODEL_THREW, { property: MODEL_THREW, obligation: '', kind: 'threw', message: g.threw.violation.message, prefix: r.steps.length, cycle: 0, trace: r.trace });
  }
  const offer = (v: LivenessViolation): void => {
    const old = found.get(v.property);
    if (!old || v.prefix + v.cycle < old.prefix + old.cycle) found.set(v.property, v);
  };
  g.obligations.forEach((o, oi) => {
    const pendingAt = (v: number): boolean => (g.sigs[g.pendingSig.at(v)] ?? []).includes(oi);
    // stuck: pending, expanded, and no fair context enabled; state ids are in BFS order, so the first is a nearest
    for (let v = 0; v < g.n; v++) {
      if (!g.expanded[v] || !pendingAt(v) || (g.sets[g.enabledSet.at(v)] ?? []).length) continue;
      const acts = prefixTo(g, v);
      const r = replayIndices(m, acts);
      const message = stuckMessage(o.item, acts.length);
      offer({ property: o.property, obligation: o.item, kind: 'stuck', message, prefix: acts.length, cycle: 0, trace: { init: r.init, steps: r.steps, violations: [{ property: o.property, message }] } });
      break;
    }
    const pick: { best?: { members: number[]; entry: number; d: number } } = {};
    components(g, pendingAt, (members) => {
      const set = new Set(members);
      const taken = new Set<number>();
      let selfLoop = false;
      for (const v of members) {
        const [b, e] = edgesOf(g, v);
        for (let i = b; i < e; i++) {
          const c = g.edgeCtx.at(i);
          if (c < 0 || !set.has(g.edgeTo.at(i))) continue;
          taken.add(c);
          if (g.edgeTo.at(i) === v) selfLoop = true;
        }
      }
      if (members.length === 1 && !selfLoop) return;
      // contexts enabled in every state of the component must step inside it
      let always: number[] | undefined;
      for (const v of members) {
        const en = g.sets[g.enabledSet.at(v)] ?? [];
        always = always === undefined ? [...en] : always.filter((c) => en.includes(c));
      }
      if ((always ?? []).some((c) => !taken.has(c))) return;
      let entry = members[0] as number;
      for (const v of members) if (v < entry) entry = v;
      const d = prefixTo(g, entry).length;
      if (!pick.best || d < pick.best.d) pick.best = { members, entry, d };
    });
    const best = pick.best;
    if (best) {
      const cyc = fairCycle(g, best.members, best.entry);
      const pre = prefixTo(g, best.entry);
      const r = replayIndices(m, [...pre, ...cyc.map((p) => g.edgeAct.at(p.edge))]);
      const entryState = pre.length ? r.steps[pre.length - 1]?.state : r.init;
      const keyOf = livenessText(m);
      if (keyOf(r.last) !== keyOf(entryState)) throw new Error('liveness: the replayed cycle does not return to its entry state (is livenessView a projection of unread fields?)');
      const stepping = [...new Set(cyc.map((p) => g.ctxNames[g.edgeCtx.at(p.edge)] ?? '?'))].sort();
      const message = cycleMessage(o.item, cyc.length, pre.length, stepping);
      offer({
        property: o.property, obligation: o.item, kind: 'cycle', message, prefix: pre.length, cycle: cyc.length,
        trace: { init: r.init, steps: r.steps, violations: [{ property: o.property, message }], loop: pre.length },
      });
    }
  });
  return {
    properties: names, violations: found, states: g.n, transitions: g.transitions, complete: g.stopped === undefined && g.threw === undefined,
    ...(g.stopped ? { stopped: g.stopped } : {}), ms: performance.now() - t0, bytesPerState: g.indexBytes / Math.max(g.n, 1),
  };
}

/** Names of the machine's eventually-properties. */
export function eventuallyNames(m: AnyMachine): string[] {
  return [...new Set(m.properties.filter((p) => p.kind === 'eventually').map((p) => p.name))];
}

/** What {@link replayLasso} found: the trace, and the violation if the run still shows it. */
export interface LassoReplay {
  readonly trace: Trace;
  /** Why the run no longer violates the property (absent when it does). */
  readonly gone?: string;
}

/**
 * Re-executes a liveness counterexample by action labels (safety properties
 * are not checked on the way) and judges it again: for a lasso (`loop`
 * given), the cycle returns to its first state, one obligation of
 * `property` is pending in every state of the cycle, no step of the cycle is
 * the environment's, and every context enabled in all its states takes a
 * step in it; for a stuck run, the last state has a pending obligation and
 * no fair context enabled. Throws `diverged(…)` when an action is not enabled.
 */
export function replayLasso(m: AnyMachine, labels: readonly string[], loop: number | undefined, property: string, diverged: (msg: string) => Error): LassoReplay {
  const p = m.properties.find((x) => x.kind === 'eventually' && x.name === property);
  let run: Trace;
  try {
    run = replay(m, labels, { judge: false }).trace;
  } catch (e) {
    if (e instanceof ReplayDivergence) throw diverged(e.message);
    throw e;
  }
  const short = labels[run.steps.length];
  if (short !== undefined && run.violations.length === 0) throw diverged(`step ${run.steps.length + 1}: action ${short} is not enabled (enabled: )`);
  const init = run.init;
  const steps = run.steps;
  const states: unknown[] = [init, ...steps.map((x) => x.state)];
  const fairOf = fairness(m);
  const fairCtx = steps.map((x, i) => fairOf(x.action, states[i]));
  const out = (violation: string | undefined, gone?: string): LassoReplay => ({
    trace: { init, steps, violations: violation !== undefined ? [{ property, message: violation }] : [], ...(loop !== undefined ? { loop } : {}) },
    ...(gone !== undefined ? { gone } : {}),
  });
  if (!p || p.kind !== 'eventually') return out(undefined, `the model has no eventually-property ${property}`);
  const enabledCtx = (x: unknown): Set<string> => new Set(m.actions(x).map((a) => fairOf(a, x)).filter((c): c is string => c !== null));
  if (loop === undefined) {
    const last = states[states.length - 1];
    const items = p.pending(last);
    if (!items.length) return out(undefined, `${property} is not pending at the end`);
    if (enabledCtx(last).size) return out(undefined, `a context can still move at the end (${[...enabledCtx(last)].join(', ')})`);
    return out(stuckMessage(items[0] as string, steps.length));
  }
  const keyOf = livenessText(m);
  const cycle = states.slice(loop, states.length - 1);
  if (keyOf(states[states.length - 1]) !== keyOf(states[loop])) return out(undefined, `the cycle does not return to the state after step ${loop}`);
  if (fairCtx.slice(loop).some((c) => c === null)) return out(undefined, 'the cycle needs an environment event');
  const item = p.pending(states[loop]).find((i) => cycle.every((x) => p.pending(x).includes(i)));
  if (item === undefined) return out(undefined, `no obligation of ${property} stays pending around the cycle`);
  // a stale read in the cycle would repeat forever, which no weak-memory machine does (see the module comment)
  for (let i = loop; i < steps.length; i++) {
    const before = staleReadCount();
    m.next(states[i], (steps[i] as TraceStep).action);
    if (staleReadCount() !== before) return out(undefined, `the cycle is not fair: step ${i + 1} reads an old value that a cycle would read forever (every write becomes visible eventually)`);
  }
  const stepping = new Set(fairCtx.slice(loop) as string[]);
  const starved = [...enabledCtx(cycle[0])].filter((c) => !stepping.has(c) && cycle.every((x) => enabledCtx(x).has(c)));
  if (starved.length) return out(undefined, `the cycle is not fair: ${starved.join(', ')} enabled throughout and never stepping`);
  return out(cycleMessage(item, cycle.length, loop, [...stepping].sort()));
}
