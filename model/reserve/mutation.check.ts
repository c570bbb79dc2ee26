/**
 * reserve's mutation check (`npm run mutation -- reserve`; see
 * test/mutation-suite.ts), plus R6, whose subject (estimate.ts) is pure:
 * the size classes, and the 2009 estimate against the worst packing.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { reserve, reserveModel } from './model.js';
import { E1, E2, P, SMALL } from './config.js';
import type { ReserveConfig, ReserveState } from './state.js';
import { canonical } from '../canonical.js';
import { explore } from '../../properties/explore.js';
import { checkLiveness } from '../../properties/liveness.js';
import { ksize } from './rules.js';
import type { SlabModel } from './estimate.js';
import {
  BYTES, caches, cacheOf, DEMAND, getOrder, kmallocEstimatePages, kmemAllocEstimate, objectSize, overheadCaches, pagesUsed, perCacheOverhead,
  roundupPow2, slabDemandBytes, UNITS7, UNITS_V2, v1EstimatePages, worstPagesUsed, worstWithin,
} from './estimate.js';
import * as oracle from './estimate-oracle.js';
import { mutationSuite } from '../../test/mutation-suite.js';
import { eachStep } from '../../test/steps.js';

// R6 first (estimate.ts is pure, these tests take milliseconds): each of
// estimate.ts's functions against estimate-oracle.ts, written apart, on grids
// of kmalloc models and inputs. A mutant of estimate.ts that only the model's
// explorations run (roundupPow2, objectSize through ksize) is killed here
// before they start.

/** Kmalloc models the grids run over: bytes with 1–16 CPUs and other minimum sizes, §7's units, small pages with SLUB orders. */
const MODELS: readonly SlabModel[] = [
  ...[1, 2, 3, 4, 7, 8, 16].map((cpus) => ({ ...BYTES, cpus })),
  { ...BYTES, loopIncludesPageCache: true },
  { ...BYTES, cpus: 2, loopIncludesPageCache: true },
  { ...BYTES, minSize: 16, extraCaches: false },
  { ...BYTES, minSize: 32, cpus: 2 },
  { ...BYTES, page: 8192, cpus: 4 },
  UNITS7, { ...UNITS7, cpus: 2 }, UNITS_V2, { ...UNITS_V2, cpus: 3, loopIncludesPageCache: true },
  { page: 16, minSize: 1, extraCaches: false, cpus: 1, orders: 'slub' },
  // 1-unit objects pack a page's worth to a slab, so within 13 units kmalloc_large requests (5 and 9 units: 2 and 4 pages) take the most
  { page: 4, minSize: 1, extraCaches: false, cpus: 1, orders: 'zero' },
  { page: 4, minSize: 1, extraCaches: false, cpus: 2, orders: 'zero' },
  { page: 64, minSize: 2, extraCaches: false, cpus: 2, orders: 'slub' },
  { page: 256, minSize: 4, extraCaches: false, cpus: 5, orders: 'slub' },
];

/** Collects disagreements (one `expect` per test keeps the grids fast). */
function disagreements(): { same: (where: unknown[], got: unknown, want: unknown) => void; list: string[] } {
  const list: string[] = [];
  return { list, same: (where, got, want) => void (JSON.stringify(got) !== JSON.stringify(want) && list.push(`${JSON.stringify(where)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`)) };
}

const label = (m: SlabModel): string => `${m.page}/${m.minSize}/${m.extraCaches ? 'x' : '-'}/${m.cpus}/${m.orders}/${m.loopIncludesPageCache ? 'P' : '-'}`;

