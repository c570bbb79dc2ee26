/**
 * atomic_t (spec 00 §2) as pure helpers over the stored number. Each helper is
 * one indivisible step; a model calls one per transition. The interleaving
 * model is sequentially consistent, so only check-then-act windows between
 * two such steps are observable, never missing barriers.
 *
 * Values wrap as a 32-bit signed int, like the kernel's `int counter`.
 */

/** Result of a read-modify-write: the value to store and the value returned to the caller. */
export interface Rmw {
  readonly value: number;
  readonly ret: number;
}

const wrap = (v: number): number => v | 0;

/** atomic_read: a plain load. */
export function atomicRead(v: number): number {
  return v;
}

/** atomic_set: a plain store; returns the value to store. */
export function atomicSet(v: number): number {
  return wrap(v);
}

/** atomic_inc: returns the new value to store. */
export function atomicInc(v: number): number {
  return wrap(v + 1);
}

/** atomic_dec: returns the new value to store. */
export function atomicDec(v: number): number {
  return wrap(v - 1);
}

/** atomic_inc_return: stores and returns `v+1`. */
export function atomicIncReturn(v: number): Rmw {
  const n = wrap(v + 1);
  return { value: n, ret: n };
}

/**
 * atomic_dec_if_positive: computes `v-1`, stores it only if it is ≥ 0, and
 * returns `v-1` either way (so a negative return means "was not positive,
 * nothing changed").
 */
export function atomicDecIfPositive(v: number): Rmw {
  const d = wrap(v - 1);
  return { value: d >= 0 ? d : v, ret: d };
}
