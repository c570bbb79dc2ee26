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
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { actionLabel } from '../model/contract.js';
import { canonical } from '../model/canonical.js';
import type { Trace, Violation } from './check.js';
import { modelThrew, runTrace, stepChecker } from './check.js';
import { fingerprint, FingerprintSet, fpHi } from './fingerprint.js';
import { IntVec } from './intvec.js';
import type { LockGraph } from './lockorder.js';

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

/** Bounds and modes of an exploration. */
export interface ExploreOptions {
  /** Stop after this many distinct states (default 5,000,000). */
  readonly maxStates?: number;
  /** Do not expand states at this depth (default none). */
  readonly maxDepth?: number;
  /** Stop after this many milliseconds (default none). */
  readonly timeLimitMs?: number;
  /**
   * Stop at the first violation of this property; violations of other
   * properties are recorded and their states not expanded. Default: stop at
   * the first violation of any property.
   */
  readonly target?: string;
  /** Every explored transition adds its lock-order edges here (predictive lock-order checking). */
  readonly lockGraph?: LockGraph;
  /** Keep full canonical keys instead of 64-bit fingerprints (default false). */
  readonly exact?: boolean;
  /** Apply the machine's symmetry canonicaliser when it has one (default true). */
  readonly symmetry?: boolean;
  /** Called about every `progressMs` milliseconds while exploring. */
  readonly onProgress?: (p: ExploreProgress) => void;
  /** Interval of `onProgress` (default 10,000 ms). */
  readonly progressMs?: number;
}

/** Which bound stopped an incomplete exploration. */
export type ExploreBound = 'states' | 'depth' | 'time';

/** What an exploration found. */
export interface ExploreResult {
  /** The shortest trace to the first (targeted) violation, if any. */
  readonly counterexample?: Trace;
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
}

