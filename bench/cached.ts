/**
 * A transition cache, built end to end as a measurement (`npm run bench --
 * cached [MODEL]`; issue 18): a complete breadth-first search over collapsed
 * states (collapse.ts) in which every guard, every step and every property
 * is answered from a cache, and the model's own code runs only on a miss.
 * It is not an engine of the product: it judges a reference's safety
 * properties and the built-in checks and counts states, so that its time
 * can be set beside `explore`'s on the same configuration and its state
 * count held to the engine's. It has no traces, sometimes-properties, race
 * or lock-order checks, liveness or workers.
 *
 * Each cache is a read trie, built from the one model source by watching
 * the code run. A node names the component the code reads next, and its
 * edges are that component's values; a leaf holds the outcome. The code is
 * deterministic, so which component it reads next depends only on the
 * values it has read so far, and a path from the root is a complete
 * account of what the outcome depends on: no row is declared, none can be
 * too narrow. Guards and properties run on a view of the state that notes
 * each component read (collapse.ts `reading`); a step runs on the fast path
 * with its state, its copy and `original(draft)` seen through such views
 * (`nextWatched`, collapse.ts `watching`), so that what a `next` wrapper
 * reads of its state outside the recipe counts too, and a component it
 * replaces there is taken as written. What a wrapper reads of the recipe's
 * result is not seen: it must take what it adds from the state it was
 * given (balloon's kernel slice does). The built-in checks read the kernel
 * slice whole.
 *
 * A property whose cache misses on more than a fifth of its first 4,096
 * lookups is asked directly from then on: a cache that rarely hits only
 * adds the cost of watching.
 *
 * States are deduplicated on two levels: a successor whose vector was met
 * before is known; a new vector is made a state again and keyed as
 * `explore` keys it (the model's symmetry representative or view), so both
 * searches count the same states.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { builtinViolations } from '../model/kernel/checks.js';
import { keyFunction } from '../properties/explore.js';
import { FingerprintSet, fingerprint, fpHi } from '../properties/fingerprint.js';
import { Collapser, component, EMPTY, kernelComponents, layoutOf, reading, watchStep } from './collapse.js';
import { walkGraph } from './graph.js';

/**
 * A node of a read trie: an inner node reads component `c` (-1: a leaf
 * holding `value`). A component's values are numbered densely from 0, so
 * the edges are an array indexed by the value read.
 */
class Node<T> {
  readonly kids: (Node<T> | undefined)[] = [];
  constructor(
    readonly c: number,
    readonly value: T | undefined,
  ) {}
}

/**
 * Outcomes keyed by what the code read. A read is a number: a component of
 * the first state (0…n−1), of the second (n…2n−1), or the action (2n).
 */
export class ReadTrie<T> {
  private root: Node<T> | undefined;
  constructor(private readonly n: number) {}

  private at(c: number, a: Int32Array, b: Int32Array, action: number): number {
    return c < this.n ? a[c]! : c < 2 * this.n ? b[c - this.n]! : action;
  }

  /** The outcome recorded for these states, if the code has met their values before. */
  get(a: Int32Array, b: Int32Array, action: number): T | undefined {
    let x = this.root;
    while (x !== undefined && x.c >= 0) x = x.kids[this.at(x.c, a, b, action)];
    return x?.value;
  }

  /** Records `value` under the reads `seq` (in the order the code made them). */
  put(seq: readonly number[], a: Int32Array, b: Int32Array, action: number, value: T): void {
    const chain = (k: number): Node<T> => {
      let x = new Node<T>(-1, value);
      for (let j = seq.length - 1; j >= k; j--) {
        const up = new Node<T>(seq[j]!, undefined);
        up.kids[this.at(seq[j]!, a, b, action)] = x;
        x = up;
      }
      return x;
    };
    if (this.root === undefined) {
      this.root = chain(0);
      return;
    }
    let x = this.root;
    for (let k = 0; ; k++) {
      if (x.c < 0) throw new Error('a read trie met two outcomes for the same reads: the code is not a function of the state');
      if (x.c !== seq[k]) throw new Error(`the code read component ${seq[k]} where it read ${x.c} before, after the same values`);
      const v = this.at(x.c, a, b, action);
      const next = x.kids[v];
      if (next === undefined) {
        x.kids[v] = chain(k + 1);
        return;
      }
      x = next;
    }
  }
}

