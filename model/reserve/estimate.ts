/**
 * R6, the sizing side of spec 04 (§2 "Estimates", §5 R6, §6 V1/V2), as pure
 * functions over a model of the SLUB kmalloc size classes (v2.6.27
 * include/linux/slub_def.h, mm/slub.c):
 *
 * - object size: requests up to KMALLOC_MIN_SIZE get the minimum object;
 *   65…96 and 129…192 bytes the extra 96- and 192-byte caches (when the
 *   minimum allows them); otherwise the next power of two, up to PAGE_SIZE.
 *   Larger requests go to the page allocator (`kmalloc_large`, 2^order pages).
 * - packing: a cache's slab is `PAGE << order` and holds
 *   `floor(slab / size)` objects. One order per cache (the spec's model):
 *   SLUB's calculate_order (min_objects 4·(fls(nr_cpu_ids)+1), slub_max_order 3,
 *   leftover fractions 1/16…1/4) in byte units, order 0 in the scaled units.
 * - "pages consumed by allocating from empty caches": every CPU fills its own
 *   slab, so with `p` CPUs the worst split of `k` objects of one cache takes
 *   `min(k,p) + floor((k − min(k,p)) / objs)` slabs.
 *
 * Formulas (pages for N bytes of demand):
 * - 2009 (`kmalloc_estimate_variable`): `ceil(2N / PAGE) + Σ kmem_alloc_estimate(c, 0)`
 *   over the kmalloc caches with index 1 … PAGE_SHIFT−1 (the 96/192 caches and
 *   KMALLOC_MIN … PAGE/2), each `cpus << order` when a slab holds more than one object.
 * - V1 (Daniel Phillips): `exp2(ceil(log2 N))` bytes in place of 2N.
 * The byte-level "demand on the slab allocator" (seed 004: 2N+m, or
 * exp2(ceil(log2(N+m)))) is checked separately against the object bytes
 * the requests really take (SLUB keeps no per-object metadata: m = 0).
 */

/** Parameters of the kmalloc model. */
export interface SlabModel {
  /** PAGE_SIZE in the model's units. */
  readonly page: number;
  /** KMALLOC_MIN_SIZE. */
  readonly minSize: number;
  /** The 96- and 192-byte caches exist (byte units with KMALLOC_MIN_SIZE ≤ 64). */
  readonly extraCaches: boolean;
  /** nr_cpu_ids = online CPUs. */
  readonly cpus: number;
  /** Slab order rule: SLUB's calculate_order, or order 0 for every cache (scaled units). */
  readonly orders: 'slub' | 'zero';
  /**
   * Counterfactual: the overhead loop also covers index PAGE_SHIFT (the
   * PAGE_SIZE cache). The 2009 code stops at PAGE_SHIFT − 1.
   */
  readonly loopIncludesPageCache?: boolean;
}

/** Real units: 4 KiB pages, KMALLOC_MIN_SIZE 8, the 96/192 caches, SLUB orders. */
export const BYTES: SlabModel = { page: 4096, minSize: 8, extraCaches: true, cpus: 1, orders: 'slub' };
/** Spec 04 §7 units: PAGE = 4, KMALLOC_MIN = 2, order 0. */
export const UNITS7: SlabModel = { page: 4, minSize: 2, extraCaches: false, cpus: 1, orders: 'zero' };
/** The larger units §7 gives for V2: PAGE = 8, KMALLOC_MIN = 4. */
export const UNITS_V2: SlabModel = { page: 8, minSize: 4, extraCaches: false, cpus: 1, orders: 'zero' };

/** roundup_pow_of_two for n ≥ 1. */
export function roundupPow2(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`roundup_pow_of_two(${n})`);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** ilog2 of a power of two (or floor log2). */
function ilog2(n: number): number {
  let l = 0;
  while (2 ** (l + 1) <= n) l++;
  return l;
}

/** fls: 1-based index of the highest set bit, 0 for 0. */
function fls(n: number): number {
  return n <= 0 ? 0 : ilog2(n) + 1;
}

/** get_order: the smallest order with `page << order ≥ size`. */
export function getOrder(size: number, page: number): number {
  let o = 0;
  while (page * 2 ** o < size) o++;
  return o;
}

/** One kmalloc cache: object size, slab order, objects per slab. */
export interface Cache {
  readonly size: number;
  readonly order: number;
  readonly objs: number;
}

