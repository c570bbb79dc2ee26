/**
 * The models' own immer instance, and the fast path derived from it.
 *
 * States are never mutated outside `produce` (engines only read them), and
 * freezing every produced state costs about half of an exploration's time,
 * so models produce unfrozen states — from a private instance, so that
 * immer's global switch (and the user's own code that relies on it) is left
 * alone.
 *
 * The fast path (issue 18) runs the same rule code without immer: inside
 * {@link onFastPath}, `produce(base, recipe)` hands the recipe a plain deep
 * copy of `base` to change in place, and returns it. Nothing else changes:
 * the rules, their wrappers and the kernel primitives are the one source,
 * and the differential check (`properties/fastpath.ts`) runs both paths
 * side by side. What the fast path gives up is structural sharing (every
 * object of a successor is new) — which no engine relies on, and the
 * differential check compares states, keys and property verdicts, so a
 * model that did rely on it would be caught. The engines give the states
 * they keep that sharing back ({@link shareWith}).
 *
 * The copy and the sharing are compiled from the states themselves: at each
 * place in the tree (a field's path, an array's elements), each object shape
 * met there gets a copier that builds an object literal of that shape and a
 * sharer that compares it field by field, both generated on first meeting.
 * A place that meets many shapes is an object used as a dictionary and is
 * walked key by key. Against a generic walk this is 1.1–1.6× on the whole
 * exploration (README, Performance).
 *
 * Under the fast path, `original(x)` is the base of the `produce` under way
 * when `x` is that produce's root copy, and `undefined` for any other value
 * (immer would return the base of a nested draft; the models call it on
 * nested objects only where they fall back to the current value, which the
 * copy holds). {@link isDraft} is false for a plain copy, so a model's "read
 * the base, not the draft" shortcut reads the copy.
 */
import { type Draft, Immer, isDraft as immerIsDraft, current as immerCurrent } from 'immer';
import { trackedOriginal } from './footprint.js';

const immer = new Immer({ autoFreeze: false });

/** Whether `produce` runs recipes on plain copies (see the module comment). */
let fast = false;
/** The produce calls under way on the fast path: root copy and base, innermost last. */
const roots: { copy: unknown; base: unknown }[] = [];

/**
 * One object shape (its keys, in order) met at a {@link Place}, with the
 * copier and the sharer compiled for it. Each checks the shape of what it is
 * given first and gives up (`undefined`) on any other, so a wrong pick is
 * impossible, only a slower one.
 */
interface Shape {
  readonly copy: (v: object) => object | undefined;
  readonly share: (prev: object, next: object, writable: boolean) => object | undefined;
}

/**
 * One place in the states' tree (the root, a field of it, the elements of
 * an array): the object shapes met there, and the places under it.
 */
interface Place {
  readonly shapes: Shape[];
  readonly fields: Map<string, Place>;
  elements: Place | undefined;
  /**
   * Set when the place has met more shapes than it compiles: an object used
   * as a dictionary (msgmni's contexts by name). Its objects are then walked
   * key by key, and all their values share one place, `values`.
   */
  values: Place | undefined;
}

/** The script URL of the generated copiers and sharers, as profiles show it. */
export const COMPILED_URL = 'mmcheck:fast-path/compiled-shapes.js';

/** Shapes compiled per place; past this the place is a dictionary (a guard per shape is tried in turn). */
const SHAPES_PER_PLACE = 8;

const newPlace = (): Place => ({ shapes: [], fields: new Map(), elements: undefined, values: undefined });
/** The place of `produce`'s base and of the engines' kept states: every state and slice starts here. */
const rootPlace = newPlace();

/**
 * What the fast path has compiled in this process: the number of object
 * shapes, and the places walked as dictionaries, by path (`ctxs`, `pages[]`,
 * `*` for a dictionary's values). For the profile bench.
 */
export function compiledShapes(): { readonly shapes: number; readonly dictionaries: readonly string[] } {
  let shapes = 0;
  const dictionaries: string[] = [];
  const walk = (p: Place, path: string): void => {
    shapes += p.shapes.length;
    if (p.values !== undefined) {
      dictionaries.push(path === '' ? '(root)' : path);
      walk(p.values, `${path}.*`);
    }
    for (const [k, c] of p.fields) walk(c, path === '' ? k : `${path}.${k}`);
    if (p.elements !== undefined) walk(p.elements, `${path}[]`);
  };
  walk(rootPlace, '');
  return { shapes, dictionaries };
}

/** The place of field `k` of an object at `place`. */
function fieldPlace(place: Place, k: string): Place {
  if (place.values !== undefined) return place.values;
  let p = place.fields.get(k);
  if (p === undefined) place.fields.set(k, (p = newPlace()));
  return p;
}

/**
 * Compiles the copier and the sharer of the shape `keys` at `place`. The
 * copier builds an object literal of that shape (V8 builds one far faster
 * than an object filled key by key); the sharer compares field by field
 * without listing keys. Each object field is handled at its own place.
 */
