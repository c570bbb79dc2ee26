/**
 * An oracle for balloon's state keys, written apart from symmetry.ts: the
 * slow canonical form of a state up to the page permutations the model
 * declares harmless (pages of one pageblock of an offlinable block; pages of
 * all blocks never offlined), found by trying every such permutation and
 * keeping the smallest text. Two states have the same canonical form exactly
 * when one is the other with pages renumbered inside their classes.
 *
 * {@link checkStateKeys} explores a machine built without symmetry (every
 * state, every allocation choice) and holds its two keys to the oracle: the
 * symmetry key must split the states exactly as the canonical form does, and
 * the plain view exactly as the state itself does (after the projection both
 * are allowed: statistics out, fields that never change out — checked here to
 * never change). A key that merges two different states makes the search
 * skip one; a key that tells apart two symmetric states wastes states or,
 * worse, hides that the reduction is not applied.
 */
import type { Machine } from '../contract.js';
import { SMALL } from './config.js';
import type { BalloonAction, BalloonConfig, BalloonState } from './state.js';

/** Pages grouped by the classes the model may permute: the configuration's geometry, computed here again. */
export function symmetryClasses(c: BalloonConfig): number[][] {
  const byName = new Map<string, number[]>();
  const pages = c.blocks * c.pageblocksPerBlock * c.pagesPerPageblock;
  for (let p = 0; p < pages; p++) {
    const pb = Math.floor(p / c.pagesPerPageblock);
    const block = Math.floor(pb / c.pageblocksPerBlock);
    const name = c.offlineBlocks.includes(block) ? `pb${pb}` : 'never-offlined';
    const members = byName.get(name) ?? [];
    members.push(p);
    byName.set(name, members);
  }
  return [...byName.values()];
}