/** mm/slub.c slab_order (v2.6.27), slub_min_order 0. */
function slabOrder(m: SlabModel, size: number, minObjects: number, maxOrder: number, fract: number): number {
  const shift = ilog2(m.page);
  let order = Math.max(0, fls(minObjects * size - 1) - shift);
  for (; order <= maxOrder; order++) {
    const slab = m.page * 2 ** order;
    if (slab < minObjects * size) continue;
    if (slab % size <= Math.floor(slab / fract)) break;
  }
  return order;
}

/** mm/slub.c calculate_order (v2.6.27), slub_max_order = PAGE_ALLOC_COSTLY_ORDER = 3. */
function calculateOrder(m: SlabModel, size: number): number {
  const maxOrder = 3;
  let minObjects = 4 * (fls(m.cpus) + 1);
  while (minObjects > 1) {
    for (let fraction = 16; fraction >= 4; fraction = Math.floor(fraction / 2)) {
      const o = slabOrder(m, size, minObjects, maxOrder, fraction);
      if (o <= maxOrder) return o;
    }
    minObjects = Math.floor(minObjects / 2);
  }
  return slabOrder(m, size, 1, maxOrder, 1);
}

/** The cache an object size belongs to. */
export function cacheOf(m: SlabModel, size: number): Cache {
  const order = m.orders === 'zero' ? 0 : calculateOrder(m, size);
  return { size, order, objs: Math.floor((m.page * 2 ** order) / size) };
}

/** Every kmalloc cache, smallest first. */
export function caches(m: SlabModel): Cache[] {
  const sizes: number[] = [];
  for (let s = m.minSize; s <= m.page; s *= 2) sizes.push(s);
  if (m.extraCaches) sizes.push(96, 192);
  return sizes.sort((a, b) => a - b).map((s) => cacheOf(m, s));
}

/** ksize of a request ≤ PAGE: its cache's object size. `undefined` for kmalloc_large requests. */
export function objectSize(m: SlabModel, s: number): number | undefined {
  if (!Number.isSafeInteger(s) || s < 1) throw new Error(`kmalloc(${s})`);
  if (s > m.page) return undefined;
  if (s <= m.minSize) return m.minSize;
  if (m.extraCaches && s > 64 && s <= 96) return 96;
  if (m.extraCaches && s > 128 && s <= 192) return 192;
  return roundupPow2(s);
}

/** The caches the 2009 loop adds overhead for: indices 1 … PAGE_SHIFT−1, i.e. object sizes ≤ PAGE/2. */
export function overheadCaches(m: SlabModel): Cache[] {
  return caches(m).filter((c) => c.size <= (m.loopIncludesPageCache ? m.page : m.page / 2));
}

/** SLUB kmem_alloc_estimate(s, k): `ceil(k / objs) << order` plus `cpus << order` when a slab holds more than one object. */
export function kmemAllocEstimate(m: SlabModel, c: Cache, k: number): number {
  return Math.ceil(k / c.objs) * 2 ** c.order + (c.objs > 1 ? m.cpus * 2 ** c.order : 0);
}

/** Σ kmem_alloc_estimate(c, 0) over the 2009 loop's caches. */
export function perCacheOverhead(m: SlabModel): number {
  return overheadCaches(m).reduce((a, c) => a + kmemAllocEstimate(m, c, 0), 0);
}

/** The 2009 kmalloc_estimate_bytes(N), pages: `ceil(2N / PAGE) + Σ overhead`. */
export function kmallocEstimatePages(m: SlabModel, n: number): number {
  return Math.ceil((2 * n) / m.page) + perCacheOverhead(m);
}

/** V1: Daniel Phillips' `exp2(ceil(log2 N))` bytes in place of 2N, same overhead term. */
export function v1EstimatePages(m: SlabModel, n: number): number {
  return Math.ceil((n === 0 ? 0 : roundupPow2(n)) / m.page) + perCacheOverhead(m);
}

/** One allocation of a generated workload: its size and the CPU it runs on. */
export interface Allocation {
  readonly size: number;
  readonly cpu: number;
}

/** Pages taken by allocating these objects, in order, from empty caches. */
export function pagesUsed(m: SlabModel, allocs: readonly Allocation[]): number {
  const perSlab = new Map<string, number>();
  let large = 0;
  for (const a of allocs) {
    const z = objectSize(m, a.size);
    if (z === undefined) {
      large += 2 ** getOrder(a.size, m.page);
      continue;
    }
    const key = `${z}/${a.cpu % m.cpus}`;
    perSlab.set(key, (perSlab.get(key) ?? 0) + 1);
  }
  let pages = large;
  for (const [key, k] of perSlab) {
    const c = cacheOf(m, Number(key.split('/')[0]));
    pages += Math.ceil(k / c.objs) * 2 ** c.order;
  }
  return pages;
}

