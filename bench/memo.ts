/**
 * What a transition cache could give (`npm run bench -- memo [MODEL]`;
 * issue 18). The phase bench shows that no design running the rule code as
 * written once per transition gets past 2.6–5.8× the immer path. A design
 * that keeps the one source can still run it less often: cut the state into
 * components, number each component's distinct values (a collapsed state is
 * a short vector of numbers), and cache each rule's outcome under the
 * values of the components it reads, the way LTSmin's PINS caches a
 * transition group under its short vector. The rule code then runs once per
 * distinct short vector; every other transition is a lookup and a few
 * writes into a copied vector.
 *
 * This bench measures that design over the exhaustive engine's own graph of
 * a reference (bounded), without building it:
 *
 * - the components are the state's top-level fields, and the fields of a
 *   top-level record whose keys are the same in every state recorded (the
 *   contexts of a dictionary, the locks of the kernel slice);
 * - what each piece of model code reads is recorded on the graph: each
 *   guard (`Machine.guards`) and each property through a view that notes
 *   the components touched, each step by watching it run
 *   (collapse.ts `watchStep`). Each cache is keyed by the union of what its
 *   code read over the graph: a static row per step, as PINS declares one
 *   per group;
 * - every cache is filled from the recorded graph, and a key that met two
 *   outcomes is counted as a conflict (a row too narrow: then the figures
 *   would flatter the design, and the bench says so);
 * - then both are timed over the same transitions, round-robin: the model's
 *   own code (guards twice per new state, the fast step without its copy,
 *   the properties) and the lookups (the same calls, each a key built from
 *   the row and one map lookup; the step also copies the vector and writes
 *   the components that change, and the vector is hashed).
 *
 * A cached search still runs the model's code once per distinct key (a
 * miss): the entries per transition say how often. The ceiling divides the
 * immer engine's time per transition by lookups plus misses at the model's
 * own cost. Like the phase bench's rule-code ceiling it leaves out the
 * engine's own bookkeeping (queue, seen-set), and it leaves out what a
 * collapsed state costs elsewhere: numbering a new component value, and a
 * key that is the model's view or symmetry representative rather than the
 * whole vector (how many more states a vector seen-set would keep is
 * counted).
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { nextOnFastPath, onFastPath, produce } from '../model/kernel/immer.js';
import { builtinViolations } from '../model/kernel/checks.js';
import { Judge } from '../properties/core.js';
import { explore, keyFunction } from '../properties/explore.js';
import { walkGraph } from './graph.js';
import { Collapser, EMPTY, kernelComponents, layoutOf, reading, watchStep } from './collapse.js';
import { clocked, roundRobin } from './rounds.js';

/** The cache design's figures on one model's graph (times in µs per transition). */
export interface MemoSplit {
  readonly states: number;
  readonly transitions: number;
  /** Calls of `actions` the engine makes: two per new state (judging it, then expanding it). */
  readonly actionCalls: number;
  /** Components of the collapsed state. */
  readonly components: number;
  /** Components in the widest key of each cache: a guard, a step, a property (previous and next state together) or the built-in checks. */
  readonly rowActions: number;
  readonly rowStepMax: number;
  readonly rowJudge: number;
  /** Guards of the machine: `actions` asks each once. */
  readonly guards: number;
  /** Checked properties, plus one for the built-in checks: what judging one transition asks. */
  readonly judgeParts: number;
  /** Distinct keys of each cache: the times a cached search runs that code (guards: one guard each; properties: one property or the built-ins each). */
  readonly entriesActions: number;
  readonly entriesStep: number;
  readonly entriesJudge: number;
  /** Keys that met two outcomes on the graph, per cache: guards, steps, checks (0: every row is wide enough here). */
  readonly conflicts: readonly [number, number, number];
  /** Distinct vectors among the states met, against distinct model keys (view, symmetry): more vectors, more states kept. */
  readonly vectors: number;
  readonly keys: number;
  /** The model's own code per transition: guards, effect (fast step less its copy), properties. */
  readonly codeActions: number;
  readonly codeStep: number;
  readonly codeJudge: number;
  /** The lookups that replace it, and the vector's hash. */
  readonly hitActions: number;
  readonly hitStep: number;
  readonly hitJudge: number;
  readonly hash: number;
  /** The whole exploration per transition on the immer path. */
  readonly engineImmer: number;
}