function compileShape(place: Place, keys: readonly string[]): Shape {
  const places = keys.map((k) => fieldPlace(place, k));
  const q = keys.map((k) => JSON.stringify(k));
  const guard = (v: string, fail: string): string => `i = 0;
    for (const k in ${v}) { if (k !== keys[i]) return ${fail}; i++; }
    if (i !== ${keys.length}) return ${fail};`;
  const copy = `return function copyShape(v) {
    let i, x;
    ${guard('v', 'undefined')}
    return { ${q.map((k, i) => `${k}: (x = v[${k}], typeof x === 'object' && x !== null ? copyAt(places[${i}], x) : x)`).join(', ')} };
  };`;
  const share = `return function shareShape(p, n, writable) {
    let i, w, x, y, equal = true;
    ${guard('n', 'undefined')}
    ${guard('p', 'undefined')}
    ${q
      .map(
        (k, i) => `w = p[${k}]; x = n[${k}];
    if (w !== x) {
      if (typeof x === 'object' && x !== null) {
        y = shareAt(places[${i}], w, x);
        if (y !== x && writable) n[${k}] = y;
        if (y !== w) equal = false;
      } else equal = false;
    }`,
      )
      .join('\n    ')}
    return equal ? p : n;
  };`;
  // generated from the shapes the states have; the keys enter the code only as JSON string literals
  // the URL names the generated code in profiles (bench/profile.ts counts it as the fast path's copy)
  const make = (body: string): unknown => new Function('keys', 'places', 'copyAt', 'shareAt', `${body}\n//# sourceURL=${COMPILED_URL}`)(keys, places, copyAt, shareAt);
  return { copy: make(copy) as Shape['copy'], share: make(share) as Shape['share'] };
}

/** Compiles `v`'s shape at `place` and returns it, or undefined once the place is (or now becomes) a dictionary. */
function learn(place: Place, v: object): Shape | undefined {
  if (place.values !== undefined) return undefined;
  const keys = Object.keys(v);
  // a full place, or a key an object literal would not simply define (`__proto__`): a dictionary from now on
  if (place.shapes.length >= SHAPES_PER_PLACE || keys.includes('__proto__')) {
    place.values = newPlace();
    return undefined;
  }
  const shape = compileShape(place, keys);
  place.shapes.push(shape);
  return shape;
}

/**
 * A deep copy of plain data at `place`: arrays and objects copied,
 * everything else shared. Frozen objects are copied too, so a recipe may
 * change any part. Each object is built by the copier of its shape at its
 * place, compiled the first time the shape is met there.
 */
function copyAt<T>(place: Place, v: T): T {
  if (Array.isArray(v)) {
    const n = v.length;
    const out = v.slice();
    const at = (place.elements ??= newPlace());
    for (let i = 0; i < n; i++) {
      const e: unknown = v[i];
      if (typeof e === 'object' && e !== null) out[i] = copyAt(at, e);
    }
    return out as T;
  }
  const o = v as object;
  if (place.values === undefined) {
    const shapes = place.shapes;
    for (let i = 0; i < shapes.length; i++) {
      const r = shapes[i]!.copy(o);
      if (r !== undefined) return r as T;
    }
    const r = learn(place, o)?.copy(o);
    if (r !== undefined) return r as T;
  }
  // a dictionary: key by key, every value at one place
  const values = place.values as Place;
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const e: unknown = (o as Record<string, unknown>)[k];
    const c = typeof e === 'object' && e !== null ? copyAt(values, e) : e;
    // an own `__proto__` (JSON.parse makes one) stays a field: assigning it would set the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, writable: true, enumerable: true, configurable: true });
    else out[k] = c;
  }
  return out as T;
}

/** A deep copy of a state or slice (see {@link copyAt}). */
function copy<T>(v: T): T {
  return typeof v === 'object' && v !== null ? copyAt(rootPlace, v) : v;
}

/** `produce` on the fast path: the recipe changes a plain copy, which is the result (or what the recipe returns). */
function plainProduce(base: unknown, recipe: (d: unknown) => unknown): unknown {
  // the outermost produce of a watched step copies the state itself and hands the recipe the watcher's views
  const w = roots.length === 0 ? watcher : undefined;
  const src = w !== undefined ? w.raw(base as object) : base;
  const d = copy(src);
  const draft = w !== undefined ? w.draft(d as object) : d;
  roots.push({ copy: draft, base: w !== undefined ? w.original(src as object) : base });
  try {
    const r = recipe(draft);
    return r === undefined || r === draft ? d : r;
  } finally {
    roots.pop();
  }
}

/**
 * Views of a watched step's states ({@link nextWatched}): proxies that note
 * what the step reads and writes.
 */
export interface Watcher {
  /** The state a view stands for (the produce copies it, unseen). */
  raw(base: object): object;
  /** The view the recipe changes, of the produce's copy. */
  draft(copy: object): object;
  /** The view `original(draft)` answers, of the state before the step. */
  original(base: object): object;
}

/** Set by {@link nextWatched} for the step under way. */
let watcher: Watcher | undefined;

