/**
 * Exhaustive engine: breadth-first search over a machine's states from its
 * initial state. Because states are expanded depth by depth, the first
 * violation met has a shortest trace.
 *
 * Storage follows TLC: each distinct state is kept as a 64-bit fingerprint of
 * its key (the model's symmetry canonicaliser, else its view, else the state)
 * in an open-addressing table, plus two links — its parent's number and the
 * index of the action within `actions(parent)` — from which a trace is
 * rebuilt by replay. `exact: true` keeps the full keys instead (no collision
 * risk, much more memory). Only the frontier holds whole states: the level
 * being expanded and the next one.
 */
import type { AnyMachine } from '../model/contract.js';
import { actionLabel } from '../model/contract.js';
import { canonical } from '../model/canonical.js';
import type { CheckOptions, Trace, Violation, Visitor } from './core.js';
import { Clock, Judge, replay, successors } from './core.js';
import { fingerprint, FingerprintSet, fpHi } from './fingerprint.js';
import { IntVec } from './intvec.js';
import type { LockGraph } from './lockorder.js';
import type { RaceSteps } from './races.js';

/** Progress of a running exploration, as given to {@link ExploreOptions.onProgress}. */
export interface ExploreProgress {
  readonly states: number;
  readonly transitions: number;
  /** Depth of the level being expanded. */
  readonly depth: number;
  /** States discovered and not yet expanded. */
  readonly queue: number;
  readonly ms: number;
}

/**
 * Bounds and modes of an exploration: the shared {@link CheckOptions}
 * (`target`: stop at the first violation of this property, recording the
 * others and not expanding their states; default: stop at the first
 * violation of any property) and the exhaustive engine's own.
 */
export interface ExploreOptions extends Pick<CheckOptions, 'maxStates' | 'maxDepth' | 'timeLimitMs' | 'target' | 'exact' | 'stop' | 'progressMs' | 'maxMemoryBytes'> {
  /** Every explored transition adds its lock-order edges here (predictive lock-order checking). */
  readonly lockGraph?: LockGraph;
  /** Every explored transition adds its footprint here (spec 06 §5's race check). */
  readonly races?: RaceSteps;
  /** Keep full canonical keys instead of 64-bit fingerprints (default false). */
  readonly exact?: boolean;
  /** Apply the machine's symmetry canonicaliser when it has one (default true). */
  readonly symmetry?: boolean;
  /** Called about every `progressMs` milliseconds while exploring. */
  readonly onProgress?: (p: ExploreProgress) => void;
  /**
   * Go on after a violation (TLC's `-continue`): record the shortest trace of
   * every property violated, in `counterexamples`, and explore the rest of
   * the state space (violating states are still not expanded). A throwing
   * model still ends the search. `target` is then ignored.
   */
  readonly keepGoing?: boolean;
  /**
   * Take steps on the fast path when the machine opted in
   * (`Machine.fastPath`; default true). `false` (`--immer-path`):
   * every step through immer, to compare.
   */
  readonly fastPath?: boolean;
}

/** Which bound stopped an incomplete exploration. */
export type ExploreBound = 'states' | 'depth' | 'time' | 'stop' | 'memory';

/** What an exploration found. */
export interface ExploreResult {
  /** The shortest trace to the first (targeted) violation, if any; with `keepGoing`, the first one found. */
  readonly counterexample?: Trace;
  /** With `keepGoing`: the shortest trace of each property violated, in the order they were found. */
  readonly counterexamples?: ReadonlyMap<string, Trace>;
  /** First violation of each property met (one line each), including non-targeted ones. */
  readonly violated: ReadonlyMap<string, Violation>;
  /** Distinct states (up to symmetry when it was applied). */
  readonly states: number;
  readonly transitions: number;
  /** Greatest depth reached. */
  readonly depth: number;
  /** True when every reachable state within the bounds was expanded. */
  readonly complete: boolean;
  /** Sometimes-properties and whether a witness was found. */
  readonly witnesses: ReadonlyMap<string, boolean>;
  readonly ms: number;
  /** The bound that stopped the search, when one did. */
  readonly stopped?: ExploreBound;
  /** How states were stored. */
  readonly mode: 'fingerprint' | 'exact';
  /** Whether a symmetry canonicaliser was applied. */
  readonly symmetry: boolean;
  /**
   * Bytes per distinct state of the seen-set and the trace links (exact mode:
   * an estimate of the V8 strings and set entries). The frontier's states are
   * not included: see `peakFrontier`.
   */
  readonly bytesPerState: number;
  /** Most whole states held at once (the level being expanded plus the next one). */
  readonly peakFrontier: number;
  /** Worker threads used (1: this thread only). */
  readonly workers: number;
  /** Whether the steps were taken on the fast path (plain copies) rather than through immer. */
  readonly fastPath: boolean;
}

