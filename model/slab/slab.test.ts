/**
 * Slab allocators honouring the reserve (spec 05): the reference holds under
 * both engines with every witness reached; V0, V1, V2, V3 and W1 are found
 * by both engines on every seed of the `ci` budget (10 seeds: `mmcheck ci
 * --profile deep`) with S1 and the scenario shape of §6/§6b;
 * W2 is confirmed (replayable counterexample) and its cause isolated (the
 * same two-cache configuration with a recheck over every cache explores
 * completely without a violation); V5 passes; every property can fail.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine, Transition } from '../contract.js';
import { actionLabel } from '../contract.js';
import { SMALL, W2_CONFIG } from './config.js';
import { slab, slabMachineFor, slabModel } from './model.js';
import type { SlabAction, SlabConfig, SlabState } from './state.js';
import { replayLabels } from '../../properties/check.js';
import { explore } from '../../properties/explore.js';
import { randomSearch as randomCheck } from '../../shrinkers/search.js';
import { buggyVariants, expectCaught, expectedProperty, expectHolds, machineOf as machineOfModel, shortestOf, HOLDS_BUDGET, HOLDS_RANDOM_BUDGET } from '../../test/variants.js';
import { familyTests } from '../../test/family.js';

/** Pinned: V5's full BFS (§7 on one CPU). */
const V5_STATES = 2_616;
/**
 * Pinned: the full BFS of the W2 two-cache configuration with a recheck over every cache.
 * 8,302 since the ghost `Page.fromReserve` (issue 15): P4 clears page flags, and a cleared
 * page that came from the reserve is now told apart from a plain one (7,022 before).
 */
const W2_GLOBAL_RECHECK_STATES = 8_302;

/**
 * Length, in model steps, of the scenario each variant's spec text gives
 * (§6, §6b, k = 2): every counterexample must be that short or shorter.
 */
const SCENARIO: Record<string, number> = {
  // pressure on; plain A → NULL (new_slab); entitled B → reserve slab R (new_slab); A: fast path from R
  V0: 4,
  // pressure on; E a1+a2 → R; pressure off; P a1+a3 grows N, R released; pressure on; P fast path N; P a1 takes R's last
  V1: 9,
  // pressure on; E b3+b4 → R (bit set), E b2 takes the second; shrink; E frees one; P on CPU1 b3 picks R
  V2: 7,
  // pressure on; E new_slab → R, flag set; pressure off; P new_slab → N, flag cleared; pressure on; P fast path N; P takes R's last
  V3: 7,
  // pressure on; E new_slab → P installed, one left; Q fast path takes it
  W1: 3,
  // pressure on; E: A refill+grow+retry, B refill+grow+retry; pressure off; P in B: forced grow, flag cleared;
  // E frees an A object (untagged); P takes it
  W2: 13,
};

const expected = (variant: string): string => expectedProperty(slabModel, variant) ?? '';
const machineOf = (variant: string, c: SlabConfig): AnyMachine => machineOfModel(slabModel, variant, c);

describe('slab reference', () => {
  // the complete exploration of §7, with its pinned state count: explorations.deep.test.ts (npm run test:deep)
  test('random runs on every seed of the budget: no violation, every witness reached', () => {
    const r = expectHolds(slabModel, 'reference', HOLDS_RANDOM_BUDGET).random;
    expect(r.map((x) => x.runs)).toEqual(HOLDS_BUDGET.seeds.map(() => HOLDS_BUDGET.runs));
    expect(r.map((x) => x.witnesses.size)).toEqual(HOLDS_BUDGET.seeds.map(() => 3));
  });
});

describe('buggy variants are found by both engines on every seed, in the shape of the spec', () => {
  test('every buggy variant is judged here: these five in the loop, W2 in its own section', () => {
    expect(buggyVariants(slabModel)).toEqual(['V0', 'V1', 'V2', 'V3', 'W1', 'W2']);
  });
  for (const name of ['V0', 'V1', 'V2', 'V3', 'W1']) {
    test(`${name} violates ${expected(name)}`, () => {
      const r = expectCaught(slabModel, name);
      expect(r.bfs?.counterexample?.steps.length).toBeLessThanOrEqual(SCENARIO[name] ?? 0);
      // every seed's minimized counterexample is as short as the spec's scenario
      expect(r.random.map((x) => ({ seed: x.seed, short: (x.failure?.trace.steps.length ?? Infinity) <= (SCENARIO[name] ?? 0) }))).toEqual(r.random.map((x) => ({ seed: x.seed, short: true })));
    });
  }

  test('the shortest counterexamples follow the spec scenarios step by step', () => {
    const shortest = (name: string): string[] => shortestOf(slabModel, name).counterexample?.steps.map((s) => `${s.info.ctx}:${s.info.step}`) ?? [];
    // W1 and V0: the reserve slab's remaining object leaves through the unchecked fast path
    expect(shortest('W1')).toEqual(['env:pressure', 'E0:new_slab', 'P0:slab_alloc']);
    expect(shortest('V0')).toEqual(['env:pressure', 'E0:new_slab', 'P0:slab_alloc']);
    // V2: the CPU slab leaves CPU0 (shrink) and CPU1, bit clear, takes it from the partial list
    expect(shortest('V2')).toEqual(['env:pressure', 'E0:b3', 'E0:b4', 'env:shrink', 'P1:b3']);
    // V1: a plain grow of a normal page releases the reserve slab to the partial list
    expect(shortest('V1')).toEqual(['env:pressure', 'E0:a1', 'E0:a2', 'env:pressure', 'P0:a1', 'P0:a3', 'P1:a1']);
  });
});

