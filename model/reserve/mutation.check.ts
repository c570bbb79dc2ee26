/**
 * reserve's mutation check (`npm run mutation -- reserve`; see
 * test/mutation-suite.ts), plus R6, whose subject (estimate.ts) is pure:
 * the size classes, and the 2009 estimate against the worst packing.
 */
import { expect, test } from 'vitest';
import { reserveModel } from './model.js';
import { E1, SMALL } from './config.js';
import { explore } from '../../properties/explore.js';
import { ksize } from './rules.js';
import { BYTES, kmallocEstimatePages, objectSize, UNITS7, v1EstimatePages, worstPagesUsed } from './estimate.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// Each mutant runs this whole check (survivors all of it), so it is kept near
// two seconds: 800 states cover every family member completely (the largest,
// pressure-and-reclaim, has 744), and each buggy variant is searched first on
// the smallest configuration known to show it (measured: 1 to 400 states).
mutationSuite(reserveModel, {
  maxStates: 800,
  runs: 50,
  searchFirst: {
    'V3-always': 'sizes-min-object',
    'V3-never': 'zone-at-floor',
    V4: 'zone-at-floor',
    V5: 'two-sets',
    W1: 'set-raises-limit-for-waiter',
    W2: 'set-raises-limit-for-waiter',
    W3: 'zone-at-floor',
    W4: 'r-zero-pages',
    W5: 'zone-at-floor',
  },
  // every member's complete state count (reference, measured): a mutant of
  // encodeState or of the objects' canonical order (withObj) changes one
  pinStates: {
    'bytes-extra-caches': 226, 'bytes-class-edges': 38, 'sizes-min-object': 57, 'sizes-page-object': 104,
    'zone-at-floor': 250, 'zone-above-floor': 515, 'min-zero': 121, 'r-zero-pages': 162, 'r-one-page': 121,
    'no-pressure': 38, 'pressure-and-reclaim': 744, 'set-grow': 88, 'set-same-size': 5, 'set-kmalloc': 6,
    'two-sets': 28, 'swap-off-and-on': 195, 'starts-detached': 10, 'set-raises-limit-for-waiter': 429,
    'two-requests-waiting': 41,
  },
});

// A set that shrinks r below what is charged (two page-sized emergency
// objects, r set to 0 pages): the frees must still uncharge although usage
// stays above the new limit. The family has no shrinking member (the
// reference has finding F1 there), so F1, which holds, is explored on it.
test('F1 holds where a set shrinks r below its outstanding charges (uncharges over the limit)', () => {
  const c = { ...SMALL, free: 3, allocators: [{ ...E1, allocs: 2 }], sizes: [4], sets: 1, setValues: [0], pressures: [], reclaims: [] };
  const r = explore(reserveModel.machine('F1', c), { maxStates: 1_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.states).toBe(88);
});

// swapoff is offered only once no entitled context is in flight (swap-out
// I/O has drained). The family's swap member never has one in flight (no
// pressure: every request is served regularly); with pressure the entitled
// contexts reach K3–K7, and a swapoff offered then breaks R3.
test('reference holds on swap-off-and-on under pressure (entitled contexts in flight)', () => {
  const m = reserveModel.family?.find((x) => x.name === 'swap-off-and-on');
  const r = explore(reserveModel.machine('reference', { ...(m?.config as object), pressures: [2] }), { maxStates: 1_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.states).toBe(480);
});

// ksize, the cache a request lands in: in bytes the SLUB classes (96 and 192
// are not powers of two), in §7's units the power-of-two caches from
// KMALLOC_MIN = 2. A mutant that runs bytes as powers of two keeps every
// property consistent (each object's charge and packing follow its cache),
// so the classes are pinned here against the kernel's table.
test('ksize: the SLUB classes in bytes, power-of-two caches in §7 units', () => {
  expect([1, 8, 9, 64, 65, 96, 97, 128, 129, 192, 193, 4096].map((x) => ksize(x, { units: 'bytes' }))).toEqual([8, 8, 16, 64, 96, 96, 128, 128, 192, 192, 256, 4096]);
  expect([1, 2, 3, 4].map((x) => ksize(x, {}))).toEqual([2, 2, 4, 4]);
  expect(() => ksize(4097, { units: 'bytes' })).toThrow();
});

/** Every multiset of request sizes with total ≤ n (non-increasing lists). */
function multisets(n: number): number[][] {
  const out: number[][] = [];
  const grow = (left: number, max: number, acc: number[]): void => {
    out.push(acc);
    for (let s = Math.min(left, max); s >= 1; s--) grow(left - s, s, [...acc, s]);
  };
  grow(n, n, []);
  return out;
}

test('R6: the SLUB size classes in bytes, 96 and 192 included', () => {
  expect([1, 8, 9, 64, 65, 96, 97, 128, 129, 192, 193, 4096].map((s) => objectSize(BYTES, s))).toEqual([8, 8, 16, 64, 96, 96, 128, 128, 192, 192, 256, 4096]);
  expect(objectSize(BYTES, 4097)).toBeUndefined();
});

test('R6: the 2009 estimate covers the worst packing of every request multiset up to 10 units (§7, 1 and 2 CPUs); V1 does not', () => {
  for (const cpus of [1, 2]) {
    const m = { ...UNITS7, cpus };
    for (const sizes of multisets(10)) {
      const n = sizes.reduce((a, b) => a + b, 0);
      expect(worstPagesUsed(m, sizes)).toBeLessThanOrEqual(kmallocEstimatePages(m, n));
    }
  }
  expect(worstPagesUsed(UNITS7, [1, 1, 1, 1, 1, 1, 1])).toBeGreaterThan(v1EstimatePages(UNITS7, 7));
  expect(kmallocEstimatePages(UNITS7, 4)).toBe(3);
});
