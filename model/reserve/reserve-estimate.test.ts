/**
 * R6, estimate soundness (spec 04 §5, §6 V1/V2, §7): for every multiset of
 * kmalloc request sizes totalling at most N, the slab pages its allocation
 * from empty caches takes stay within the estimate for N. Pure functions of
 * model/reserve/estimate.ts, checked exhaustively in the spec's scaled units
 * and with fast-check over generated multisets in byte units.
 *
 * Verdicts: the 2009 formula holds in §7's units (N ≤ 16, 1 and 2 CPUs) but
 * not with the v2.6.27 SLUB geometry in bytes: requests of 2049–4096 bytes
 * land in the PAGE_SIZE cache, whose slab is order 3 (8 pages), and the
 * overhead loop stops at index PAGE_SHIFT − 1. Smallest N: 3,106 bytes
 * (1 CPU). V1 fails at the byte level with two or three small requests;
 * V2 (2N) with tiny requests below KMALLOC_MIN_SIZE / 2.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { SlabModel } from './estimate.js';
import {
  BYTES,
  caches,
  DEMAND,
  kmallocEstimatePages,
  objectSize,
  pagesUsed,
  perCacheOverhead,
  slabDemandBytes,
  UNITS7,
  UNITS_V2,
  v1EstimatePages,
  worstPagesUsed,
  worstWithin,
} from './estimate.js';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Every multiset of sizes 1… with total ≤ n, as non-increasing lists. */
function multisets(n: number): number[][] {
  const out: number[][] = [];
  const go = (left: number, max: number, acc: number[]): void => {
    out.push([...acc]);
    for (let s = Math.min(left, max); s >= 1; s--) go(left - s, s, [...acc, s]);
  };
  go(n, n, []);
  return out;
}

/** The counterexamples of an estimate over all multisets totalling ≤ n, smallest total first, then fewest objects. */
function violations(m: SlabModel, n: number, estimate: (m: SlabModel, n: number) => number): { sizes: number[]; used: number; est: number }[] {
  return multisets(n)
    .map((sizes) => ({ sizes, used: worstPagesUsed(m, sizes), est: estimate(m, sum(sizes)) }))
    .filter((x) => x.used > x.est)
    .sort((a, b) => sum(a.sizes) - sum(b.sizes) || a.sizes.length - b.sizes.length);
}

describe('the kmalloc size-class model', () => {
  test('v2.6.27 SLUB geometry in bytes: object sizes, slab orders, per-cache overhead', () => {
    expect([1, 8, 9, 33, 65, 96, 97, 129, 193, 2049, 4096].map((s) => objectSize(BYTES, s))).toEqual([8, 8, 16, 64, 96, 96, 128, 192, 256, 4096, 4096]);
    expect(objectSize(BYTES, 4097)).toBeUndefined();
    // calculate_order with min_objects 4·(fls(nr_cpu_ids)+1): 8 objects on 1 CPU, 12 on 2
    expect(caches(BYTES).map((c) => `${c.size}:${c.order}/${c.objs}`)).toEqual([
      '8:0/512', '16:0/256', '32:0/128', '64:0/64', '96:0/42', '128:0/32', '192:0/21', '256:0/16', '512:0/8', '1024:1/8', '2048:2/8', '4096:3/8',
    ]);
    expect(caches({ ...BYTES, cpus: 2 }).map((c) => c.order)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3]);
    // the loop over indices 1 … PAGE_SHIFT−1 leaves out the 4096-byte cache
    expect(perCacheOverhead(BYTES)).toBe(15);
    expect(perCacheOverhead({ ...BYTES, cpus: 2 })).toBe(44);
    expect(perCacheOverhead({ ...BYTES, loopIncludesPageCache: true })).toBe(23);
  });

  test('§7 units: caches of 2 and 4 units, one page of overhead per CPU', () => {
    expect(caches(UNITS7).map((c) => `${c.size}:${c.order}/${c.objs}`)).toEqual(['2:0/2', '4:0/1']);
    expect(perCacheOverhead(UNITS7)).toBe(1);
    expect(perCacheOverhead({ ...UNITS7, cpus: 2 })).toBe(2);
    expect(kmallocEstimatePages(UNITS7, 8)).toBe(5);
  });

  test('the worst assignment to CPUs is what pagesUsed reaches on some assignment, and no assignment exceeds it', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ size: fc.integer({ min: 1, max: 9000 }), cpu: fc.integer({ min: 0, max: 1 }) }), { maxLength: 30 }), (allocs) => {
        const m = { ...BYTES, cpus: 2 };
        expect(pagesUsed(m, allocs)).toBeLessThanOrEqual(worstPagesUsed(m, allocs.map((a) => a.size)));
      }),
      { seed: 6, numRuns: 2_000 },
    );
    // two objects of one cache on two CPUs take two slabs
    expect(pagesUsed({ ...UNITS7, cpus: 2 }, [{ size: 1, cpu: 0 }, { size: 1, cpu: 1 }])).toBe(2);
    expect(worstPagesUsed({ ...UNITS7, cpus: 2 }, [1, 1])).toBe(2);
  });

  test('worstWithin (the exact worst case per budget) agrees with enumerating every multiset', () => {
    for (const m of [UNITS7, { ...UNITS7, cpus: 2 }, UNITS_V2]) {
      const w = worstWithin(m, 16);
      const all = multisets(16);
      for (let n = 0; n <= 16; n++) {
        const brute = Math.max(...all.filter((xs) => sum(xs) <= n).map((xs) => worstPagesUsed(m, xs)));
        expect([n, w.pages[n]]).toEqual([n, brute]);
        expect(sum(w.witness(n))).toBeLessThanOrEqual(n);
        expect(worstPagesUsed(m, w.witness(n))).toBe(brute);
      }
    }
  });
});