/**
 * The one-line verdict of an exploration that found no (targeted) violation;
 * `stopper` names what made a stop request (e.g. `SIGINT`). With `target`
 * and other properties violated, the verdict speaks of the target only.
 */
export function verdict(r: ExploreResult, stopper?: string, target?: string): string {
  if (r.complete) return `no violation${target !== undefined && r.violated.size > 0 ? ` of ${target}` : ''}: ${r.states} distinct states, depth ${r.depth}, complete`;
  if (r.stopped === 'stop') return `incomplete: stopped ${stopper !== undefined ? `by ${stopper}` : 'on request'} after ${r.states} states, depth ${r.depth}`;
  const bound = r.stopped === 'time' ? 'time limit' : r.stopped === 'depth' ? 'depth bound' : r.stopped === 'memory' ? 'memory limit' : 'state bound';
  return `incomplete: stopped at the ${bound} after ${r.states} states, depth ${r.depth}`;
}

/** Throughput and storage figures of an exploration, for one line of output. */
export function engineFigures(r: ExploreResult): string {
  const sec = Math.max(r.ms / 1000, 1e-3);
  return [
    `${r.transitions} transitions`,
    `${sec.toFixed(2)}s`,
    `${Math.round(r.states / sec)} states/s`,
    `${Math.round(r.transitions / sec)} transitions/s`,
    `${Math.round(r.bytesPerState)} bytes/state (${r.mode}${r.symmetry ? ', symmetry' : ''}${r.workers > 1 ? `, ${r.workers} workers` : ''}${r.fastPath ? ', fast path' : ''})`,
  ].join(', ');
}

/**
 * The seen-set of an exploration: fingerprints, or full keys in exact mode.
 * Each distinct key gets a dense number in the order it was first met.
 */
export interface SeenSet {
  /** The number of the state's key, adding it (as number `size`) when it is new. */
  intern(s: unknown): number;
  /** Adds the state's key; true when it is new. */
  add(s: unknown): boolean;
  readonly size: number;
  /** Bytes held (estimated for exact keys). */
  readonly bytes: number;
}

/** The key a state is stored under: symmetry representative, else view, else the state. */
export function keyFunction(m: AnyMachine, symmetry: boolean): (s: unknown) => unknown {
  if (symmetry && m.symmetry) return m.symmetry.bind(m);
  if (m.view) return m.view.bind(m);
  return (s) => s;
}

/** Estimated bytes of an exact key: a flat one-byte V8 string (12-byte header, 4-byte rounding) and a Map entry with its share of buckets. */
function keyBytes(text: string): number {
  return 12 + Math.ceil(text.length / 4) * 4 + 24;
}

/** A seen-set for machine `m` (see {@link ExploreOptions.exact} and {@link ExploreOptions.symmetry}). */
export function seenSet(m: AnyMachine, exact: boolean, symmetry: boolean): SeenSet {
  return keySet(keyFunction(m, symmetry), exact);
}

/** The text an exact seen-set stores for a key: a string key as it is, any other its canonical JSON. */
export function keyText(k: unknown): string {
  return typeof k === 'string' ? k : canonical(k);
}

/** A seen-set over the keys `keyOf` gives: 64-bit fingerprints, or exact canonical texts. */
export function keySet(keyOf: (s: unknown) => unknown, exact: boolean): SeenSet {
  let intern: (s: unknown) => number;
  let size: () => number;
  let bytes: () => number;
  if (!exact) {
    const table = new FingerprintSet();
    intern = (s) => {
      const lo = fingerprint(keyOf(s));
      return table.intern(lo, fpHi());
    };
    size = () => table.size;
    bytes = () => table.bytes;
  } else {
    const keys = new Map<string, number>();
    let held = 0;
    intern = (s) => {
      const text = keyText(keyOf(s));
      const id = keys.get(text);
      if (id !== undefined) return id;
      keys.set(text, keys.size);
      held += keyBytes(text);
      return keys.size - 1;
    };
    size = () => keys.size;
    bytes = () => held;
  }
  return {
    intern,
    add: (s) => {
      const n = size();
      intern(s);
      return size() > n;
    },
    get size() {
      return size();
    },
    get bytes() {
      return bytes();
    },
  };
}

