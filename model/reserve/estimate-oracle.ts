/**
 * An independent reading of R6's sizing rules (spec 04 §2 "Estimates", §5
 * R6, §6 V1/V2; v2.6.27 mm/slub.c), written apart from estimate.ts so that
 * the mutation check can compare the two on grids of inputs (issue 15):
 * estimate.ts's functions are otherwise judged only by properties that use
 * them on both sides (the worst packing against the estimate).
 *
 * Different on purpose where it can be: size classes are a table searched
 * for the first fit; the slab order is the smallest order meeting SLUB's
 * three tests (objects, leftover fraction, max order) with no start-order
 * shortcut; pages are counted by simulating one open slab per cache and CPU;
 * the worst CPU assignment is found by enumerating every split of a cache's
 * objects among the CPUs. Never mutated by `npm run mutation` (a judge) and
 * never imports estimate.ts's functions (only its parameter type).
 */
import type { SlabModel } from './estimate.js';

/** Number of bits of n (fls): 0 for 0. */
function bitLength(n: number): number {
  return n <= 0 ? 0 : n.toString(2).length;
}

/** Smallest power of two ≥ n, by doubling. */
function pow2Ceil(n: number): number {
  let p = 1;
  while (p < n) p += p;
  return p;
}

/** The object sizes of a kmalloc model, as a sorted table. */
export function classTable(m: SlabModel): number[] {
  const t: number[] = [];
  for (let s = m.minSize; s <= m.page; s += s) t.push(s);
  if (m.extraCaches) t.push(96, 192);
  return t.sort((a, b) => a - b);
}

/** ksize: the first class that fits, or `undefined` past a page (kmalloc_large). */
export function classOf(m: SlabModel, request: number): number | undefined {
  return classTable(m).find((s) => s >= request);
}

/**
 * SLUB's slab order for `size` (calculate_order, slub_max_order 3): the
 * wanted object count starts at 4·(fls(cpus)+1) and halves down to 2; for
 * each, leftover fractions 1/16, 1/8, 1/4; the first smallest order ≤ 3
 * whose slab holds that many objects with that little waste wins; else the
 * smallest order whose slab holds one object.
 */
export function slubOrder(page: number, size: number, cpus: number): number {
  for (let want = 4 * (bitLength(cpus) + 1); want >= 2; want = Math.floor(want / 2))
    for (const fract of [16, 8, 4])
      for (let o = 0; o <= 3; o++) {
        const slab = page * 2 ** o;
        if (slab >= want * size && slab % size <= Math.floor(slab / fract)) return o;
      }
  for (let o = 0; o <= 3; o++) if (page * 2 ** o >= size) return o;
  return 4;
}

/** A cache of the oracle: object size, order, objects per slab. */
export interface OracleCache {
  readonly size: number;
  readonly order: number;
  readonly objs: number;
}

/** The cache of an object size under the model's order rule. */
export function cacheFor(m: SlabModel, size: number): OracleCache {
  const order = m.orders === 'slub' ? slubOrder(m.page, size, m.cpus) : 0;
  return { size, order, objs: Math.floor((m.page * 2 ** order) / size) };
}

/** Pages of a kmalloc_large request: the smallest 2^o pages that hold it. */
export function largePages(m: SlabModel, request: number): number {
  let pages = 1;
  while (pages * m.page < request) pages += pages;
  return pages;
}

/** The 2009 overhead: cpus slabs of every cache up to PAGE/2 (or PAGE, the counterfactual) that holds more than one object. */
export function overhead(m: SlabModel): number {
  const top = m.loopIncludesPageCache ? m.page : m.page / 2;
  let pages = 0;
  for (const s of classTable(m)) {
    if (s > top) continue;
    const c = cacheFor(m, s);
    if (c.objs >= 2) pages += m.cpus * 2 ** c.order;
  }
  return pages;
}

/** kmem_alloc_estimate(c, k) read from the spec: slabs for k objects, plus one slab per CPU when a slab holds several. */
export function allocEstimate(m: SlabModel, c: OracleCache, k: number): number {
  const slabs = Math.ceil(k / c.objs) + (c.objs >= 2 ? m.cpus : 0);
  return slabs * 2 ** c.order;
}

/** The 2009 estimate in pages for N units of demand. */
export function estimate2009(m: SlabModel, n: number): number {
  return Math.ceil((n + n) / m.page) + overhead(m);
}

/** V1's estimate in pages: exp2(ceil(log2 N)) in place of 2N. */
export function estimateV1(m: SlabModel, n: number): number {
  return (n > 0 ? Math.ceil(pow2Ceil(n) / m.page) : 0) + overhead(m);
}

/** Slab demand in units: each request's object, or its large allocation's pages. */
export function demand(m: SlabModel, sizes: readonly number[]): number {
  let u = 0;
  for (const s of sizes) u += classOf(m, s) ?? largePages(m, s) * m.page;
  return u;
}

/**
 * Pages taken by allocating in order from empty caches, simulated: each
 * (cache, CPU) has one open slab; an object goes there while it has room,
 * else opens a new slab. The CPU is taken modulo the CPU count.
 */
export function simulatePages(m: SlabModel, allocs: readonly { size: number; cpu: number }[]): number {
  const room = new Map<string, number>();
  let pages = 0;
  for (const a of allocs) {
    const z = classOf(m, a.size);
    if (z === undefined) {
      pages += largePages(m, a.size);
      continue;
    }
    const c = cacheFor(m, z);
    const key = `${z}@${a.cpu % m.cpus}`;
    const left = room.get(key) ?? 0;
    if (left > 0) room.set(key, left - 1);
    else {
      pages += 2 ** c.order;
      room.set(key, c.objs - 1);
    }
  }
  return pages;
}

/** Every way to split k objects among p CPUs (counts per CPU). */
function splits(k: number, p: number): number[][] {
  if (p === 1) return [[k]];
  const out: number[][] = [];
  for (let i = 0; i <= k; i++) for (const rest of splits(k - i, p - 1)) out.push([i, ...rest]);
  return out;
}

/** The most pages these requests can take over every assignment to CPUs (each cache's split enumerated). */
export function worstPages(m: SlabModel, sizes: readonly number[]): number {
  const count = new Map<number, number>();
  let pages = 0;
  for (const s of sizes) {
    const z = classOf(m, s);
    if (z === undefined) pages += largePages(m, s);
    else count.set(z, (count.get(z) ?? 0) + 1);
  }
  for (const [z, k] of count) {
    const c = cacheFor(m, z);
    let most = 0;
    for (const split of splits(k, m.cpus)) most = Math.max(most, split.reduce((a, n) => a + Math.ceil(n / c.objs), 0));
    pages += most * 2 ** c.order;
  }
  return pages;
}