test('R6 oracle: size classes, slab orders and caches agree with estimate-oracle.ts', () => {
  const d = disagreements();
  for (const m of MODELS) {
    const step = m.page > 1024 ? 13 : 1;
    for (let s = 1; s <= m.page + 1; s += step) d.same([label(m), s], objectSize(m, s), oracle.classOf(m, s));
    for (const s of [m.page, m.page + 1, m.minSize, m.minSize + 1, 64, 65, 96, 97, 128, 129, 192, 193]) d.same([label(m), s], objectSize(m, s), oracle.classOf(m, s));
    d.same([label(m)], caches(m), oracle.classTable(m).map((z) => oracle.cacheFor(m, z)));
    // any object size, not only the caches': every branch of calculate_order
    for (let z = 1; z <= m.page; z += m.page > 1024 ? 29 : 1) d.same([label(m), z], cacheOf(m, z), oracle.cacheFor(m, z));
  }
  for (let z = 4000; z <= 4096; z++) d.same([z], cacheOf(BYTES, z), oracle.cacheFor(BYTES, z));
  expect(d.list).toEqual([]);
});

test('R6 oracle: per-cache overhead, kmem_alloc_estimate, the 2009 and V1 estimates', () => {
  const d = disagreements();
  for (const m of MODELS) {
    d.same([label(m)], overheadCaches(m).map((c) => c.size), oracle.classTable(m).filter((z) => z <= (m.loopIncludesPageCache ? m.page : m.page / 2)));
    d.same([label(m)], perCacheOverhead(m), oracle.overhead(m));
    for (const c of caches(m)) for (let k = 0; k <= 20; k++) d.same([label(m), c.size, k], kmemAllocEstimate(m, c, k), oracle.allocEstimate(m, oracle.cacheFor(m, c.size), k));
    const ns = m.page > 64 ? [0, 1, 2, m.page / 2 - 1, m.page / 2, m.page / 2 + 1, m.page - 1, m.page, m.page + 1, 3106, 6083, 2 * m.page + 1, 16 * m.page + 1] : Array.from({ length: 4 * m.page + 2 }, (_, i) => i);
    for (const n of ns) {
      d.same([label(m), n], kmallocEstimatePages(m, n), oracle.estimate2009(m, n));
      d.same([label(m), n], v1EstimatePages(m, n), oracle.estimateV1(m, n));
    }
  }
  for (let n = 0; n <= 300; n++) d.same([n], [DEMAND.twoN(n), DEMAND.exp2(n)], [2 * n, n === 0 ? 0 : 2 ** Math.ceil(Math.log2(n))]);
  expect(d.list).toEqual([]);
});

test('R6 oracle: pages used in order, the worst CPU assignment and the slab demand (generated workloads)', () => {
  const small = MODELS.filter((m) => m.page <= 256 && m.cpus <= 3);
  const bytes = [BYTES, { ...BYTES, cpus: 2 }, { ...BYTES, cpus: 3 }];
  fc.assert(
    fc.property(fc.constantFrom(...small, ...bytes), fc.array(fc.tuple(fc.nat(1_000_000), fc.nat(5)), { maxLength: 12 }), (m, raw) => {
      // sizes up to 2.5 pages (kmalloc_large included); CPU ids past the count wrap
      const allocs = raw.map(([u, cpu]) => ({ size: 1 + (u % Math.floor(2.5 * m.page)), cpu }));
      const sizes = allocs.map((a) => a.size);
      expect(pagesUsed(m, allocs)).toBe(oracle.simulatePages(m, allocs));
      expect(worstPagesUsed(m, sizes)).toBe(oracle.worstPages(m, sizes));
      expect(slabDemandBytes(m, sizes)).toBe(oracle.demand(m, sizes));
    }),
    { seed: 15, numRuns: 400 },
  );
  // many objects of one small cache, where the worst split and the slab count step up
  const d = disagreements();
  for (const m of small) for (let k = 1; k <= 10; k++) d.same([label(m), k], worstPagesUsed(m, Array<number>(k).fill(1)), oracle.worstPages(m, Array<number>(k).fill(1)));
  for (const m of small) for (let k = 1; k <= 10; k++) d.same([label(m), k], [getOrder(k * m.page - 1, m.page), getOrder(k * m.page, m.page)], [Math.log2(oracle.largePages(m, k * m.page - 1)), Math.log2(oracle.largePages(m, k * m.page))]);
  expect(d.list).toEqual([]);
});