describe('R6 in the §7 units (PAGE 4, KMALLOC_MIN 2), every multiset up to N = 16', () => {
  test('the 2009 formula holds with 1 and 2 CPUs', () => {
    expect(multisets(16).length).toBe(915);
    expect(violations(UNITS7, 16, kmallocEstimatePages)).toEqual([]);
    expect(violations({ ...UNITS7, cpus: 2 }, 16, kmallocEstimatePages)).toEqual([]);
  });

  test('V1 fails: seven size-1 objects take 4 pages, the estimate is 3 (1 CPU)', () => {
    const v = violations(UNITS7, 16, v1EstimatePages);
    expect(v[0]).toEqual({ sizes: [1, 1, 1, 1, 1, 1, 1], used: 4, est: 3 });
    expect(violations({ ...UNITS7, cpus: 2 }, 16, v1EstimatePages)[0]?.sizes).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('fast-check agrees: random multisets on random CPUs never exceed the 2009 estimate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.array(fc.record({ size: fc.integer({ min: 1, max: 8 }), cpu: fc.nat(1) }), { maxLength: 16 }), (cpus, allocs) => {
        const m = { ...UNITS7, cpus };
        return pagesUsed(m, allocs) <= kmallocEstimatePages(m, sum(allocs.map((a) => a.size)));
      }),
      { seed: 7, numRuns: 5_000 },
    );
  });
});

describe('V1: exp2(ceil(log2(N + m))), the bound for one allocation', () => {
  test("the spec's example: three 33-byte allocations take 3 × 64 = 192 bytes > 128", () => {
    expect(slabDemandBytes(BYTES, [33, 33, 33])).toBe(192);
    expect(DEMAND.exp2(99)).toBe(128);
    expect(DEMAND.twoN(99)).toBeGreaterThanOrEqual(192);
  });

  test('fast-check finds the under-estimate and shrinks it to at most three allocations', () => {
    // sizes at or above the minimum object, where Peter's factor 2 is justified
    const r = fc.check(
      fc.property(fc.array(fc.integer({ min: BYTES.minSize, max: BYTES.page }), { minLength: 1, maxLength: 40 }), (xs) => slabDemandBytes(BYTES, xs) <= DEMAND.exp2(sum(xs))),
      { seed: 1, numRuns: 1_000 },
    );
    expect(r.failed).toBe(true);
    const xs = r.counterexample?.[0] ?? [];
    expect(xs.length).toBeGreaterThanOrEqual(2);
    expect(xs.length).toBeLessThanOrEqual(3);
    expect(slabDemandBytes(BYTES, xs)).toBeGreaterThan(DEMAND.exp2(sum(xs)));
    // one allocation never breaks it: a request's object is at most exp2(ceil(log2 size)) from the minimum object up
    fc.assert(fc.property(fc.integer({ min: BYTES.minSize, max: BYTES.page }), (s) => slabDemandBytes(BYTES, [s]) <= DEMAND.exp2(s)), { seed: 5 });
  });

  test('with the per-cache term and in pages it still fails in §7 units (seven size-1 objects, above)', () => {
    expect(v1EstimatePages(UNITS7, 7)).toBe(3);
    expect(worstPagesUsed(UNITS7, [1, 1, 1, 1, 1, 1, 1])).toBe(4);
  });
});