/** The properties a judge checks on every transition (sometimes-properties are witnesses, asked until seen). */
type Checked = Extract<AnyMachine['properties'][number], { kind: 'always' | 'quiescent' }>;


/**
 * A cache keyed by a tag and the numbers a row picks out of one or two
 * vectors: the key is gathered into a scratch array, hashed to a small
 * integer, and compared with the keys stored under that hash. Counts the
 * keys that meet two outcomes.
 */
class Cache<T> {
  private readonly buckets = new Map<number, { readonly key: Int32Array; readonly value: T }[]>();
  private scratch = new Int32Array(64);
  private width = 0;
  size = 0;
  conflicts = 0;
  constructor(private readonly same: (a: T, b: T) => boolean) {}

  /** Gathers the key into the scratch array; returns its hash. */
  private gather(tag: number, rowA: Int32Array, va: Int32Array, rowB: Int32Array, vb: Int32Array): number {
    const w = 1 + rowA.length + rowB.length;
    if (w > this.scratch.length) this.scratch = new Int32Array(2 * w);
    const k = this.scratch;
    k[0] = tag;
    let h = Math.imul(0x811c9dc5 ^ tag, 0x01000193);
    let j = 1;
    for (let i = 0; i < rowA.length; i++, j++) h = Math.imul(h ^ (k[j] = va[rowA[i]!]!), 0x01000193);
    for (let i = 0; i < rowB.length; i++, j++) h = Math.imul(h ^ (k[j] = vb[rowB[i]!]!), 0x01000193);
    this.width = w;
    return h & 0x3fffffff;
  }

  private find(list: readonly { readonly key: Int32Array; readonly value: T }[] | undefined): { readonly key: Int32Array; readonly value: T } | undefined {
    if (list === undefined) return undefined;
    const k = this.scratch;
    const w = this.width;
    outer: for (const e of list) {
      if (e.key.length !== w) continue;
      for (let i = 0; i < w; i++) if (e.key[i] !== k[i]) continue outer;
      return e;
    }
    return undefined;
  }

  get(tag: number, rowA: Int32Array, va: Int32Array, rowB: Int32Array = EMPTY, vb: Int32Array = EMPTY): T | undefined {
    return this.find(this.buckets.get(this.gather(tag, rowA, va, rowB, vb)))?.value;
  }

  put(tag: number, rowA: Int32Array, va: Int32Array, rowB: Int32Array, vb: Int32Array, value: T): void {
    const h = this.gather(tag, rowA, va, rowB, vb);
    let list = this.buckets.get(h);
    const old = this.find(list);
    if (old !== undefined) {
      if (!this.same(old.value, value)) this.conflicts++;
      return;
    }
    if (list === undefined) this.buckets.set(h, (list = []));
    list.push({ key: this.scratch.slice(0, this.width), value });
    this.size++;
  }
}

/** One recorded transition, with its collapsed ends. */
interface Step {
  readonly s: unknown;
  readonly a: ActionBase;
  readonly n: unknown;
  readonly tag: number;
  vs: Int32Array;
  vn: Int32Array;
  /** The components its effect wrote (watched). */
  wrote: ReadonlySet<number>;
}

/**
 * Records `m`'s graph (at most `maxStates`), fills the caches and times the
 * model's code against the lookups: one warm-up round and `repeats` timed
 * rounds, medians.
 */