/**
 * `m.next(view, a)` on the fast path with `w` watching: the machine gets
 * `view` (a view of its state, so that what its `next` reads outside the
 * recipe is seen too), and its outermost `produce` copies `w.raw(view)`
 * and runs the recipe on `w.draft` of the copy, `original(draft)` being
 * `w.original` of the state. The recipe's result is the copy itself, not
 * a view: what `next` reads of it after the recipe is not seen (a wrapper
 * must take what it adds from the state it was given). For tools that
 * study what a step touches, such as a transition cache (bench/cached.ts);
 * no engine uses it.
 */
export function nextWatched<S, A>(m: { next(s: S, a: A): S }, view: S, a: A, w: Watcher): S {
  const was = watcher;
  watcher = w;
  try {
    return nextOnFastPath(m, view, a);
  } finally {
    watcher = was;
  }
}

/** immer's `produce`, without auto-freezing; on the fast path, a plain copy changed in place. */
export const produce: Immer['produce'] = ((base: unknown, recipe: unknown, listener?: unknown) => {
  if (fast && typeof recipe === 'function') return plainProduce(base, recipe as (d: unknown) => unknown);
  return (immer.produce as (b: unknown, r: unknown, l?: unknown) => unknown)(base, recipe, listener);
}) as Immer['produce'];

/**
 * Runs `f` with every `produce` of the models on the fast path (plain
 * copies, no immer drafts). Re-entrant; restores the previous mode.
 */
export function onFastPath<T>(f: () => T): T {
  const was = fast;
  fast = true;
  try {
    return f();
  } finally {
    fast = was;
  }
}

/** `m.next(s, a)` with every `produce` on the fast path: {@link onFastPath} without a closure per step. */
export function nextOnFastPath<S, A>(m: { next(s: S, a: A): S }, s: S, a: A): S {
  const was = fast;
  fast = true;
  try {
    return m.next(s, a);
  } finally {
    fast = was;
  }
}

/**
 * Gives `next` back the structural sharing immer would have given it: every
 * subtree of `next` equal to the one at the same place in `prev` (same
 * values, same key order) is replaced by `prev`'s, in place (inside a
 * frozen part of `next`, only compared). Returns `prev` itself when the two
 * are equal. The exhaustive engines call it on the states they keep (a
 * frontier of whole copies held twice the memory); states are immutable once
 * made, so sharing is safe, and a replacement is always by an equal value in
 * the same key order, so keys and verdicts are unchanged — even where a step
 * put an object of `prev` into `next` and the walk rewrites it.
 */
export function shareWith(prev: unknown, next: unknown): unknown {
  return shareAt(rootPlace, prev, next);
}

/** {@link shareWith} at `place`: by the sharer of `next`'s shape where both have it, else key by key. */
function shareAt(place: Place, prev: unknown, next: unknown): unknown {
  if (prev === next || typeof prev !== 'object' || prev === null || typeof next !== 'object' || next === null) return next;
  // a frozen part (msgmni freezes its kernel slice) is compared, not rewritten
  const writable = !Object.isFrozen(next);
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    const at = (place.elements ??= newPlace());
    let equal = prev.length === next.length;
    for (let i = 0; i < next.length; i++) {
      const was: unknown = prev[i];
      const x = i < prev.length ? shareAt(at, was, next[i]) : next[i];
      if (x !== next[i] && writable) next[i] = x;
      if (x !== was) equal = false;
    }
    return equal ? prev : next;
  }
  if (Array.isArray(prev)) return next;
  if (place.values === undefined) {
    const shapes = place.shapes;
    for (let i = 0; i < shapes.length; i++) {
      const r = shapes[i]!.share(prev, next, writable);
      if (r !== undefined) return r;
    }
  }
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const pk = Object.keys(p);
  const nk = Object.keys(n);
  let equal = pk.length === nk.length;
  for (let i = 0; i < nk.length; i++) {
    const k = nk[i] as string;
    if (equal && pk[i] !== k) equal = false;
    const was = p[k];
    const x = k in p ? shareAt(fieldPlace(place, k), was, n[k]) : n[k];
    if (x !== n[k] && writable) n[k] = x;
    if (x !== was) equal = false;
  }
  return equal ? prev : next;
}

/**
 * immer's `original(draft)`: the state before the step. Models import it
 * from here so that a recorded footprint (spec 06 §5's race check) also
 * sees what a step reads through it, and so that the fast path answers it.
 */
export function original<T>(d: T): T | undefined {
  if (!fast) return trackedOriginal(d);
  for (let i = roots.length - 1; i >= 0; i--) if (roots[i]!.copy === d) return roots[i]!.base as T;
  return undefined;
}

/** immer's `isDraft` (false for the fast path's plain copies), so that models import every draft helper from here. */
export { isDraft } from 'immer';

/** immer's `current(draft)`: the draft's value now, as plain data (a plain copy is its own value). */
export function current<T>(v: T): T {
  return immerIsDraft(v) ? (immerCurrent(v as Draft<T>) as T) : v;
}