describe('W2: v3.6 SLAB recheck_pfmemalloc_active looks at one cache', () => {
  test('confirmed: a replayable counterexample in the two-cache configuration', () => {
    const m = machineOf('W2', W2_CONFIG);
    const r = explore(m, { target: 'S1r' });
    const cex = r.counterexample;
    expect(cex).toBeDefined();
    if (!cex) return;
    expect(cex.steps.length).toBe(13);
    // B's reserve slab loses its flag legitimately (a plain grow left a free slab), pfmemalloc_active drops,
    // and an object of A's still-flagged reserve slab goes back into A's array untagged
    const clear = cex.steps.findIndex((s) => s.label.startsWith('ac_get_obj'));
    expect(clear).toBeGreaterThan(0);
    expect((cex.steps[clear - 1]?.state as SlabState).pfmemallocActive).toBe(true);
    expect((cex.steps[clear]?.state as SlabState).pfmemallocActive).toBe(false);
    const last = cex.steps[cex.steps.length - 1]?.state as SlabState;
    expect(last.pages.filter((p) => p?.reserve).length).toBeGreaterThan(0);
    const again = replayLabels(m, cex.steps.map((s) => s.label)).trace;
    expect(again.violations.map((v) => v.property)).toContain('S1r');
  });

  test('the random engine finds it too, within the scenario length', () => {
    for (const seed of [1, 2]) {
      const r = randomCheck(slabModel, 'W2', { seed, runs: 10_000 });
      expect(r.failure?.property).toBe('S1r');
      expect(r.failure?.trace.steps.length).toBeLessThanOrEqual(SCENARIO.W2 ?? 0);
    }
  });

  test('the cause: with a recheck over every cache the same configuration explores completely, no violation', () => {
    const m = slabMachineFor({ ...slab.flagsOf('W2'), globalRecheck: true }, W2_CONFIG);
    const r = explore(m as unknown as AnyMachine);
    expect(r.complete).toBe(true);
    expect([...r.violated.keys()]).toEqual([]);
    expect(r.states).toBe(W2_GLOBAL_RECHECK_STATES);
  });
});

describe('harmless: V5 (per-CPU bitfield read-modify-write)', () => {
  const oneCpu: SlabConfig = { ...SMALL, cpus: 1 };
  test('its exhaustive configuration is §7 on one CPU', () => {
    expect(slab.variants.find((v) => v.name === 'V5')?.exploreConfig).toEqual(oneCpu);
  });
  test('passes the full BFS (one CPU: its contexts, shrink and node_mismatch are the other writers) and random runs', () => {
    expect(expectHolds(slabModel, 'V5').bfs?.states).toBe(V5_STATES);
  });

  test('it is harmless because of the exclusion: a store over a same-CPU allocation loses a page (S5)', () => {
    const m = slab.machine('V5', oneCpu);
    let s = m.init();
    // E0 grows a page and is between computing and storing the per-CPU word
    s = m.next(s, { type: 'new_slab', ctx: 'E0', cache: 0 });
    expect(s.ctxs.E0?.pc).toBe('load_freelist');
    expect(m.actions(s).some((a) => 'ctx' in a && a.ctx === 'P0')).toBe(false);
    // were P0 allowed to run on CPU0 now, E0's store would overwrite P0's CPU slab
    s = m.next(s, { type: 'new_slab', ctx: 'P0', cache: 0 });
    s = m.next(s, { type: 'load_freelist', ctx: 'P0', cache: 0 });
    expect(s.cpus[0]?.[0]?.page).toBe(1);
    const prev = s;
    s = m.next(s, { type: 'load_freelist', ctx: 'E0', cache: 0 });
    const s5 = m.properties.find((p) => p.name === 'S5');
    expect(s5?.kind === 'always' && s5.check({ prev, action: { type: 'load_freelist', ctx: 'E0', cache: 0 }, next: s })).toMatch(/page 1 is in 0 places/);
  });
});