/** Every permutation of `xs`. */
function permutations(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [[...xs]];
  const out: number[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** Every renumbering of pages that keeps each page in its class: `map[p]` is p's new number. */
export function classPermutations(classes: readonly (readonly number[])[], pages: number): number[][] {
  let maps: number[][] = [Array.from({ length: pages }, (_, p) => p)];
  for (const members of classes) {
    const next: number[][] = [];
    for (const map of maps)
      for (const perm of permutations(members)) {
        const m = [...map];
        members.forEach((p, i) => {
          m[p] = perm[i] as number;
        });
        next.push(m);
      }
    maps = next;
  }
  return maps;
}

/** The parts of a state that name pages, renumbered by `map`. */
function pageParts(s: BalloonState, map: readonly number[]): string {
  const r = (p: number | null): number | null => (p === null ? null : (map[p] as number));
  const rs = (ps: readonly number[]): number[] => ps.map((p) => map[p] as number);
  const pages: string[] = [];
  s.pages.forEach((st, p) => {
    pages[map[p] as number] = st;
  });
  const al = s.T.alloc;
  return JSON.stringify([
    pages,
    s.list.map((a) => [r(a.meta), rs(a.entries)]),
    al === null ? null : [r(al.p), r(al.m), rs(al.frees)],
    [s.T.free, s.O.free, s.D.free].map((fc) => (fc === null ? null : rs(fc.frees))),
    rs(s.H.cmm.frees),
  ]);
}

/** The fields of an operation that follow from its kind and block (lock and chain names, sizes). */
function opStatics(op: NonNullable<BalloonState['H']['op']>): string {
  return JSON.stringify([op.memoryChain, op.isolateChain, op.stateMutex, op.pmMutex, op.zoneLock, op.nrPages, op.pageblocks]);
}

/** What no key needs to tell apart: the never-changing chains, an operation's static fields, the statistics. */
function statics(s: BalloonState): { chains: string; op: string | null } {
  const { walkers: _w, ...isolate } = s.isolate;
  return { chains: JSON.stringify([s.memory, isolate]), op: s.H.op === null ? null : `${s.H.op.op}${s.H.op.block}:${opStatics(s.H.op)}` };
}

/** Everything but the page-naming parts, the statics and the statistics. */
function rest(s: BalloonState): string {
  const { pages: _p, list: _l, b10: _b, memory: _m, isolate, T, O, D, H, ...others } = s;
  const al = T.alloc;
  const free = (fc: BalloonState['T']['free']) => (fc === null ? null : { ...fc, frees: fc.frees.length });
  const op = H.op === null ? null : { ...H.op, memoryChain: 0, isolateChain: 0, stateMutex: 0, pmMutex: 0, zoneLock: 0, nrPages: 0, pageblocks: 0 };
  const { unloaned: _u, ...ghost } = H.ghost;
  return JSON.stringify({
    ...others,
    walkers: isolate.walkers,
    T: { pc: T.pc, alloc: al === null ? null : { ...al, p: al.p === null, m: al.m === null, frees: al.frees.length }, free: free(T.free) },
    O: { ...O, free: free(O.free) },
    D: { ...D, free: free(D.free) },
    H: { op, ghost, cmm: { ...H.cmm, frees: H.cmm.frees.length } },
  });
}

/** The canonical form of `s` up to `maps` (the identity alone: the state itself, projected). */
export function canonicalForm(s: BalloonState, maps: readonly (readonly number[])[]): string {
  let best: string | undefined;
  for (const map of maps) {
    const t = pageParts(s, map);
    if (best === undefined || t < best) best = t;
  }
  return `${rest(s)}#${best ?? ''}`;
}

/** What {@link checkStateKeys} saw. */
export interface StateKeyCheck {
  /** States explored (full states, no reduction). */
  readonly states: number;
  /** Distinct canonical forms: the states the symmetry key should give. */
  readonly orbits: number;
  /** The first disagreement with the oracle, or undefined. */
  readonly problem?: string;
}

/** Records that `key` and `form` split the states alike; returns a message at the first pair they split differently. */
function sameSplit(what: string): (key: string, form: string) => string | undefined {
  const formOf = new Map<string, string>();
  const keyOf = new Map<string, string>();
  return (key, form) => {
    const f = formOf.get(key);
    const k = keyOf.get(form);
    if (f === undefined && k === undefined) {
      formOf.set(key, form);
      keyOf.set(form, key);
      return undefined;
    }
    if (f !== form) return `${what} gives one key to two states the oracle tells apart: ${key}`;
    if (k !== key) return `${what} gives two keys to states the oracle finds equal: ${k} and ${key}`;
    return undefined;
  };
}

/**
 * Explores `m` (built with symmetry off, so every choice is offered) to at
 * most `maxStates` full states and checks `m.symmetry` against the canonical
 * form and `m.view` against the projected state, state by state.
 */
export function checkStateKeys(m: Machine<BalloonState, BalloonAction>, c: BalloonConfig, maxStates: number): StateKeyCheck {
  const pages = c.blocks * c.pageblocksPerBlock * c.pagesPerPageblock;
  const all = classPermutations(symmetryClasses(c), pages);
  const identity = [Array.from({ length: pages }, (_, p) => p)];
  const symmetric = sameSplit('the symmetry key');
  const plain = sameSplit('the view');
  const orbits = new Set<string>();
  const staticOf = new Map<string, string | null>();
  const init = m.init();
  const seen = new Set<string>([JSON.stringify(init)]);
  const queue: BalloonState[] = [init];
  let problem: string | undefined;
  for (let i = 0; i < queue.length && problem === undefined; i++) {
    const s = queue[i] as BalloonState;
    const form = canonicalForm(s, all);
    orbits.add(form);
    const st = statics(s);
    if (!staticOf.has('chains')) staticOf.set('chains', st.chains);
    if (staticOf.get('chains') !== st.chains) problem = 'the memory or isolate chain changed: the keys may not drop it';
    if (st.op !== null) {
      const [id] = st.op.split(':');
      const known = staticOf.get(id as string);
      if (known === undefined) staticOf.set(id as string, st.op);
      else if (known !== st.op) problem = `an operation's lock, chain or size fields changed (${id}): the keys may not drop them`;
    }
    problem ??= symmetric(String(m.symmetry?.(s)), form) ?? plain(String(m.view?.(s)), canonicalForm(s, identity));
    for (const a of m.actions(s)) {
      if (seen.size >= maxStates) break;
      const t = m.next(s, a);
      const text = JSON.stringify(t);
      if (seen.has(text)) continue;
      seen.add(text);
      queue.push(t);
    }
  }
  return { states: queue.length, orbits: orbits.size, ...(problem !== undefined ? { problem } : {}) };
}

// The configurations the oracle is run on (symmetry.test.ts, the mutation check): each with the
// states an exploration without symmetry finds and the orbits the oracle counts, pinned.

/** One configuration of the key check. */
export interface SymmetryCase {
  readonly variant: string;
  readonly config: BalloonConfig;
  readonly states: number;
  readonly orbits: number;
}

/**
 * Named cases: classes of one and of several pages, a preloaded balloon,
 * other users' pages, hv errors, V1's atomics (A1/A2 and T2/T3/T4 as
 * separate steps since issue 19: 1,856 states before), and V1's atomics
 * under `lkmm`, whose key carries the weak memory.
 */
export const SYMMETRY_CONFIGS: Readonly<Record<string, SymmetryCase>> = {
  'one-page-per-pageblock': { variant: 'reference', config: { ...SMALL, pagesPerPageblock: 1, initial: ['free', 'free', 'free', 'free'], minMem: 3 }, states: 1_240, orbits: 812 },
  'two-pages-per-pageblock': { variant: 'reference', config: { ...SMALL, minMem: 7 }, states: 1_640, orbits: 1_012 },
  'preloaded-with-other-pages': {
    variant: 'reference',
    config: { ...SMALL, minMem: 6, allocFail: false, vetoCallback: false, preload: [[4, 0, 1]], loanRequests: [0, 1], initial: ['free', 'free', 'other_movable', 'free', 'free', 'other_movable', 'other_pinned', 'free'], onlineEvents: 0, otherEvents: 1 },
    states: 932,
    orbits: 816,
  },
  'hv-errors': { variant: 'reference', config: { ...SMALL, minMem: 6, vetoCallback: false, hvErrors: true, loanRequests: [2], offlineEvents: 0, onlineEvents: 0 }, states: 846, orbits: 209 },
  'V1-atomics': { variant: 'V1', config: { ...SMALL, minMem: 7 }, states: 4_176, orbits: 2_496 },
  'V1-lkmm': { variant: 'V1', config: { ...SMALL, minMem: 7, memory: 'lkmm' }, states: 13_826, orbits: 7_164 },
};