/**
 * What both engines record of a search besides the seen-set: the trace links
 * of every node (node 0 is the initial state; every other node has its
 * parent's number and the index of its action there), the first violation of
 * each property, and the node where the search stopped on a violation.
 */
export class SearchLog {
  private readonly parent = new IntVec();
  private readonly via = new IntVec();
  readonly violated = new Map<string, Violation>();
  /** The node of the violation that ended the search. */
  hit: number | undefined;
  /** The violation that ended the search. */
  hitBy: Violation | undefined;
  /** Keep-going mode: the first node of each property violated, and its violation. */
  private readonly hits = new Map<string, { at: number; v: Violation }>();

  constructor(
    private readonly target: string | undefined,
    private readonly keepGoing = false,
  ) {
    this.parent.push(0);
    this.via.push(0);
  }

  /** A new node reached from `from` by its action number `ai`. */
  link(from: number, ai: number): number {
    this.parent.push(from);
    this.via.push(ai);
    return this.parent.length - 1;
  }

  /** Records violations at node `at`; true when one ends the search (the target, or any without one). */
  record(vs: readonly Violation[], at: number): boolean {
    for (const v of vs) if (!this.violated.has(v.property)) this.violated.set(v.property, v);
    if (vs.length === 0) return false;
    if (this.keepGoing) {
      for (const v of vs) if (!this.hits.has(v.property)) this.hits.set(v.property, { at, v });
      return false;
    }
    const hit = this.target === undefined ? vs[0] : vs.find((v) => v.property === this.target);
    if (hit === undefined) return false;
    this.hit = at;
    this.hitBy = hit;
    return true;
  }

  /** A throwing model ends the search whatever the target: at action `ai` of node `from`, or computing the actions of `from` itself (`ai` = -1). */
  threw(v: Violation, from: number, ai: number): void {
    const at = ai < 0 ? from : this.link(from, ai);
    if (!this.violated.has(v.property)) this.violated.set(v.property, v);
    this.hit = at;
    this.hitBy = v;
  }

  /**
   * Files a judged successor of node `from` by action `ai`: the number of a
   * new node to expand, or {@link SKIP} (a known state, or a violating one,
   * which is not expanded), or {@link STOP} (a violation that ends the search).
   */
  arrive(from: number, ai: number, fresh: boolean, vs: readonly Violation[]): number {
    if (!fresh) {
      if (vs.length === 0) return SKIP;
      const news = this.news(vs);
      return news.length && this.record(news, this.link(from, ai)) ? STOP : SKIP;
    }
    const nid = this.link(from, ai);
    if (this.record(vs, nid)) return STOP;
    return vs.length ? SKIP : nid;
  }

  /**
   * Violations on a transition into a known state that matter: its
   * state-only checks ran when it was first met, so only properties not yet
   * violated (or the target) are news.
   */
  news(vs: readonly Violation[]): readonly Violation[] {
    return vs.filter((v) => !this.violated.has(v.property) || v.property === this.target);
  }

  /** Action indices from the initial state to node `id`. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let i = id; i > 0; i = this.parent.at(i)) path.push(this.via.at(i));
    return path.reverse();
  }

  /** The counterexample, replayed along the links (and checked to end on the same violation), when a violation ended the search. */
  counterexample(m: AnyMachine): Trace | undefined {
    if (this.hit === undefined) return undefined;
    return replay(m, this.pathTo(this.hit), { recorded: { by: 'breadth-first search', ...(this.hitBy ? { violation: this.hitBy } : {}) } }).trace;
  }

  /** Keep-going mode: the shortest trace of each property violated (a throw that ended the search first). */
  counterexamples(m: AnyMachine): Map<string, Trace> {
    const out = new Map<string, Trace>();
    const first = this.counterexample(m);
    if (first && this.hitBy) out.set(this.hitBy.property, first);
    for (const [p, h] of this.hits) {
      if (out.has(p)) continue;
      out.set(p, replay(m, this.pathTo(h.at), { recorded: { by: 'breadth-first search', violation: h.v } }).trace);
    }
    return out;
  }

  /** Bytes held by the links. */
  get bytes(): number {
    return this.parent.bytes + this.via.bytes;
  }
}

/** Labels of the actions along `path`, as a search found it. */
export function labelsOf(m: AnyMachine, path: readonly number[]): string[] {
  return replay(m, path, { judge: false, recorded: { by: 'the search' } }).trace.steps.map((x) => x.label);
}