describe('every slab property can fail', () => {
  const m = slab.machine('reference', SMALL);
  const check = (name: string, t: Transition<SlabState, SlabAction>): string | undefined => {
    const p = m.properties.find((x) => x.name === name);
    if (!p || p.kind === 'sometimes' || p.kind === 'eventually') throw new Error(`no safety property ${name}`);
    return p.check(t);
  };
  const s0 = m.init();
  const withReserve = (): SlabState => m.next(m.next(s0, { type: 'pressure', on: true }), { type: 'new_slab', ctx: 'E0', cache: 0 });

  test('S1 and S1r: a plain context handed a reserve object', () => {
    const prev = withReserve();
    const next: SlabState = { ...prev, ctxs: { ...prev.ctxs, P0: { ...prev.ctxs.P0!, held: [0] } } };
    const t = { prev, action: { type: 'slab_alloc', ctx: 'P0', cache: 0 } as const, next };
    expect(check('S1', t)).toMatch(/plain P0 received an object of reserve page 0/);
    expect(check('S1r', t)).toMatch(/plain P0 received/);
  });

  test('S1 and S2 judge by the allocator\'s answer (ghost fromReserve), not the design\'s flag: a lost flag cannot hide a leak', () => {
    const prev = withReserve();
    // a design bug that forgets the flag: the page came from the reserve, its flag says it did not
    const forgot = (x: SlabState): SlabState => ({ ...x, pages: x.pages.map((p) => (p ? { ...p, reserve: false } : p)) });
    const next: SlabState = { ...prev, ctxs: { ...prev.ctxs, P0: { ...prev.ctxs.P0!, held: [0] } } };
    const t = { prev: forgot(prev), action: { type: 'slab_alloc', ctx: 'P0', cache: 0 } as const, next: forgot(next) };
    expect(t.next.pages[0]).toMatchObject({ reserve: false, fromReserve: true });
    expect(check('S1', t)).toMatch(/plain P0 received an object of reserve page 0/);
    const page = { cache: 0, reserve: false, fromReserve: true, free: 0 };
    expect(check('S2', { next: { ...prev, pages: [page, page, page], ctxs: { ...prev.ctxs, E0: { ...prev.ctxs.E0!, held: [] } } } })).toMatch(/3 reserve slab pages/);
  });

  test('S1r: a flag cleared where no plain page allocation succeeded and no slab is free (P4)', () => {
    const p4 = slab.machine('W2', W2_CONFIG);
    const s1 = p4.next(p4.next(p4.next(p4.init(), { type: 'pressure', on: true }), { type: 'cache_alloc_refill', ctx: 'E0', cache: 0 }), { type: 'cache_grow', ctx: 'E0', cache: 0 });
    const s2 = p4.next(s1, { type: 'cache_alloc_refill', ctx: 'E0', cache: 0 });
    expect(s2.pages[0]?.reserve).toBe(true);
    const next: SlabState = { ...s2, pages: s2.pages.map((p) => (p ? { ...p, reserve: false } : p)) };
    const s1r = p4.properties.find((p) => p.name === 'S1r');
    expect(s1r?.kind === 'always' && s1r.check({ prev: s2, action: { type: '____cache_alloc', ctx: 'P0', cache: 0 }, next })).toMatch(/reserve flag of page 0 cleared/);
  });

  test('S2: reserve pages pinned beyond the bound; v3.6 SLAB arrays do it once an entitled context has allocated four objects', () => {
    const prev = withReserve();
    const page = { cache: 0, reserve: true, fromReserve: true, free: 0 };
    const pinned: SlabState = { ...prev, pages: [page, page, page], ctxs: { ...prev.ctxs, E0: { ...prev.ctxs.E0!, held: [] } } };
    expect(check('S2', { next: pinned })).toMatch(/3 reserve slab pages > ⌈0\/2⌉ \+ 2/);
    const r = explore(machineOf('W2', { ...W2_CONFIG, allocs: null }), { target: 'S2' });
    expect(r.counterexample?.violations.map((v) => v.property)).toContain('S2');
  });

  test('S2 read literally counts fragmentation: the reference keeps it within three allocations, not beyond', () => {
    const oneCpu3Pages: SlabConfig = { ...SMALL, cpus: 1, pages: 3, allocs: 3, shrinks: 0, mismatches: 0 };
    const within = explore(machineOf('reference', oneCpu3Pages));
    expect(within.complete).toBe(true);
    expect([...within.violated.keys()]).toEqual([]);
    // five allocations fill two reserve pages and start a third; freeing one object of each
    // leaves 3 reserve pages for 2 held objects: 3 > ⌈2/2⌉ + 1
    const beyond = explore(machineOf('reference', { ...oneCpu3Pages, allocs: null }), { target: 'S2' });
    expect(beyond.counterexample?.steps.filter((s) => s.info.ctx === 'E0').length).toBe(8);
    expect(beyond.counterexample?.violations.map((v) => v.message)).toContain('3 reserve slab pages > ⌈2/2⌉ + 1');
  });

  test('S3: an entitled allocation failing while the page allocator has pages', () => {
    const prev = { ...s0, ctxs: { ...s0.ctxs, E0: { ...s0.ctxs.E0!, pc: 'new_slab' as const } } };
    expect(check('S3', { prev, action: { type: 'new_slab', ctx: 'E0', cache: 0 }, next: s0 })).toMatch(/entitled E0 got NULL/);
  });

  test('S4: non-NUMA v3.6 SLAB fails a plain allocation with pressure off when a refill brings only tagged refs', () => {
    const prev = { ...s0, ctxs: { ...s0.ctxs, P0: { ...s0.ctxs.P0!, pc: 'new_slab' as const } } };
    expect(check('S4', { prev, action: { type: 'new_slab', ctx: 'P0', cache: 0 }, next: s0 })).toMatch(/plain P0 got NULL/);
    const r = explore(machineOf('W2', { ...W2_CONFIG, caches: 1, shrinks: 1 }), { target: 'S4' });
    const cex = r.counterexample;
    expect(cex?.violations.map((v) => v.property)).toContain('S4');
    expect(cex?.steps.map((s) => s.info.step)).toContain('shrink');
  });

  test('S5: an object lost', () => {
    const prev = withReserve();
    const next: SlabState = { ...prev, ctxs: { ...prev.ctxs, E0: { ...prev.ctxs.E0!, held: [] } } };
    expect(check('S5', { prev, action: { type: 'slab_free', ctx: 'E0', page: 0 }, next })).toMatch(/page 0 accounts for 1 objects, not k = 2/);
  });
});

