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
 * model that did rely on it would be caught.
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
 * A deep copy of plain data: arrays and objects copied, everything else
 * shared. Frozen objects are copied too, so a recipe may change any part.
 */
function copy<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const e: unknown = v[i];
      out[i] = typeof e === 'object' && e !== null ? copy(e) : e;
    }
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const e: unknown = (v as Record<string, unknown>)[k];
    out[k] = typeof e === 'object' && e !== null ? copy(e) : e;
  }
  return out as T;
}

/** `produce` on the fast path: the recipe changes a plain copy, which is the result (or what the recipe returns). */
function plainProduce(base: unknown, recipe: (d: unknown) => unknown): unknown {
  const d = copy(base);
  roots.push({ copy: d, base });
  try {
    const r = recipe(d);
    return r === undefined ? d : r;
  } finally {
    roots.pop();
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
  if (prev === next || typeof prev !== 'object' || prev === null || typeof next !== 'object' || next === null) return next;
  // a frozen part (msgmni freezes its kernel slice) is compared, not rewritten
  const writable = !Object.isFrozen(next);
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    let equal = prev.length === next.length;
    for (let i = 0; i < next.length; i++) {
      const was: unknown = prev[i];
      const x = i < prev.length ? shareWith(was, next[i]) : next[i];
      if (x !== next[i] && writable) next[i] = x;
      if (x !== was) equal = false;
    }
    return equal ? prev : next;
  }
  if (Array.isArray(prev)) return next;
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const pk = Object.keys(p);
  const nk = Object.keys(n);
  let equal = pk.length === nk.length;
  for (let i = 0; i < nk.length; i++) {
    const k = nk[i] as string;
    if (equal && pk[i] !== k) equal = false;
    const was = p[k];
    const x = k in p ? shareWith(was, n[k]) : n[k];
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
