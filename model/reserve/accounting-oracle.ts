/**
 * The reserve properties' own reading of the accounting rules (spec 04 §2–§4),
 * written apart from rules.ts so that a bug in the model's rules cannot agree
 * with itself (issue 15). Never mutated by `npm run mutation` (a judge).
 * Kernel primitives (model/kernel) and the configuration's constants are
 * shared: they are tested on their own.
 */
import { __GFP_NOMEMALLOC, __GFP_WAIT, gfpToAllocFlags } from '../kernel/allocator.js';
import { PAGE } from './config.js';
import type { ReserveFlags } from './rules.js';
import type { AllocatorSpec, AllocCtx, NodeId, ObjGroup, ReserveConfig, ReserveState } from './state.js';

/** Smallest power of two ≥ n (n ≥ 1), by doubling. */
export function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The units CHARGE takes for an object of `cache` units (the slab it sits
 * in, the allocator's truth): `roundup_pow_of_two(ksize)`, which the free
 * side gives back; the spec's fix of W5.
 */
export function chargeFor(cache: number): number {
  return pow2AtLeast(cache);
}

/** The reserve node a context passes (§4): entitled ones pass r, except W4's GFP_ATOMIC one, which passes none. */
export function reserveOf(a: AllocatorSpec, f: ReserveFlags): NodeId | null {
  if (!a.entitled) return null;
  const noWait = (a.gfp & __GFP_WAIT) === 0;
  return f.nullReserve && noWait ? null : 'r';
}

/**
 * Whether a context holds a charge now: an entitled context with a reserve
 * that is in K6 or K7, which it reaches only through a CHARGE that succeeded
 * (K3 or K5). Read from its program counter, not from the model's `charged`.
 */
export function holdsCharge(a: AllocatorSpec, x: AllocCtx | undefined, f: ReserveFlags): boolean {
  return x !== undefined && reserveOf(a, f) !== null && (x.pc === 'K6' || x.pc === 'K7');
}

/** A page in the configuration's units: 4096 bytes, or §7's 4 units. */
export function pageOf(c: Pick<ReserveConfig, 'units'>): number {
  return c.units === 'bytes' ? 4096 : PAGE;
}

/** Objects of one cache held on pool (or regular) pages. */
function count(objs: readonly ObjGroup[], cache: number, pool: boolean): number {
  return objs.filter((o) => o.cache === cache && o.pool === pool).reduce((n, o) => n + o.n, 0);
}

/** Slab pages held on pool (or regular) pages: each cache's objects packed whole, ⌊page / cache⌋ to a page. */
export function pagesHeld(objs: readonly ObjGroup[], pool: boolean, page: number): number {
  const caches = [...new Set(objs.map((o) => o.cache))];
  return caches.reduce((p, cache) => p + Math.ceil(count(objs, cache, pool) / Math.floor(page / cache)), 0);
}

/** Whether the pages of a cache group have room for one more object (the group's last page is not full). */
export function roomFor(objs: readonly ObjGroup[], cache: number, pool: boolean, page: number): boolean {
  return count(objs, cache, pool) % Math.floor(page / cache) !== 0;
}

/** Whether `n`'s chain of parents reaches root. */
export function reachesRoot(nodes: ReserveState['nodes'], n: NodeId): boolean {
  const seen = new Set<NodeId>();
  for (let x: NodeId | null = n; x !== null; x = nodes[x].parent) {
    if (x === 'root') return true;
    if (seen.has(x)) return false;
    seen.add(x);
  }
  return false;
}

/** Allocation flags of the regular attempts (K0/K1/K6: the caller's gfp with `__GFP_NOMEMALLOC`). */
export function regularFlags(a: AllocatorSpec): number {
  return gfpToAllocFlags(a.gfp | __GFP_NOMEMALLOC, {}, 'v2.6.33');
}
