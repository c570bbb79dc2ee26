/**
 * A state cut into components, each component's distinct values numbered:
 * a collapsed state is a short vector of numbers (SPIN's and LTSmin's
 * collapse compression). Used by the benches that study a transition cache
 * (`memo.ts`, `cached.ts`): the components are the state's top-level
 * fields, and the fields of a top-level record whose keys are the same in
 * every state the layout was made from (the contexts of a fixed set, the
 * locks of the kernel slice).
 */
import type { ActionBase } from '../model/contract.js';
import { nextWatched } from '../model/kernel/immer.js';


/** A state's components: where each sits, and how to read it. */
export interface Layout {
  readonly paths: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Top-level fields cut into their own fields. */
  readonly split: ReadonlySet<string>;
  /** The top-level fields in order, each with its component or, when split, its fields' components. */
  readonly tops: readonly { readonly field: string; readonly at: number | readonly (readonly [string, number])[] }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Top-level fields, and the fields of a top-level record whose keys never change over `states`. */
export function layoutOf(states: readonly unknown[]): Layout {
  const first = states[0] as Record<string, unknown>;
  const split = new Set<string>();
  for (const [f, v] of Object.entries(first)) {
    if (!isRecord(v) || Object.keys(v).length === 0) continue;
    const keys = Object.keys(v).join('\u0000');
    if (states.every((s) => isRecord((s as Record<string, unknown>)[f]) && Object.keys((s as Record<string, Record<string, unknown>>)[f]!).join('\u0000') === keys)) split.add(f);
  }
  const paths: string[] = [];
  for (const [f, v] of Object.entries(first)) {
    if (split.has(f)) for (const g of Object.keys(v as object)) paths.push(`${f}.${g}`);
    else paths.push(f);
  }
  const index = new Map(paths.map((p, i) => [p, i]));
  const tops = Object.entries(first).map(([f, v]) => ({ field: f, at: split.has(f) ? Object.keys(v as object).map((g) => [g, index.get(`${f}.${g}`)!] as const) : index.get(f)! }));
  return { paths, index, split, tops };
}

/** The value of component `i` of `s`, through no view: `s`, its split record and the value are each unwrapped ({@link rawOf}). */
export function component(l: Layout, s: unknown, i: number): unknown {
  const p = l.paths[i]!;
  const dot = p.indexOf('.');
  const r = rawOf(s) as Record<string, unknown>;
  if (dot < 0) return rawOf(r[p]);
  return rawOf((rawOf(r[p.slice(0, dot)]) as Record<string, unknown>)[p.slice(dot + 1)]);
}

/** The components of the machine's kernel slice (a top-level field of its state), read whole by the built-in checks. */
export function kernelComponents(l: Layout, m: { init(): unknown; kernel(s: never): unknown }): number[] {
  const init = m.init();
  const field = Object.entries(init as object).find(([, v]) => v === m.kernel(init as never))?.[0];
  return field === undefined ? [] : l.paths.flatMap((p, i) => (p === field || p.startsWith(`${field}.`) ? [i] : []));
}

/** The object each view of this module stands for. */
const viewed = new WeakMap<object, object>();

/** The object a view ({@link reading}, {@link watching}) stands for; any other value as it is. */
export function rawOf<T>(x: T): T {
  return (typeof x === 'object' && x !== null ? (viewed.get(x) ?? x) : x) as T;
}

/**
 * `target` seen through a proxy that adds to `reads` each component read
 * (its number plus `offset`, so that two states' reads can share one
 * ordered set), in the order first read, one level into split records. A
 * code that lists a record's keys reads all of its components. With
 * `writes`, each component set or deleted is added there (a write below a
 * component goes through a read of it first) and values are stored
 * unwrapped; a field the layout has no component for cannot be written.
 * Without it the view is read-only: guards and properties change nothing.
 */
function view(l: Layout, target: object, reads: Set<number>, offset: number, writes?: Set<number>): object {
  const add = (into: Set<number>, i: number): void => void into.add(into === writes ? i : i + offset);
  const all = (prefix: string, into: Set<number>): void => {
    for (const [p, i] of l.index) if (prefix === '' || p.startsWith(`${prefix}.`)) add(into, i);
  };
  // the component `path` names, noted; a write to a path without one would be lost from the vector
  const note = (path: string, into: Set<number>): void => {
    const i = l.index.get(path);
    if (i !== undefined) add(into, i);
    else if (into !== reads) throw new Error(`the step wrote ${path}, which the layout has no component for`);
  };
  const noted = (f: string, k: string | symbol, into: Set<number>): void => {
    if (typeof k !== 'string') return;
    if (f === '' && l.split.has(k)) all(k, into);
    else note(f === '' ? k : `${f}.${k}`, into);
  };
  const written = (f: string, k: string | symbol): Set<number> => {
    if (writes === undefined) throw new Error(`a read-only view was written (${f === '' ? String(k) : `${f}.${String(k)}`})`);
    return writes;
  };
  const traps = (f: string): ProxyHandler<object> => ({
    set: (t, k, x, r) => (noted(f, k, written(f, k)), Reflect.set(t, k, rawOf(x), r)),
    deleteProperty: (t, k) => (noted(f, k, written(f, k)), Reflect.deleteProperty(t, k)),
    has: (t, k) => (noted(f, k, reads), Reflect.has(t, k)),
    ownKeys: (t) => (all(f, reads), Reflect.ownKeys(t)),
  });
  // one view per split record, so that identity comparisons within a step behave
  const inners = new Map<string, object>();
  const inner = (f: string, v: object): object => {
    const had = inners.get(f);
    if (had !== undefined && viewed.get(had) === v) return had;
    const px = new Proxy(v, { ...traps(f), get: (t, k, r) => (noted(f, k, reads), Reflect.get(t, k, r)) });
    viewed.set(px, v);
    inners.set(f, px);
    return px;
  };
  const root = new Proxy(target, {
    ...traps(''),
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      if (typeof k === 'string' && l.split.has(k) && typeof v === 'object' && v !== null) return inner(k, v);
      noted('', k, reads);
      return v;
    },
  });
  viewed.set(root, target);
  return root;
}