describe('V2: the plain 2N + m', () => {
  test('2N covers the objects of requests at or above KMALLOC_MIN_SIZE / 2', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: BYTES.minSize / 2, max: 3 * BYTES.page }), { maxLength: 40 }), (xs) => slabDemandBytes(BYTES, xs) <= DEMAND.twoN(sum(xs))),
      { seed: 2, numRuns: 3_000 },
    );
  });

  test('fast-check finds tiny requests under-counted and shrinks to a handful of them', () => {
    const r = fc.check(
      fc.property(fc.array(fc.integer({ min: 1, max: BYTES.page }), { maxLength: 40 }), (xs) => slabDemandBytes(BYTES, xs) <= DEMAND.twoN(sum(xs))),
      { seed: 3, numRuns: 1_000 },
    );
    expect(r.failed).toBe(true);
    const xs = r.counterexample?.[0] ?? [];
    expect(xs.length).toBeGreaterThanOrEqual(1);
    expect(xs.length).toBeLessThanOrEqual(5);
    expect(xs.every((s) => s < BYTES.minSize / 2)).toBe(true);
    // a 1-byte request charges 1 (W5) and takes an 8-byte object
    expect(slabDemandBytes(BYTES, [1])).toBe(8);
  });

  test('in pages, with PAGE 8 and KMALLOC_MIN 4 (§7): seven size-1 objects take 4 pages, the 2009 estimate is 3', () => {
    expect(violations(UNITS_V2, 16, kmallocEstimatePages)[0]).toEqual({ sizes: [1, 1, 1, 1, 1, 1, 1], used: 4, est: 3 });
    const r = fc.check(
      fc.property(fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 8 })), { maxLength: 24 }), (xs) => worstPagesUsed(UNITS_V2, xs) <= kmallocEstimatePages(UNITS_V2, sum(xs))),
      { seed: 4, numRuns: 2_000 },
    );
    expect(r.failed).toBe(true);
    const xs = r.counterexample?.[0] ?? [];
    expect(xs.length).toBeLessThanOrEqual(8);
    expect(xs.every((s) => s < UNITS_V2.minSize / 2)).toBe(true);
  });
});

describe('the 2009 formula with its per-cache overhead term, in bytes: not sound', () => {
  test('fast-check over multisets of cache-boundary and random sizes finds a counterexample holding a PAGE_SIZE-cache request', () => {
    const boundary = fc.constantFrom(1, 9, 17, 33, 65, 97, 129, 193, 257, 513, 1025, 2049);
    const r = fc.check(
      fc.property(fc.array(fc.oneof(boundary, fc.integer({ min: 1, max: BYTES.page })), { maxLength: 40 }), (xs) => worstPagesUsed(BYTES, xs) <= kmallocEstimatePages(BYTES, sum(xs))),
      { seed: 1, numRuns: 20_000 },
    );
    expect(r.failed).toBe(true);
    const xs = r.counterexample?.[0] ?? [];
    expect(xs.length).toBeLessThanOrEqual(10);
    expect(xs.some((s) => s > BYTES.page / 2)).toBe(true);
    expect(worstPagesUsed(BYTES, xs)).toBeGreaterThan(kmallocEstimatePages(BYTES, sum(xs)));
  });

  test('seven requests suffice: one each for the 4096, 2048, 1024, 8, 16, 32 and 64-byte caches take 18 pages for an estimate of 17', () => {
    const xs = [1, 9, 17, 33, 513, 1025, 2049];
    expect(sum(xs)).toBe(3647);
    // 8 + 4 + 2 + 4·1 pages of slabs; ceil(2·3647 / 4096) = 2 plus 15 of overhead
    expect(worstPagesUsed(BYTES, xs)).toBe(18);
    expect(kmallocEstimatePages(BYTES, 3647)).toBe(17);
    // six do not: the three high-order caches give 14 pages and every page more needs one more request
    for (const k of [4096, 2048, 1024]) expect(caches(BYTES).find((c) => c.size === k)?.order).toBeGreaterThan(0);
  });

  test('exact worst case up to 64 KiB: the first failing N is 3,106 bytes on 1 CPU and 6,083 on 2', () => {
    const first = (m: SlabModel, B: number): { n: number; witness: number[] } | undefined => {
      const w = worstWithin(m, B);
      for (let n = 0; n <= B; n++) if ((w.pages[n] as number) > kmallocEstimatePages(m, n)) return { n, witness: w.witness(n) };
      return undefined;
    };
    const one = first(BYTES, 65_536);
    expect(one?.n).toBe(3106);
    expect(one?.witness).toEqual([1, 9, 17, 33, 65, 97, 129, 193, 513, 2049]);
    expect(first({ ...BYTES, cpus: 2 }, 65_536)?.n).toBe(6083);
    // with the PAGE_SIZE cache in the loop the first failure moves to N = 6,948, now from tiny requests (V2's cause)
    const fixed = first({ ...BYTES, loopIncludesPageCache: true }, 65_536);
    expect(fixed?.n).toBe(6948);
    expect(fixed?.witness.filter((s) => s === 1).length).toBe(2561);
  });
});