test('R6 oracle: worstWithin is the worst of every multiset within each budget, with a witness that reaches it', () => {
  const d = disagreements();
  for (const m of MODELS.filter((x) => x.page <= 16)) {
    const B = 13;
    const all = multisets(B).map((xs) => ({ total: xs.reduce((a, b) => a + b, 0), pages: oracle.worstPages(m, xs) }));
    const w = worstWithin(m, B);
    for (let b = 0; b <= B; b++) {
      const best = Math.max(...all.filter((x) => x.total <= b).map((x) => x.pages));
      const wit = w.witness(b);
      d.same([label(m), b], [w.pages[b], wit.reduce((a, x) => a + x, 0) <= b, oracle.worstPages(m, wit), [...wit].sort((x, y) => x - y)], [best, true, best, wit]);
    }
    // one kmalloc_large request of exactly the budget is itself a multiset within it: the worst is at least
    // its pages (within 13 units it always ties with smaller requests; at 33 on 4-unit pages, 1 CPU, it is alone)
    for (let o = 1; m.page * 2 ** (o - 1) + 1 <= 40; o++) {
      const L = m.page * 2 ** (o - 1) + 1;
      d.same([label(m), 'large', L], (worstWithin(m, L).pages[L] ?? 0) >= oracle.worstPages(m, [L]), true);
    }
  }
  expect(d.list).toEqual([]);
});

test('R6 oracle: requests that are not positive integers are refused, with their value', () => {
  for (const n of [0, -1, 1.5, Number.NaN]) expect(() => roundupPow2(n)).toThrow(`roundup_pow_of_two(${n})`);
  for (const n of [0, -3, 2.5]) expect(() => objectSize(BYTES, n)).toThrow(`kmalloc(${n})`);
  expect([1, 2, 3, 5, 64, 65, 4096, 4097].map(roundupPow2)).toEqual([1, 2, 4, 8, 64, 128, 4096, 8192]);
});

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