describe('configurations', () => {
  test('parseConfig accepts the shipped configurations and names the first bad field', () => {
    expect(slab.parseConfig(JSON.parse(JSON.stringify(SMALL)))).toEqual(SMALL);
    expect(slab.parseConfig(JSON.parse(JSON.stringify(W2_CONFIG)))).toEqual(W2_CONFIG);
    expect(() => slab.parseConfig({ ...SMALL, k: 0 })).toThrow(/^slab config field 'k': .*>=1/);
    expect(() => slab.parseConfig({ ...SMALL, k: 1.5 })).toThrow(/^slab config field 'k'/);
    expect(() => slab.parseConfig({ ...SMALL, allocs: 9 })).toThrow(/^slab config field 'allocs': .*<=8/);
    expect(() => slab.parseConfig({ ...SMALL, pressure: 1 })).toThrow(/field 'pressure'/);
    expect(() => slab.parseConfig({ ...SMALL, extra: 1 })).toThrow(/unknown field 'extra'/);
    expect(() => slab.parseConfig({ ...SMALL, batch: 5 })).toThrow(/^slab config field 'batch': 5 exceeds limit 4/);
    const { limit: _, ...missing } = SMALL;
    expect(() => slab.parseConfig(missing)).toThrow(/^slab config field 'limit'/);
  });
  test('keys an object inherits are unknown fields like any other', () => {
    for (const key of ['toString', '__proto__', 'constructor']) expect(() => slab.parseConfig(JSON.parse(`{${JSON.stringify(SMALL).slice(1, -1)},"${key}":1}`))).toThrow(`slab config has unknown field '${key}'`);
  });
});

describe('replay', () => {
  test('a random counterexample replays by action labels to the identical trace', () => {
    const r = randomCheck(slabModel, 'V2', { seed: 7, runs: 1_000 });
    const f = r.failure;
    expect(f).toBeDefined();
    if (!f) return;
    const again = replayLabels(slabModel.machine('V2', f.config), f.trace.steps.map((s) => s.label)).trace;
    expect(JSON.stringify(again)).toBe(JSON.stringify(f.trace));
    expect(f.trace.steps.every((s) => s.label === actionLabel(s.action))).toBe(true);
  });
});

/** Pinned reference state counts of the family (model/slab/family.ts). */
familyTests(slabModel, {
  'one-cpu': 1736,
  'k-one': 448,
  'k-three': 686,
  'pages-zero': 4,
  'pages-one': 136,
  'pages-three': 2514,
  'pressure-always-on': 112,
  'pressure-never': 448,
  'pressure-one-toggle': 980,
  'no-shrink-no-mismatch': 434,
  'shrinks-two': 1574,
  'allocs-one': 186,
  'allocs-zero': 4,
  'two-caches': 1694,
  'two-cpus-migrate': 4583,
  'migrate-one-page': 406,
  'two-cpus-three-pages': 571,
  'pressure-two-toggles': 164,
});