/** What {@link cachedSearch} found. */
export interface CachedResult {
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
  /** Wall time of the search, layout and start-up included. */
  readonly ms: number;
  /** Runs of the model's code, per cache: guards, steps, checks (properties and built-ins). */
  readonly misses: readonly [number, number, number];
  /** Lookups of each cache. */
  readonly lookups: readonly [number, number, number];
  /** Checks asked directly (their cache gave up), and which. */
  readonly directChecks: number;
  readonly directNames: readonly string[];
  /** Vectors met, against the states they keyed to. */
  readonly vectors: number;
  /** Properties and built-in checks violated (names, each once). */
  readonly violated: readonly string[];
}

/** A check's cache is given up when more than ADAPT_RATE of its first ADAPT_LOOKUPS lookups missed. */
const ADAPT_LOOKUPS = 4096;
const ADAPT_RATE = 0.2;

/**
 * Explores `m` breadth first to `maxStates` on a transition cache. The
 * layout comes from the first `layoutStates` states of an ordinary
 * exploration (a record whose keys change later stops the search with an
 * error that says so).
 */
export function cachedSearch(m: AnyMachine, maxStates: number, layoutStates = 2_000): CachedResult {
  const t0 = performance.now();
  const guards = m.guards;
  if (guards === undefined || m.fastPath !== true) throw new Error('the machine is not built from rules on the fast path');
  const sample: unknown[] = [];
  walkGraph(m, { maxStates: layoutStates }, (s, _a, n, first) => {
    if (first) sample.push(s);
    sample.push(n);
  });
  const l = layoutOf(sample);
  const col = new Collapser(l);
  const n = l.paths.length;
  const init = m.init();
  const kernel = kernelComponents(l, m);
  const checked = m.properties.filter((p) => p.kind === 'always' || p.kind === 'quiescent');
  const keyOf = keyFunction(m, true);

  // the caches
  const guardTries = guards.map(() => new ReadTrie<readonly ActionBase[]>(n));
  // each action (by label): its number, which the properties' tries read, and its step's trie;
  // the guards' cached arrays hand out the same action objects again, so they are looked up by identity first
  const byLabel = new Map<string, { readonly id: number; readonly trie: ReadTrie<Int32Array> }>();
  const byAction = new Map<ActionBase, { readonly id: number; readonly trie: ReadTrie<Int32Array> }>();
  // verdicts: '' holds, else what is violated (a trie's `undefined` is a miss)
  const checkTries = checked.map(() => new ReadTrie<string>(n));
  const builtinTrie = new ReadTrie<string>(n);
  const misses: [number, number, number] = [0, 0, 0];
  const lookups: [number, number, number] = [0, 0, 0];
  const violated = new Set<string>();

  // a vector made a state again, remembered for the next call with the same vector
  const remembered = (): ((v: Int32Array) => unknown) => {
    let last: Int32Array | undefined;
    let state: unknown;
    return (v) => {
      if (v !== last) {
        last = v;
        state = col.state(v);
      }
      return state;
    };
  };
  // the state being expanded, made once for all the misses it causes
  const stateOf = remembered();
  const guardMiss = (gi: number, v: Int32Array): readonly ActionBase[] => {
    misses[0]++;
    const log = new Set<number>();
    const type = guards[gi]!.type;
    const acts = guards[gi]!.enabled(reading(l, stateOf(v), log) as never).map((args) => ({ ...(args as object), type }) as ActionBase);
    guardTries[gi]!.put([...log], v, EMPTY, 0, acts);
    return acts;
  };
  const actionOf = (a: ActionBase): { readonly id: number; readonly trie: ReadTrie<Int32Array> } => {
    let x = byAction.get(a);
    if (x === undefined) {
      const label = JSON.stringify(a);
      x = byLabel.get(label);
      if (x === undefined) byLabel.set(label, (x = { id: byLabel.size, trie: new ReadTrie<Int32Array>(n) }));
      byAction.set(a, x);
    }
    return x;
  };
  // a step's outcome: the components it wrote or changed, with their new numbers
  const stepMiss = (t: ReadTrie<Int32Array>, v: Int32Array, a: ActionBase): Int32Array => {
    misses[1]++;
    const { after, reads, wrote } = watchStep(l, m, stateOf(v), a);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      // untouched components are carried over; a written one is replayed whole, changed or not
      if (!reads.has(i) && !wrote.has(i)) continue;
      const id = col.intern(i, component(l, after, i));
      if (id !== v[i] || wrote.has(i)) out.push(i, id);
    }
    const w = Int32Array.from(out);
    t.put([...reads], v, EMPTY, 0, w);
    return w;
  };
  // the successor being judged, made once for all the checks that need it
  const nextOf = remembered();
  const checkMiss = (ci: number, v: Int32Array, w: Int32Array, a: ActionBase, id: number): string => {
    misses[2]++;
    checkMisses[ci]!++;
    const log = new Set<number>();
    const p = checked[ci]!;
    const prev = reading(l, stateOf(v), log);
    const next = reading(l, nextOf(w), log, n);
    const t = new Proxy({ prev, action: a, next }, { get: (o, k, r) => (k === 'action' && log.add(2 * n), Reflect.get(o, k, r)) });
    let out = '';
    if (p.kind === 'quiescent' && !m.quiescent(next)) out = '';
    else if (p.kind === 'always' || p.kind === 'quiescent') out = p.check(t as never) ?? '';
    checkTries[ci]!.put([...log], v, w, id, out);
    return out;
  };
  // a check whose cache misses too often (ADAPT_RATE of its first ADAPT_LOOKUPS) is asked directly from then on
  const checkLookups = checked.map(() => 0);
  const checkMisses = checked.map(() => 0);
  const direct = checked.map(() => false);
  const checkDirect = (ci: number, v: Int32Array, w: Int32Array, a: ActionBase): string => {
    const p = checked[ci]!;
    const next = nextOf(w);
    if (p.kind === 'quiescent' && !m.quiescent(next)) return '';
    return p.kind === 'always' || p.kind === 'quiescent' ? (p.check({ prev: stateOf(v), action: a, next }) ?? '') : '';
  };
  const builtinMiss = (w: Int32Array): string => {
    misses[2]++;
    const log = new Set<number>(kernel.map((i) => i + n));
    const s = col.state(w);
    const quiet = m.quiescent(reading(l, s, log, n));
    const b = builtinViolations(m.kernel(s), 1, quiet);
    const out = b.map((x) => x.property).join(' ');
    builtinTrie.put([...log], EMPTY, w, 0, out);
    return out;
  };

  const vectors = new FingerprintSet();
  const keys = new FingerprintSet();
  const hashOf = (v: Int32Array): [number, number] => {
    let a = 0x811c9dc5;
    let b = 0x9e3779b9;
    for (let i = 0; i < v.length; i++) {
      a = Math.imul(a ^ v[i]!, 0x01000193);
      b = Math.imul(b ^ v[i]!, 0x85ebca6b) ^ (b >>> 13);
    }
    return [a, b];
  };
  const isNewState = (v: Int32Array): boolean => {
    const [a, b] = hashOf(v);
    if (!vectors.add(a, b)) return false;
    const lo = fingerprint(keyOf(col.state(v)));
    return keys.add(lo, fpHi());
  };

  const v0 = col.vector(init);
  isNewState(v0);
  let frontier: Int32Array[] = [v0];
  let states = 1;
  let transitions = 0;
  let directChecks = 0;
  let complete = true;
  search: while (frontier.length > 0) {
    const level: Int32Array[] = [];
    for (const v of frontier) {
      const acts: ActionBase[] = [];
      for (let gi = 0; gi < guardTries.length; gi++) {
        lookups[0]++;
        const got = guardTries[gi]!.get(v, EMPTY, 0) ?? guardMiss(gi, v);
        for (const a of got) acts.push(a);
      }
      if (acts.length === 0) {
        const s = col.state(v);
        for (const b of builtinViolations(m.kernel(s), 0, m.quiescent(s))) violated.add(b.property);
      }
      for (const a of acts) {
        const { id, trie: t } = actionOf(a);
        lookups[1]++;
        const out = t.get(v, EMPTY, 0) ?? stepMiss(t, v, a);
        const w = v.slice();
        for (let i = 0; i < out.length; i += 2) w[out[i]!] = out[i + 1]!;
        transitions++;
        for (let ci = 0; ci < checkTries.length; ci++) {
          let verdict: string;
          if (direct[ci]) {
            directChecks++;
            verdict = checkDirect(ci, v, w, a);
          } else {
            lookups[2]++;
            verdict = checkTries[ci]!.get(v, w, id) ?? checkMiss(ci, v, w, a, id);
            if (++checkLookups[ci]! === ADAPT_LOOKUPS && checkMisses[ci]! > ADAPT_RATE * ADAPT_LOOKUPS) direct[ci] = true;
          }
          if (verdict !== '') violated.add(checked[ci]!.name);
        }
        lookups[2]++;
        const bv = builtinTrie.get(EMPTY, w, 0) ?? builtinMiss(w);
        if (bv !== '') for (const name of bv.split(' ')) violated.add(name);
        if (isNewState(w)) {
          if (states >= maxStates) {
            complete = false;
            break search;
          }
          states++;
          level.push(w);
        }
      }
    }
    frontier = level;
  }
  return { states, transitions, complete, ms: performance.now() - t0, misses, lookups, directChecks, directNames: checked.flatMap((p, i) => (direct[i] ? [p.name] : [])), vectors: vectors.size, violated: [...violated] };
}