/** `s` seen through a read-only view that adds to `into` each component read, plus `offset` ({@link view}). */
export function reading(l: Layout, s: unknown, into: Set<number>, offset = 0): unknown {
  return view(l, s as object, into, offset);
}

/** A step's own copy seen through a view that notes the components read in `reads` and those set or deleted in `writes` ({@link view}). */
export function watching(l: Layout, copy: object, reads: Set<number>, writes: Set<number>): object {
  return view(l, copy, reads, 0, writes);
}

/** What one step touched, watched ({@link watchStep}). */
export interface WatchedStep {
  /** The successor (its components may sit in views: read them with {@link component}). */
  readonly after: unknown;
  /** The components read, in the order first read: of the state, its copy, or `original(draft)`. */
  readonly reads: ReadonlySet<number>;
  /**
   * The components written: set or deleted through the copy's view, or
   * replaced outside it (a `next` that puts in a slice of its own, as
   * balloon's kernel slice is).
   */
  readonly wrote: ReadonlySet<number>;
}

/**
 * Takes step `a` from `s` on the fast path with the state, its copy and
 * `original(draft)` seen through views ({@link nextWatched}). What the
 * machine's `next` reads of its state outside the recipe is seen too; what
 * it reads of the recipe's result is not (a wrapper must take what it adds
 * from the state it was given).
 */
export function watchStep(l: Layout, m: { next(s: unknown, a: ActionBase): unknown }, s: unknown, a: ActionBase): WatchedStep {
  const reads = new Set<number>();
  const wrote = new Set<number>();
  let made: object = {};
  const after = nextWatched(m, reading(l, s, reads), a, {
    raw: rawOf,
    draft: (c) => watching(l, (made = c), reads, wrote),
    original: (b) => reading(l, b, reads) as object,
  });
  for (let i = 0; i < l.paths.length; i++) if (!reads.has(i) && !wrote.has(i) && component(l, after, i) !== component(l, made, i)) wrote.add(i);
  return { after, reads, wrote };
}

/**
 * Numbers each component's distinct values (by their JSON text): a state
 * becomes a vector of numbers, and a vector a state again whose components
 * are the values first met (shared between states: nothing may change them).
 */
export class Collapser {
  private readonly tables: Map<string, number>[];
  private readonly values: unknown[][];
  constructor(readonly l: Layout) {
    this.tables = l.paths.map(() => new Map());
    this.values = l.paths.map(() => []);
  }

  /** The number of component `i`'s value `x`. */
  intern(i: number, x: unknown): number {
    const t = this.tables[i]!;
    const text = JSON.stringify(x) ?? 'undefined';
    let n = t.get(text);
    if (n === undefined) {
      t.set(text, (n = t.size));
      this.values[i]!.push(x);
    }
    return n;
  }

  /** `s` as a vector; throws when `s` does not fit the layout (a split record whose keys changed). */
  vector(s: unknown): Int32Array {
    const r = s as Record<string, Record<string, unknown>>;
    for (const f of this.l.split) {
      const keys = Object.keys(r[f] ?? {});
      const want = this.l.tops.find((t) => t.field === f)?.at as readonly (readonly [string, number])[];
      if (keys.length !== want.length || keys.some((k, j) => k !== want[j]![0])) throw new Error(`the state's ${f} no longer has the keys of the layout`);
    }
    const v = new Int32Array(this.l.paths.length);
    for (let i = 0; i < v.length; i++) v[i] = this.intern(i, component(this.l, s, i));
    return v;
  }

  /** The state of a vector: top-level fields in the layout's order, split records rebuilt. */
  state(v: Int32Array): unknown {
    const out: Record<string, unknown> = {};
    for (const t of this.l.tops) {
      if (typeof t.at === 'number') out[t.field] = this.values[t.at]![v[t.at]!];
      else {
        const rec: Record<string, unknown> = {};
        for (const [g, i] of t.at) rec[g] = this.values[i]![v[i]!];
        out[t.field] = rec;
      }
    }
    return out;
  }
}

/** The empty vector and the empty row. */
export const EMPTY = new Int32Array(0);

