/**
 * The footprint of one step: the state fields its effect read and wrote
 * (spec 06 §5). The effect runs once more on its immer draft seen through a
 * recording proxy, so the model declares nothing and cannot forget a field.
 *
 * A field is named by its path from the state's root: `cmm.loaned`,
 * `tasks[1].pc`, `list.length`. A read is recorded when a primitive value
 * (number, string, boolean, null, undefined) is read, so walking down to a
 * field does not read the objects on the way; a write names the field set
 * or deleted, whose whole subtree it replaces when the value is an object.
 * The kernel slice (locks, faults, weak memory) is the primitives' own
 * synchronisation state and is handed to them unwrapped, never recorded.
 * Reads through {@link trackedOriginal} (the models' `original(draft)`)
 * are recorded under the same paths.
 */
import { type Draft, original as immerOriginal } from 'immer';

/** The fields one step read and wrote, each path once, in first-access order. */
export interface Footprint {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /**
   * Locks a context acquired during the step (a kernel function that takes
   * and drops its own lock is one atomic step), by context: `shared` for an
   * rwsem taken for read.
   */
  readonly taken?: readonly { readonly lock: string; readonly ctx: string; readonly shared: boolean }[];
}

/** The recording of the step under way. */
interface Recorder {
  readonly reads: Set<string>;
  readonly writes: Set<string>;
  readonly taken: { lock: string; ctx: string; shared: boolean }[];
  /** Path of the kernel slice from the root: never wrapped, never recorded. */
  readonly skip: string;
  /** One wrapper per target and path, so identity comparisons inside a step behave as on the draft. */
  readonly wrappers: Map<string, WeakMap<object, object>>;
}

/** The wrapper of each proxy made while recording, to its target and path. */
const targets = new WeakMap<object, { readonly target: object; readonly path: string; readonly readOnly: boolean }>();
let active: Recorder | undefined;
/** Depth of {@link unrecorded} calls under way: their accesses are the model's bookkeeping, not the kernel's. */
let paused = 0;

/** `a.b`, or `a[3]` for an array index. */
function join(path: string, target: object, key: string): string {
  if (Array.isArray(target) && /^\d+$/.test(key)) return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** The value a model stores, with any wrapper in it (a fresh array of wrapped elements) replaced by its target. */
function unwrap(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const t = targets.get(v);
  if (t !== undefined) return t.target;
  // fresh values built in the step: replace wrapped children in place (constants never hold wrappers)
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const c: unknown = v[i];
      const u = unwrap(c);
      if (u !== c) v[i] = u;
    }
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const u = unwrap(o[k]);
      if (u !== o[k]) o[k] = u;
    }
  }
  return v;
}

function wrap(rec: Recorder, target: object, path: string, readOnly: boolean): object {
  if (path === rec.skip) return target;
  const key = `${readOnly ? 'r' : 'w'}${path}`;
  let byTarget = rec.wrappers.get(key);
  if (byTarget === undefined) rec.wrappers.set(key, (byTarget = new WeakMap()));
  const known = byTarget.get(target);
  if (known !== undefined) return known;
  const proxy = new Proxy(target, {
    get(t, p) {
      // immer's own symbols (isDraft, original, current) see the draft itself
      if (typeof p === 'symbol') return Reflect.get(t, p);
      const v: unknown = Reflect.get(t, p);
      if (typeof v === 'function') return v;
      const q = join(path, t, p);
      if (v !== null && typeof v === 'object') return wrap(rec, v, q, readOnly);
      if (paused === 0) rec.reads.add(q);
      return v;
    },
    set(t, p, v) {
      if (readOnly) throw new Error('footprint: a step wrote to original(draft)');
      if (typeof p !== 'symbol' && paused === 0 && join(path, t, p) !== rec.skip) rec.writes.add(join(path, t, p));
      return Reflect.set(t, p, unwrap(v));
    },
    deleteProperty(t, p) {
      if (readOnly) throw new Error('footprint: a step deleted from original(draft)');
      if (typeof p !== 'symbol' && paused === 0) rec.writes.add(join(path, t, p));
      return Reflect.deleteProperty(t, p);
    },
    has(t, p) {
      if (typeof p !== 'symbol' && paused === 0) rec.reads.add(join(path, t, p));
      return Reflect.has(t, p);
    },
  });
  targets.set(proxy, { target, path, readOnly });
  byTarget.set(target, proxy);
  return proxy;
}

/**
 * Runs `effect` on `draft` seen through a recording proxy and returns what
 * it read and wrote. `skip` is the kernel slice's path from the root
 * (`k`). Not re-entrant: a step records one footprint at a time.
 */
export function recordFootprint<D extends object>(draft: D, skip: string, effect: (d: D) => void): Footprint {
  if (active !== undefined) throw new Error('footprint: recordings do not nest');
  const rec: Recorder = { reads: new Set(), writes: new Set(), taken: [], skip, wrappers: new Map() };
  active = rec;
  try {
    effect(wrap(rec, draft, '', false) as D);
  } finally {
    active = undefined;
  }
  return { reads: [...rec.reads], writes: [...rec.writes], ...(rec.taken.length ? { taken: rec.taken } : {}) };
}

/**
 * Runs `f` without recording what it reads or writes: the model's own
 * bookkeeping that stands for no kernel access (a primitive's `corrupt`
 * flag computed from the chain, a ghost). Use it only for such code, and
 * say why where it is called.
 */
export function unrecorded<T>(f: () => T): T {
  paused++;
  try {
    return f();
  } finally {
    paused--;
  }
}

/**
 * Runs `f`, an access the kernel marks (`rcu_dereference`, `READ_ONCE`, an
 * atomic), without recording it: a marked access is never a data race
 * (spec 06 §1). Say at the call which kernel access it stands for.
 */
export function marked<T>(f: () => T): T {
  return unrecorded(f);
}

/** Notes, while a footprint is recorded, that `ctx` acquired `lock` (model/kernel/locks.ts calls it). */
export function noteAcquired(lock: string, ctx: string, shared: boolean): void {
  active?.taken.push({ lock, ctx, shared });
}

/**
 * immer's `original(draft)`, which the models call for the state before the
 * step: while a footprint is recorded, a read-only recording view of it
 * under the draft's path, so what a step reads there counts too.
 */
export function trackedOriginal<T>(d: T): T | undefined {
  const w = typeof d === 'object' && d !== null ? targets.get(d) : undefined;
  if (w === undefined || active === undefined) return immerOriginal(d as Draft<T>) as T | undefined;
  const base = immerOriginal(w.target) as unknown;
  return (typeof base === 'object' && base !== null ? wrap(active, base, w.path, true) : base) as T | undefined;
}