// Configurations the family leaves out, each pinned to its complete state
// count (measured) and held by the reference (or the harmless variant named):
// a mutant of a branch only they reach adds or removes states, or breaks a
// property there.
const base = reserveModel.family?.find((x) => x.name === 'swap-off-and-on')?.config as ReserveConfig;
const waiter = reserveModel.family?.find((x) => x.name === 'set-raises-limit-for-waiter')?.config as ReserveConfig;
const EXTRA: readonly { name: string; variant: string; config: ReserveConfig; states: number }[] = [
  // swap off (r detached) with a plain context, which is still offered requests
  { name: 'swap off with a plain context', variant: 'reference', config: { ...base, allocators: [{ ...E2, allocs: 1 }, { ...P, allocs: 1 }] }, states: 195 },
  // swapon first, then swapoff (never offered while the swapon is in flight or r is detached)
  { name: 'swapon then swapoff', variant: 'reference', config: { ...base, connected: false, pages: 0, swapons: 1, swapoffs: 1, allocators: [{ ...E2, allocs: 1 }] }, states: 33 },
  // two swapons from detached: the second is never offered while the first is still connecting r (W busy)
  { name: 'two swapons, r detached', variant: 'reference', config: { ...base, connected: false, pages: 0, swapons: 2, swapoffs: 0, allocators: [] }, states: 10 },
  // swapon's connect at the zone's floor: ADJ's test allocation fails, connect unlinks again (-ENOMEM)
  { name: 'swapon whose connect fails', variant: 'reference', config: { ...base, connected: false, pages: 0, free: 3, swapons: 1, swapoffs: 0, allocators: [] }, states: 11 },
  // an unlimited requester (allocs null): its count is never decremented, the space stays finite
  { name: 'an unlimited requester', variant: 'reference', config: { ...SMALL, sets: 0, pressures: [], reclaims: [], sizes: [4], allocators: [{ ...E2, allocs: null }] }, states: 51 },
  // V6 (harmless) where its writes matter: a swapoff and swapon changing root, a set whose ADJ test allocation fails
  { name: 'V6 on swapoff and swapon', variant: 'V6', config: base, states: 195 },
  { name: 'V6 on a set at the zone floor', variant: 'V6', config: { ...SMALL, free: 3, allocators: [], pressures: [], reclaims: [] }, states: 6 },
  { name: 'F1: a set at the zone floor', variant: 'F1', config: { ...SMALL, free: 3, allocators: [], pressures: [], reclaims: [] }, states: 6 },
  { name: 'a set at the zone floor', variant: 'reference', config: { ...SMALL, free: 3, allocators: [], pressures: [], reclaims: [] }, states: 6 },
  // the kmalloc setter growing pages while lowering the limit (4 units: 3 pages, limit 4), at the floor: F1's undo
  { name: 'F1: a kmalloc set that fails at the floor', variant: 'F1', config: { ...SMALL, free: 3, setKind: 'kmalloc', setValues: [4], allocators: [], pressures: [], reclaims: [] }, states: 6 },
  // F1 where the set grows r: the limits rise once, at A3
  { name: 'F1: a growing set', variant: 'F1', config: reserveModel.family?.find((x) => x.name === 'set-grow')?.config as ReserveConfig, states: 88 },
  // a high min (8) where ALLOC_HIGH and ALLOC_HARDER each lower the plain GFP_ATOMIC context's watermark (8 → 4 → 3)
  { name: 'a plain atomic context at a high min', variant: 'reference', config: { ...SMALL, min: 8, free: 7, allocators: [{ ...P, allocs: 2 }, { ...E2, allocs: 1 }], sizes: [4], sets: 0, pressures: [1], reclaims: [] }, states: 57 },
  // two pressure and two reclaim events, each used once and in order
  { name: 'two pressures and two reclaims', variant: 'reference', config: { ...SMALL, allocators: [{ ...E2, allocs: 1 }], sizes: [4], sets: 0, pressures: [1, 2], reclaims: [2, 1] }, states: 35 },
  // the kmalloc setter in bytes: 8 bytes ask for ⌈16 / 4096⌉ + 15 = 16 pages (setter-result judges the size)
  { name: 'the kmalloc setter in bytes', variant: 'reference', config: { ...SMALL, units: 'bytes', free: 40, pages: 1, sizes: [8], setKind: 'kmalloc', setValues: [8], allocators: [], pressures: [], reclaims: [] }, states: 6 },
  // the reference too (it lowers limits only at A3, so its undo must leave them alone)
  { name: 'a kmalloc set that fails at the floor', variant: 'reference', config: { ...SMALL, free: 3, setKind: 'kmalloc', setValues: [4], allocators: [], pressures: [], reclaims: [] }, states: 6 },
  // swap never on (r detached, no swapon) with a plain context: it is still offered its requests, the entitled ones are not
  { name: 'swap never on, a plain context', variant: 'reference', config: { ...(reserveModel.family?.find((x) => x.name === 'starts-detached')?.config as ReserveConfig), swapons: 0, allocators: [{ ...P, allocs: 1 }, { ...E1, allocs: 1 }] }, states: 4 },
  // a waiter asleep in K5 while a set leaves r's limit as it was (F1: lowers it): §3 wakes waiters only when A3 raises it
  { name: 'a set to the same size over a waiter', variant: 'reference', config: { ...waiter, setValues: [1], reclaims: [] }, states: 125 },
  { name: 'F1: a set that shrinks r over a waiter', variant: 'F1', config: { ...waiter, setValues: [0], reclaims: [] }, states: 142 },
  // E1 asleep for 4 units while E2's 2 units still fit: only an uncharge wakes E1, not E2's charge
  { name: 'a waiter while another context charges', variant: 'reference', config: { ...waiter, sets: 0, free: 2, reclaims: [], pressures: [], sizes: [1, 4], allocators: [{ ...E1, allocs: 2 }, { ...E2, allocs: 1 }] }, states: 169 },
  { name: 'F1: a kmalloc set', variant: 'F1', config: { ...SMALL, setKind: 'kmalloc', setValues: [4], allocators: [{ ...E1, allocs: 1 }], sizes: [4], pressures: [], reclaims: [] }, states: 18 },
];
for (const x of EXTRA) {
  test(`${x.variant} holds on ${x.name} (pinned states)`, () => {
    const r = explore(reserveModel.machine(x.variant, x.config), { maxStates: 2_000 });
    expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`)).toEqual([]);
    expect([r.complete, r.states]).toEqual([true, x.states]);
  });
}

// Every tree operation returns: random runs of the members with sets or
// swap events go on until no step is left, and then every operation is
// idle with a result (a step that left its context stuck, e.g. a waiter on
// mem_reserve_mutex that never retries, loops instead).
test('every set, swapon and swapoff returns: random runs end with every tree operation idle', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((seed / 2_147_483_648) * n);
  };
  const bad: string[] = [];
  for (const name of ['two-sets', 'set-grow', 'swap-off-and-on', 'starts-detached', 'set-kmalloc']) {
    const m = reserve.machine('reference', reserveModel.family?.find((x) => x.name === name)?.config as ReserveConfig);
    for (let run = 0; run < 8; run++) {
      let s = m.init();
      for (let step = 0; step < 150; step++) {
        const acts = m.actions(s).filter((a) => !['F', 'alloc', 'pressure', 'reclaim'].includes(a.type));
        const a = acts[rand(acts.length)];
        if (a === undefined) break;
        s = m.next(s, a);
      }
      for (const [id, op] of Object.entries(s.tree)) if (op.pc !== 'idle') bad.push(`${name}: ${id} still at ${op.pc}`);
    }
  }
  expect(bad.slice(0, 3)).toEqual([]);
});

// A set that fails (ADJ's test allocation at the zone floor) leaves r as it
// was: each of these configurations has one set and starts with r at
// `pages` pages and `pages`·PAGE units, so wherever S1 has returned -ENOMEM
// r must be back there (F1's undo raises the limits it lowered first).
test('a failed set leaves r at its size before the set (walks of the sets at the zone floor)', () => {
  const bad: string[] = [];
  for (const x of EXTRA.filter((e) => e.name.includes('at the floor') || e.name.includes('at the zone floor'))) {
    const m = reserve.machine(x.variant, x.config);
    let failed = 0;
    for (let run = 0; run < 6; run++) {
      let s = m.init();
      for (let step = 0; step < 30; step++) {
        const op = s.tree.S1;
        if (op?.pc === 'idle' && op.result === 'ENOMEM') {
          failed++;
          const r = s.nodes.r;
          if (r.own !== x.config.pages || r.ownLimit !== x.config.pages * 4) bad.push(`${x.variant} on ${x.name}: r ${r.own} pages, limit ${r.ownLimit}`);
        }
        const acts = m.actions(s);
        const a = acts[(run + step) % Math.max(1, acts.length)];
        if (a === undefined) break;
        s = m.next(s, a);
      }
    }
    if (failed === 0) bad.push(`${x.name}: no failed set`);
  }
  expect(bad.slice(0, 3)).toEqual([]);
});

// W2 under the liveness engine too: its waiter, asleep in K5, must not be
// offered steps (an asleep context that could retry by itself would hide the
// missing wake-up from a fair run, though the quiescent form still sees it).
test('W2: the liveness engine finds the lasso of the waiter the raised limit never wakes', () => {
  const m = reserveModel.family?.find((x) => x.name === 'set-raises-limit-for-waiter');
  expect(checkLiveness(reserveModel.machine('W2', m?.config), { maxStates: 2_000 }).violations.has('L1')).toBe(true);
});

// The state key, fairness, quiescence and the offer order, judged on states met by seeded
// random walks (which, unlike the exhaustive engine, do not merge states by
// their key): two different states must never share a key (a merge hides
// states from every property; pinned counts see it only on the members
// explored); fairness and quiescence follow the spec's reading (§4: the
// environment's events are unfair, every K and tree step is its context's;
// quiescent: every allocator idle or asleep in K5, no tree operation).
test('state key, fairness, quiescence and offer order on random walks of the reference, V5 and F1', () => {
  const ENV = ['alloc', 'set', 'swapon', 'swapoff', 'pressure', 'reclaim', 'F'];
  const walks: [string, ReserveConfig][] = [
    ['reference', SMALL], ['V5', SMALL], ['F1', { ...SMALL, setValues: [1, 3] }],
    ...EXTRA.map((x): [string, ReserveConfig] => [x.variant, x.config]),
    ...(reserveModel.family ?? []).map((m): [string, ReserveConfig] => ['reference', m.config as ReserveConfig]),
  ];
  const seen = new Map<string, string>();
  const bad: string[] = [];
  let seed = 15;
  const rand = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((seed / 2_147_483_648) * n);
  };
  for (const [variant, config] of walks)
    for (let run = 0; run < 4; run++) {
      const m = reserve.machine(variant, config);
      let s = m.init();
      for (let step = 0; step < 40; step++) {
        const key = String(m.view?.(s));
        const full = canonical(s);
        if ((seen.get(key) ?? full) !== full) bad.push(`key ${key} for two states`);
        seen.set(key, full);
        const q = Object.values(s.ctx).every((x) => x.pc === 'idle' || (x.pc === 'K5' && x.asleep)) && Object.values(s.tree).every((op) => op.pc === 'idle');
        if (m.quiescent(s) !== q) bad.push(`quiescent ${String(m.quiescent(s))} on ${key}`);
        const acts = m.actions(s);
        for (const a of acts) {
          const want = ENV.includes(a.type) ? null : 'ctx' in a ? a.ctx : '?';
          if (m.fairness?.(a, s) !== want) bad.push(`fairness of ${a.type}: ${String(m.fairness?.(a, s))}`);
        }
        // the offer order runs and pinned traces were recorded in: the environment's events, then one
        // step of each context mid-operation, allocators in the configuration's order, then S1, S2, W
        const lanes = [...config.allocators.map((x) => x.id), 'S1', 'S2', 'W'];
        const first = acts.findIndex((a) => !ENV.includes(a.type));
        const ranks = acts.slice(first < 0 ? acts.length : first).map((a) => (ENV.includes(a.type) || !('ctx' in a) ? -1 : lanes.indexOf(a.ctx)));
        if (ranks.some((r, i) => r < 0 || (i > 0 && r <= (ranks[i - 1] ?? -1)))) bad.push(`offer order ${acts.map((a) => a.type).join(' ')}`);
        const a = acts[rand(acts.length)];
        if (a === undefined) break;
        s = m.next(s, a);
      }
    }
  expect(bad.slice(0, 5)).toEqual([]);
  expect(seen.size).toBeGreaterThan(600);
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

// Lanes, spec step names and kernel functions of every kind of step (§3-§4): traces are read by
// them. 'own' is the step's own context (the allocator, S1/S2 or W its action names). ADJ1 (a
// contended var_free_mutex) is missing: no configuration reaches it (EQUIVALENT-MUTANTS.md).
const LANES: Readonly<Record<string, string>> = {
  alloc: 'own K0 kmalloc_reserve', set: 'own set mem_reserve_pages_set', swapon: 'W swapon swapon', swapoff: 'W swapoff swapoff',
  pressure: 'env pressure alloc_pages', reclaim: 'env reclaim try_to_free_pages', F: 'env F kfree_reserve',
  K3: 'own K3 mem_reserve_kmalloc_charge', K5: 'own K5 wait_event', K6: 'own K6 __kmalloc_node_track_caller', K7: 'own K7 __kmalloc_node_track_caller',
  M0: 'own M0 mutex_lock', A1: 'own A1 __mem_reserve_add', A2: 'own A2 __mem_reserve_add', ADJ3: 'own ADJ adjust_memalloc_reserve',
  ADJ4: 'own ADJ alloc_pages_node', A2u: 'own A2 __mem_reserve_add', A3: 'own A3 __mem_reserve_add',
  CN: 'own connect mem_reserve_connect', UL: 'own disconnect mem_reserve_disconnect',
};
// Breadth-first walks (every state up to the bound, unlike the random walks above) of the members
// that reach each kind of step: each step's lane, name and function, the fairness of every
// occurrence (§4: the environment's events are unfair, K and tree steps are their context's),
// quiescence of every state met (a K5 context woken but not yet run is not quiescent), and K6's
// two outcomes (§3: the regular retry serves a regular object and gives the charge back, or fails
// on to K7 holding it), each of which the member reaches.
test('lanes, step names, functions, fairness and quiescence on walks of every kind of step; K6 serves or goes on to K7', () => {
  const ENV = ['alloc', 'set', 'swapon', 'swapoff', 'pressure', 'reclaim', 'F'];
  const member = (name: string): ReserveConfig => reserveModel.family?.find((x) => x.name === name)?.config as ReserveConfig;
  const lanes = new Map<string, string>();
  const bad: string[] = [];
  const k6 = { served: 0, k7: 0 };
  const regular = (s: ReserveState): number => s.objs.filter((o) => !o.emerg).reduce((n, o) => n + o.n, 0);
  const walk = (variant: string, config: ReserveConfig, bound: number): void => {
    const m = reserve.machine(variant, config);
    eachStep(m, bound, (a, i, from) => {
      const own = 'ctx' in a ? a.ctx : undefined;
      const lane = `${i.ctx === own ? 'own' : i.ctx} ${i.step} ${i.fn}`;
      lanes.set(a.type, lanes.has(a.type) && lanes.get(a.type) !== lane ? `${lanes.get(a.type)}|${lane}` : lane);
      const want = ENV.includes(a.type) ? null : (own ?? '?');
      if (m.fairness?.(a, from) !== want) bad.push(`fairness of ${a.type}: ${String(m.fairness?.(a, from))}`);
      const q = Object.values(from.ctx).every((x) => x.pc === 'idle' || (x.pc === 'K5' && x.asleep)) && Object.values(from.tree).every((op) => op.pc === 'idle');
      if (m.quiescent(from) !== q) bad.push(`quiescent ${String(m.quiescent(from))} before ${a.type}`);
      if (a.type === 'K6' && own !== undefined) {
        const t = m.next(from, a);
        const x = from.ctx[own];
        const y = t.ctx[own];
        if (y?.pc === 'idle' && regular(t) === regular(from) + 1 && t.nodes.r.usage === from.nodes.r.usage - (x?.charged ?? 0)) k6.served++;
        else if (y?.pc === 'K7' && y.charged === x?.charged && canonical(t.objs) === canonical(from.objs) && t.nodes.r.usage === from.nodes.r.usage) k6.k7++;
        else bad.push(`K6 of ${own}: ${canonical(from.ctx)} → ${canonical(t.ctx)}`);
      }
    });
  };
  walk('reference', member('set-raises-limit-for-waiter'), 500);
  walk('reference', member('zone-at-floor'), 300);
  walk('reference', member('swap-off-and-on'), 200);
  walk('reference', member('two-sets'), 100);
  walk('V5', member('two-sets'), 100);
  walk('reference', EXTRA.find((x) => x.name === 'a set at the zone floor')?.config as ReserveConfig, 100);
  expect(bad.slice(0, 5)).toEqual([]);
  expect(Object.fromEntries([...lanes].sort())).toEqual(Object.fromEntries(Object.entries(LANES).sort()));
  expect(k6.served > 0 && k6.k7 > 0).toBe(true);
});
