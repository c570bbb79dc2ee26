/**
 * Exhaustive engine: breadth-first search over a machine's states from its
 * initial state, deduplicating states by canonical JSON. Because states are
 * expanded depth by depth, the first violation met has a shortest trace.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { canonical } from '../model/canonical.js';
import type { Trace, Violation } from './check.js';
import { modelThrew, runTrace, sometimesNames, violationsAt, witnessesAt } from './check.js';
import type { LockGraph } from './lockorder.js';
import { actionLabel } from '../model/contract.js';

/** Bounds of an exploration. */
export interface ExploreOptions {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /**
   * Stop at the first violation of this property; violations of other
   * properties are recorded and their states not expanded. Default: stop at
   * the first violation of any property.
   */
  readonly target?: string;
  /** Every explored transition adds its lock-order edges here (predictive lock-order checking). */
  readonly lockGraph?: LockGraph;
}

/** What an exploration found. */
export interface ExploreResult {
  /** The shortest trace to the first (targeted) violation, if any. */
  readonly counterexample?: Trace;
  /** First violation of each property met (one line each), including non-targeted ones. */
  readonly violated: ReadonlyMap<string, Violation>;
  readonly states: number;
  readonly transitions: number;
  /** Greatest depth reached. */
  readonly depth: number;
  /** True when every reachable state within the bounds was expanded. */
  readonly complete: boolean;
  /** Sometimes-properties and whether a witness was found. */
  readonly witnesses: ReadonlyMap<string, boolean>;
  readonly ms: number;
}

/** Breadth-first search; see {@link ExploreOptions}. */
export function explore(m: AnyMachine, opts: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const maxStates = opts.maxStates ?? 5_000_000;
  const maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
  const index = new Map<string, number>();
  const keyOf = m.view ? (s: unknown): string => canonical(m.view?.(s)) : canonical;
  const parent: number[] = [];
  const via: (ActionBase | undefined)[] = [];
  const depthOf: number[] = [];
  const witnesses = new Map<string, boolean>(sometimesNames(m).map((n) => [n, false]));
  const violated = new Map<string, Violation>();
  const note = (names: string[]): void => {
    for (const n of names) witnesses.set(n, true);
  };

  const init = m.init();
  index.set(keyOf(init), 0);
  parent.push(-1);
  via.push(undefined);
  depthOf.push(0);
  let transitions = 0;
  let depth = 0;
  let complete = true;
  let hit: number | undefined;

  // A violation ends the search when it is the targeted one (or any, without a target).
  const record = (vs: Violation[], at: number): boolean => {
    for (const v of vs) if (!violated.has(v.property)) violated.set(v.property, v);
    if (vs.length === 0) return false;
    if (opts.target === undefined || vs.some((v) => v.property === opts.target)) {
      hit = at;
      return true;
    }
    return false;
  };

  const initEnabled = m.actions(init);
  // the frontier keeps each state's enabled actions, computed once for the deadlock check
  const queue: ({ s: unknown; acts: readonly ActionBase[] } | undefined)[] = [{ s: init, acts: initEnabled }];
  const queueIds: number[] = [0];
  note(witnessesAt(m, { next: init }));
  const initBad = violationsAt(m, { next: init }, initEnabled.length);
  if (record(initBad, 0) || initBad.length) {
    // the initial state itself is bad: nothing to expand
  } else {
    let head = 0;
    search: while (head < queue.length) {
      const entry = queue[head];
      if (!entry) break;
      const { s, acts } = entry;
      const id = queueIds[head] as number;
      queue[head] = undefined; // let expanded states be collected
      head++;
      const d = depthOf[id] as number;
      if (d >= maxDepth) {
        complete = false;
        continue;
      }
      for (const a of acts) {
        let n: unknown;
        let nActs: readonly ActionBase[];
        try {
          n = m.next(s, a);
          nActs = m.actions(n);
        } catch (e) {
          const nid = parent.length;
          parent.push(id);
          via.push(a);
          depthOf.push(d + 1);
          record([modelThrew(e)], nid);
          hit = nid; // a throwing model ends the search whatever the target
          break search;
        }
        transitions++;
        const key = keyOf(n);
        const known = index.get(key);
        const t = { prev: s, action: a, next: n };
        note(witnessesAt(m, t));
        opts.lockGraph?.addStep(m.kernel(s), m.kernel(n), m.describe(a).ctx, depthOf[id] as number, () => {
          const path: string[] = [actionLabel(a)];
          for (let i = id; i > 0; i = parent[i] as number) path.push(actionLabel(via[i] as ActionBase));
          return path.reverse();
        }, 'explore');
        if (known !== undefined) {
          // a step property may fail on a transition into a known state
          const vs = violationsAt(m, t, nActs.length).filter((v) => !violated.has(v.property) || v.property === opts.target);
          if (vs.length) {
            const nid = parent.length;
            parent.push(id);
            via.push(a);
            depthOf.push(d + 1);
            if (record(vs, nid)) break search;
          }
          continue;
        }
        const nid = parent.length;
        index.set(key, nid);
        parent.push(id);
        via.push(a);
        depthOf.push(d + 1);
        depth = Math.max(depth, d + 1);
        const vs = violationsAt(m, t, nActs.length);
        if (record(vs, nid)) break search;
        if (vs.length) continue; // violating states are not expanded
        if (index.size >= maxStates) {
          complete = false;
          break search;
        }
        queue.push({ s: n, acts: nActs });
        queueIds.push(nid);
      }
    }
  }

  let counterexample: Trace | undefined;
  if (hit !== undefined) {
    const path: ActionBase[] = [];
    for (let i = hit; i > 0; i = parent[i] as number) path.push(via[i] as ActionBase);
    path.reverse();
    counterexample = runTrace(m, (i) => path[i]).trace;
  }
  return {
    ...(counterexample ? { counterexample } : {}),
    violated,
    states: index.size,
    transitions,
    depth,
    complete: complete && hit === undefined,
    witnesses,
    ms: performance.now() - t0,
  };
}