/** The one-line verdict of an exploration that found no (targeted) violation. */
export function verdict(r: ExploreResult): string {
  if (r.complete) return `no violation: ${r.states} distinct states, depth ${r.depth}, complete`;
  const bound = r.stopped === 'time' ? 'time limit' : r.stopped === 'depth' ? 'depth bound' : 'state bound';
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
    `${Math.round(r.bytesPerState)} bytes/state (${r.mode}${r.symmetry ? ', symmetry' : ''}${r.workers > 1 ? `, ${r.workers} workers` : ''})`,
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

  constructor(private readonly target: string | undefined) {
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
    if (this.target === undefined || vs.some((v) => v.property === this.target)) {
      this.hit = at;
      return true;
    }
    return false;
  }

  /** A throwing model ends the search whatever the target. */
  threw(e: unknown, from: number, ai: number): void {
    const at = this.link(from, ai);
    this.record([modelThrew(e)], at);
    this.hit = at;
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

  /** The counterexample, replayed along the links, when a violation ended the search. */
  counterexample(m: AnyMachine): Trace | undefined {
    return this.hit !== undefined ? traceOf(m, this.pathTo(this.hit)) : undefined;
  }

  /** Bytes held by the links. */
  get bytes(): number {
    return this.parent.bytes + this.via.bytes;
  }
}

/** Replays action indices from the initial state into a checked trace. */
function traceOf(m: AnyMachine, path: readonly number[]): Trace {
  return runTrace(m, (i, enabled) => enabled[path[i] as number]).trace;
}

/** Labels of the actions along `path`. */
function labelsOf(m: AnyMachine, path: readonly number[]): string[] {
  let s = m.init();
  const out: string[] = [];
  for (const i of path) {
    const a = m.actions(s)[i] as ActionBase;
    out.push(actionLabel(a));
    s = m.next(s, a);
  }
  return out;
}

/** Fills in the witness map from the sometimes-properties of `m`; returns a checker that stops asking once all are seen. */
export function witnessTracker(m: AnyMachine): { witnesses: Map<string, boolean>; note: (t: { prev?: unknown; action?: ActionBase; next: unknown }) => void } {
  const witnesses = new Map<string, boolean>();
  let pending = m.properties.flatMap((p) => (p.kind === 'sometimes' ? [p] : []));
  for (const p of pending) witnesses.set(p.name, false);
  return {
    witnesses,
    note: (t) => {
      if (pending.length === 0) return;
      let hit = false;
      for (const p of pending)
        if (p.check(t)) {
          witnesses.set(p.name, true);
          hit = true;
        }
      // a witnessed property is never asked again
      if (hit) pending = pending.filter((p) => witnesses.get(p.name) !== true);
    },
  };
}

/** Breadth-first search; see {@link ExploreOptions}. */
export function explore(m: AnyMachine, opts: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const maxStates = opts.maxStates ?? 5_000_000;
  const maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
  const deadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : Number.POSITIVE_INFINITY;
  const progressMs = opts.progressMs ?? 10_000;
  let nextProgress = opts.onProgress ? t0 + progressMs : Number.POSITIVE_INFINITY;
  const symmetry = opts.symmetry !== false && m.symmetry !== undefined;
  const seen = seenSet(m, opts.exact === true, opts.symmetry !== false);
  const check = stepChecker(m);
  const { witnesses, note } = witnessTracker(m);
  const log = new SearchLog(opts.target);
  let transitions = 0;
  let depth = 0;
  let complete = true;
  let stopped: ExploreBound | undefined;
  let peakFrontier = 1;

  const init = m.init();
  seen.add(init);
  note({ next: init });
  const initBad = check({ next: init }, m.actions(init).length);
  log.record(initBad, 0);
  let level: (unknown | undefined)[] = initBad.length ? [] : [init];
  let levelIds: number[] = [0];
  let d = 0;
  search: while (level.length) {
    if (d >= maxDepth) {
      complete = false;
      stopped = 'depth';
      break;
    }
    const nextLevel: unknown[] = [];
    const nextIds: number[] = [];
    for (let qi = 0; qi < level.length; qi++) {
      const s = level[qi];
      level[qi] = undefined; // let expanded states be collected
      const id = levelIds[qi] as number;
      const acts = m.actions(s);
      for (let ai = 0; ai < acts.length; ai++) {
        const a = acts[ai] as ActionBase;
        let n: unknown;
        try {
          n = m.next(s, a);
        } catch (e) {
          log.threw(e, id, ai);
          break search;
        }
        transitions++;
        if ((transitions & 255) === 0) {
          const now = performance.now();
          if (now >= deadline) {
            complete = false;
            stopped = 'time';
            break search;
          }
          if (now >= nextProgress) {
            nextProgress = now + progressMs;
            opts.onProgress?.({ states: seen.size, transitions, depth: d, queue: level.length - qi - 1 + nextLevel.length, ms: now - t0 });
          }
        }
        const t = { prev: s, action: a, next: n };
        note(t);
        opts.lockGraph?.addStep(m.kernel(s), m.kernel(n), m.describe(a).ctx, d, () => labelsOf(m, [...log.pathTo(id), ai]), 'explore');
        if (!seen.add(n)) {
          // A step property may fail on a transition into a known state. Its
          // state-only checks ran when it was first met (the deadlock check
          // included), so any count of enabled actions but 0 gives the same
          // new violations, and `actions` need not run again.
          const all = check(t, 1);
          if (all.length === 0) continue;
          const vs = log.news(all);
          if (vs.length && log.record(vs, log.link(id, ai))) break search;
          continue;
        }
        let enabled: number;
        try {
          enabled = m.actions(n).length;
        } catch (e) {
          log.threw(e, id, ai);
          break search;
        }
        const nid = log.link(id, ai);
        depth = d + 1;
        const vs = check(t, enabled);
        if (log.record(vs, nid)) break search;
        if (vs.length) continue; // violating states are not expanded
        if (seen.size >= maxStates) {
          complete = false;
          stopped = 'states';
          break search;
        }
        nextLevel.push(n);
        nextIds.push(nid);
      }
      if (level.length - qi + nextLevel.length > peakFrontier) peakFrontier = level.length - qi + nextLevel.length;
    }
    level = nextLevel;
    levelIds = nextIds;
    d++;
  }

  const counterexample = log.counterexample(m);
  return {
    ...(counterexample ? { counterexample } : {}),
    violated: log.violated,
    states: seen.size,
    transitions,
    depth,
    complete: complete && log.hit === undefined,
    witnesses,
    ms: performance.now() - t0,
    ...(stopped !== undefined && log.hit === undefined ? { stopped } : {}),
    mode: opts.exact === true ? 'exact' : 'fingerprint',
    symmetry,
    bytesPerState: (seen.bytes + log.bytes) / Math.max(seen.size, 1),
    peakFrontier,
    workers: 1,
  };
}