export function memoSplit(m: AnyMachine, maxStates: number, repeats = 3): MemoSplit {
  if (m.fastPath !== true) throw new Error('the machine has not opted in to the fast path');
  const steps: Step[] = [];
  const parents: unknown[] = [];
  const tags = new Map<string, number>();
  const rec = walkGraph(m, { maxStates }, (s, a, n, first) => {
    if (first) parents.push(s);
    const label = JSON.stringify(a);
    let tag = tags.get(label);
    if (tag === undefined) tags.set(label, (tag = tags.size));
    steps.push({ s, a, n, tag, vs: EMPTY, vn: EMPTY, wrote: new Set() });
  });
  const n = steps.length;
  const l = layoutOf([...parents, ...steps.map((x) => x.n)]);
  const col = new Collapser(l);
  const vec = new Map<unknown, Int32Array>();
  const vectorOf = (s: unknown): Int32Array => {
    let v = vec.get(s);
    if (v === undefined) vec.set(s, (v = col.vector(s)));
    return v;
  };
  for (const x of steps) {
    x.vs = vectorOf(x.s);
    x.vn = vectorOf(x.n);
  }

  // what each piece of code read over the graph
  const guards = m.guards;
  if (guards === undefined) throw new Error('the machine has no separate guards (build it from rules)');
  const kernel = kernelComponents(l, m);
  const guardReads = guards.map(() => new Set<number>());
  for (const s of parents) guards.forEach((g, gi) => g.enabled(reading(l, s, guardReads[gi]!) as never));
  const stepReads = new Map<string, Set<number>>();
  for (const x of steps) {
    let r = stepReads.get(x.a.type);
    if (r === undefined) stepReads.set(x.a.type, (r = new Set()));
    const w = watchStep(l, m, x.s, x.a);
    for (const i of w.reads) r.add(i);
    x.wrote = w.wrote;
  }
  // each checked property alone, and the built-in checks (the kernel slice and `quiescent` of the next state)
  const checked = m.properties.filter((p): p is Checked => p.kind === 'always' || p.kind === 'quiescent');
  const quietReads = new Set<number>(kernel);
  for (const x of steps) m.quiescent(reading(l, x.n, quietReads));
  const propReads = checked.map(() => ({ prev: new Set<number>(), next: new Set<number>(), action: false }));
  for (const x of steps)
    checked.forEach((p, pi) => {
      const r = propReads[pi]!;
      if (p.kind === 'quiescent') for (const i of quietReads) r.next.add(i);
      const t = { prev: reading(l, x.s, r.prev), action: x.a, next: reading(l, x.n, r.next) };
      p.check(new Proxy(t, { get: (o, k, rc) => ((r.action ||= k === 'action'), Reflect.get(o, k, rc)) }));
    });
  const row = (r: Set<number>): Int32Array => Int32Array.from([...r].sort((a, b) => a - b));
  const guardRows = guardReads.map(row);
  const stepRow = new Map([...stepReads].map(([t, r]) => [t, row(r)]));
  const propRows = propReads.map((r) => ({ prev: row(r.prev), next: row(r.next), action: r.action }));
  const quietRow = row(quietReads);

  // the caches, filled from the graph
  const text = (v: unknown): string => JSON.stringify(v) ?? 'undefined';
  const actionsCache = new Cache<string>((a, b) => a === b);
  for (const s of parents) guards.forEach((g, gi) => actionsCache.put(gi, guardRows[gi]!, vectorOf(s), EMPTY, EMPTY, text(g.enabled(s as never))));
  // what a step wrote, changed or not (a blind write of the value already there is still a write), and what changed
  const writesOf = (x: Step): Int32Array => {
    const w: number[] = [];
    for (let i = 0; i < x.vs.length; i++) if (x.vs[i] !== x.vn[i] || x.wrote.has(i)) w.push(i, x.vn[i]!);
    return Int32Array.from(w);
  };
  const stepCache = new Cache<Int32Array>((a, b) => a.length === b.length && a.every((v, i) => v === b[i]));
  for (const x of steps) stepCache.put(x.tag, stepRow.get(x.a.type)!, x.vs, EMPTY, EMPTY, writesOf(x));
  const judgeCache = new Cache<string>((a, b) => a === b);
  // a property's key: its number (and the step, when it reads the action), then what it read of each state
  const propTag = (pi: number, x: Step): number => (propRows[pi]!.action ? pi + propRows.length * (x.tag + 1) : pi);
  const putProp = (pi: number, x: Step, v: string): void => judgeCache.put(propTag(pi, x), propRows[pi]!.prev, x.vs, propRows[pi]!.next, x.vn, v);
  const quiet = -1;
  const j = new Judge(m);
  for (const x of steps) {
    const t = { prev: x.s, action: x.a, next: x.n };
    checked.forEach((p, pi) => putProp(pi, x, p.kind === 'quiescent' && !m.quiescent(x.n) ? 'not asked' : text(p.check(t))));
    judgeCache.put(quiet, EMPTY, x.vs, quietRow, x.vn, text(builtinViolations(m.kernel(x.n), 1, m.quiescent(x.n))));
  }
  const keyFn = keyFunction(m, true);
  const met = [...new Set([...parents, ...steps.map((x) => x.n)])];
  const keys = new Set(met.map((s) => text(keyFn(s))));
  const vectors = new Set(met.map((s) => vectorOf(s).join(',')));

  const actionCalls = 2 * rec.states;
  const parentVectors = parents.map(vectorOf);
  let sink = 0;
  const phases = {
    codeActions: () =>
      clocked(n, () => {
        for (let k = 0; k < actionCalls; k++) m.actions(parents[k % parents.length]);
      }),
    // the fast step less its copy, as the phase bench counts it
    codeStep: () =>
      clocked(n, () => {
        for (const x of steps) nextOnFastPath(m, x.s, x.a);
      }) -
      clocked(n, () =>
        onFastPath(() => {
          for (const x of steps) produce(x.s, () => {});
        }),
      ),
    codeJudge: () =>
      clocked(n, () => {
        for (const x of steps) j.known({ prev: x.s, action: x.a, next: x.n });
      }),
    hitActions: () =>
      clocked(n, () => {
        for (let k = 0; k < actionCalls; k++) {
          const v = parentVectors[k % parentVectors.length]!;
          for (let gi = 0; gi < guardRows.length; gi++) sink += actionsCache.get(gi, guardRows[gi]!, v)?.length ?? 0;
        }
      }),
    hitStep: () =>
      clocked(n, () => {
        for (const x of steps) {
          const w = stepCache.get(x.tag, stepRow.get(x.a.type)!, x.vs)!;
          const v = x.vs.slice();
          for (let i = 0; i < w.length; i += 2) v[w[i]!] = w[i + 1]!;
          sink += v[0]!;
        }
      }),
    hitJudge: () =>
      clocked(n, () => {
        for (const x of steps) {
          for (let pi = 0; pi < propRows.length; pi++) sink += judgeCache.get(propTag(pi, x), propRows[pi]!.prev, x.vs, propRows[pi]!.next, x.vn)?.length ?? 0;
          sink += judgeCache.get(quiet, EMPTY, x.vs, quietRow, x.vn)?.length ?? 0;
        }
      }),
    hash: () =>
      clocked(n, () => {
        for (const x of steps) {
          let h = 0x811c9dc5;
          for (let i = 0; i < x.vn.length; i++) h = Math.imul(h ^ x.vn[i]!, 0x01000193);
          sink ^= h;
        }
      }),
    engineImmer: () => {
      const r = explore(m, { maxStates, fastPath: false });
      return (1000 * r.ms) / Math.max(r.transitions, 1);
    },
  };
  const med = roundRobin(phases, repeats);
  // the lookups' results are summed into `sink` and read here, so that none is optimised away
  if (sink === 0.5) process.stderr.write('');
  return {
    states: rec.states,
    transitions: n,
    actionCalls,
    components: l.paths.length,
    rowActions: Math.max(0, ...guardRows.map((r) => r.length)),
    rowStepMax: Math.max(0, ...[...stepRow.values()].map((r) => r.length)),
    rowJudge: Math.max(quietRow.length, ...propRows.map((r) => r.prev.length + r.next.length)),
    guards: guardRows.length,
    judgeParts: propRows.length + 1,
    entriesActions: actionsCache.size,
    entriesStep: stepCache.size,
    entriesJudge: judgeCache.size,
    conflicts: [actionsCache.conflicts, stepCache.conflicts, judgeCache.conflicts],
    vectors: vectors.size,
    keys: keys.size,
    codeActions: med('codeActions'),
    codeStep: med('codeStep'),
    codeJudge: med('codeJudge'),
    hitActions: med('hitActions'),
    hitStep: med('hitStep'),
    hitJudge: med('hitJudge'),
    hash: med('hash'),
    engineImmer: med('engineImmer'),
  };
}

/**
 * The gain over the immer engine if a search paid only the lookups, the
 * vector's hash, and the model's own code once per cache entry. A miss of
 * the guards' or the properties' cache runs one guard or one check, costed
 * as an even share of what all of them cost.
 */
export function memoCeiling(p: MemoSplit): number {
  // a miss runs one guard, one step or one check: its share of the code's cost of all of them
  const guardCalls = Math.max(p.actionCalls * p.guards, 1);
  const checks = Math.max(p.transitions * p.judgeParts, 1);
  const misses = (p.entriesActions / guardCalls) * p.codeActions + (p.entriesStep / Math.max(p.transitions, 1)) * p.codeStep + (p.entriesJudge / checks) * p.codeJudge;
  return p.engineImmer / Math.max(p.hitActions + p.hitStep + p.hitJudge + p.hash + misses, 1e-9);
}