/** Slabs of one cache for `k` objects split across `cpus` CPUs in the worst way. */
export function worstSlabs(k: number, objs: number, cpus: number): number {
  const first = Math.min(k, cpus);
  return first + Math.floor((k - first) / objs);
}

/** Pages taken by these sizes under the worst assignment to CPUs. */
export function worstPagesUsed(m: SlabModel, sizes: readonly number[]): number {
  const perCache = new Map<number, number>();
  let large = 0;
  for (const s of sizes) {
    const z = objectSize(m, s);
    if (z === undefined) large += 2 ** getOrder(s, m.page);
    else perCache.set(z, (perCache.get(z) ?? 0) + 1);
  }
  let pages = large;
  for (const [z, k] of perCache) {
    const c = cacheOf(m, z);
    pages += worstSlabs(k, c.objs, m.cpus) * 2 ** c.order;
  }
  return pages;
}

/** Bytes of slab objects (or large-allocation pages) the requests take: the slab demand. */
export function slabDemandBytes(m: SlabModel, sizes: readonly number[]): number {
  return sizes.reduce((a, s) => a + (objectSize(m, s) ?? m.page * 2 ** getOrder(s, m.page)), 0);
}

/** The byte-level kmalloc demand of each formula for N requested bytes (m = 0 in SLUB). */
export const DEMAND = {
  /** Peter Zijlstra's 2N (+m), the 2009 code's first term. */
  twoN: (n: number): number => 2 * n,
  /** Daniel Phillips' exp2(ceil(log2(N + m))). */
  exp2: (n: number): number => (n === 0 ? 0 : roundupPow2(n)),
} as const;

/** The smallest request that lands in each cache, with its cache. */
function cheapest(m: SlabModel): { req: number; cache: Cache }[] {
  const cs = caches(m);
  return cs.map((c, i) => ({ req: i === 0 ? 1 : (cs[i - 1] as Cache).size + 1, cache: c }));
}

/** Result of {@link worstWithin}: per budget b ≤ B the most pages any multiset totalling ≤ b can take, and a witness. */
export interface WorstTable {
  readonly pages: Int32Array;
  /** A multiset of sizes that reaches `pages[b]` with total ≤ b. */
  witness(b: number): number[];
}

/**
 * Exact worst case over all multisets of request sizes totalling at most b,
 * for every b ≤ B: a group knapsack over the caches (each cache's pages
 * depend only on its object count, and the cheapest request per cache is the
 * worst one) plus kmalloc_large orders. Object counts are tried only where
 * the slab count steps up.
 */
export function worstWithin(m: SlabModel, B: number): WorstTable {
  type Option = { cost: number; value: number; req: number; count: number };
  const groups: Option[][] = [];
  for (const { req, cache } of cheapest(m)) {
    const opts: Option[] = [];
    for (let k = 1; k * req <= B; ) {
      opts.push({ cost: k * req, value: worstSlabs(k, cache.objs, m.cpus) * 2 ** cache.order, req, count: k });
      k = k < m.cpus ? k + 1 : k + cache.objs;
    }
    groups.push(opts);
  }
  for (let o = 1; m.page * 2 ** (o - 1) + 1 <= B; o++) {
    const req = m.page * 2 ** (o - 1) + 1;
    const opts: Option[] = [];
    for (let k = 1; k * req <= B; k++) opts.push({ cost: k * req, value: k * 2 ** o, req, count: k });
    groups.push(opts);
  }
  let best = new Int32Array(B + 1);
  const choice: Int32Array[] = [];
  for (const opts of groups) {
    const next = Int32Array.from(best);
    const pick = new Int32Array(B + 1).fill(-1);
    for (let i = 0; i < opts.length; i++) {
      const { cost, value } = opts[i] as Option;
      for (let b = cost; b <= B; b++) {
        const v = (best[b - cost] as number) + value;
        if (v > (next[b] as number)) {
          next[b] = v;
          pick[b] = i;
        }
      }
    }
    choice.push(pick);
    best = next;
  }
  const pages = best;
  return {
    pages,
    witness(b0: number): number[] {
      const out: number[] = [];
      let b = b0;
      for (let g = groups.length - 1; g >= 0; g--) {
        const i = (choice[g] as Int32Array)[b] as number;
        if (i < 0) continue;
        const o = (groups[g] as Option[])[i] as Option;
        for (let j = 0; j < o.count; j++) out.push(o.req);
        b -= o.cost;
      }
      return out.sort((x, y) => x - y);
    },
  };
}