/** Node number of {@link SearchLog.arrive}: nothing to expand. */
export const SKIP = -1;
/** Node number of {@link SearchLog.arrive}: the search ends. */
export const STOP = -2;

/** The counterexample fields of a result: the one that ended the search, or with `keepGoing` every property's shortest. */
export function found(m: AnyMachine, log: SearchLog, opts: ExploreOptions): Pick<ExploreResult, 'counterexample' | 'counterexamples'> {
  if (!opts.keepGoing) {
    const counterexample = log.counterexample(m);
    return counterexample ? { counterexample } : {};
  }
  const all = log.counterexamples(m);
  const first = [...all.values()][0];
  return { ...(first ? { counterexample: first } : {}), counterexamples: all };
}

/** Breadth-first search; see {@link ExploreOptions}. */
export function explore(m: AnyMachine, opts: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const maxStates = opts.maxStates ?? 5_000_000;
  const maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
  const symmetry = opts.symmetry !== false && m.symmetry !== undefined;
  const seen = seenSet(m, opts.exact === true, opts.symmetry !== false);
  const log = new SearchLog(opts.target, opts.keepGoing === true);
  let depth = 0;
  let stopped: ExploreBound | undefined;
  let peakFrontier = 1;
  let level: (unknown | undefined)[] = [];
  let qi = 0;
  let nextLevel: unknown[] = [];
  let nextIds: number[] = [];
  const onProgress = opts.onProgress;
  const clock = new Clock({
    ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
    ...(opts.stop ? { stop: opts.stop } : {}),
    ...(opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {}),
    ...(onProgress ? { onProgress: () => onProgress({ states: seen.size, transitions: judge.transitions, depth: visitor.depth, queue: level.length - qi - 1 + nextLevel.length, ms: performance.now() - t0 }), progressMs: opts.progressMs ?? 10_000 } : {}),
  });
  const judge = new Judge(m, { clock, fastPath: opts.fastPath !== false, ...(opts.lockGraph ? { lock: { graph: opts.lockGraph, source: 'explore' } } : {}), ...(opts.races ? { races: opts.races } : {}) });
  // one visitor for the whole search: `id` and `depth` follow the state being expanded
  let id = 0;
  const visitor: Visitor & { depth: number } = {
    depth: 0,
    isNew: (n) => seen.add(n),
    successor: (ai, _a, n, fresh, vs) => {
      if (fresh) depth = visitor.depth + 1;
      const nid = log.arrive(id, ai, fresh, vs);
      if (nid === STOP) return true;
      if (nid === SKIP) return false;
      if (seen.size >= maxStates) {
        stopped = 'states';
        return true;
      }
      nextLevel.push(n);
      nextIds.push(nid);
      return false;
    },
    threw: (ai, v) => log.threw(v, id, ai),
    pathLabels: (ai) => labelsOf(m, [...log.pathTo(id), ai]),
  };

  const first = judge.initial();
  seen.add(first.state);
  if (first.threw && first.violations[0]) log.threw(first.violations[0], 0, -1);
  else log.record(first.violations, 0);
  level = first.violations.length ? [] : [first.state];
  let levelIds: number[] = [0];
  search: while (level.length) {
    if (visitor.depth >= maxDepth) {
      stopped = 'depth';
      break;
    }
    nextLevel = [];
    nextIds = [];
    for (qi = 0; qi < level.length; qi++) {
      const s = level[qi];
      level[qi] = undefined; // let expanded states be collected
      id = levelIds[qi] as number;
      const how = successors(judge, s, visitor);
      if (how === 'clock') stopped = clock.stoppedBy ?? 'time';
      if (how !== 'done') break search;
      if (level.length - qi + nextLevel.length > peakFrontier) peakFrontier = level.length - qi + nextLevel.length;
    }
    level = nextLevel;
    levelIds = nextIds;
    visitor.depth++;
  }

  return {
    ...found(m, log, opts),
    violated: log.violated,
    states: seen.size,
    transitions: judge.transitions,
    depth,
    complete: stopped === undefined && log.hit === undefined,
    witnesses: judge.witnesses,
    ms: performance.now() - t0,
    ...(stopped !== undefined && log.hit === undefined ? { stopped } : {}),
    mode: opts.exact === true ? 'exact' : 'fingerprint',
    symmetry,
    bytesPerState: (seen.bytes + log.bytes) / Math.max(seen.size, 1),
    peakFrontier,
    workers: 1,
    fastPath: judge.fast,
  };
}
