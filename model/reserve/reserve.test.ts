/**
 * Reserve accounting suite (spec 04 §5 R1–R5, L1, L2): the reference holds
 * under both engines with every witness reached, each buggy variant is found
 * by both engines on every seed of the `ci` budget with its declared property
 * (10 seeds: `mmcheck ci --profile deep`), the harmless
 * V6 and the F1 fix pass, finding F1 (a shrinking set) is shown, and every
 * property is shown able to fail.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine, AnyModel, Transition } from '../contract.js';
import { actionLabel } from '../contract.js';
import { canonical } from '../canonical.js';
import { PAGE, parseReserveConfig, reserveShrinkRandomConfig, SMALL } from './config.js';
import { kmallocEstimatePages, UNITS7 } from './estimate.js';
import { encodeState, reserve, reserveModel, SHRINK_CONFIG } from './model.js';
import type { ReserveAction, ReserveState } from './state.js';
import { replayLabels } from '../../properties/check.js';
import { explore } from '../../properties/explore.js';
import { runSchedule } from '../../properties/random.js';
import { randomSearch as randomCheck } from '../../shrinkers/search.js';
import { seeds } from '../../properties/suite.js';
import { buggyVariants, expectCaught, expectedProperty, expectHolds, shortestOf, HOLDS_BUDGET, HOLDS_RANDOM_BUDGET, SUITE_BUDGET } from '../../test/variants.js';
import { familyTests } from '../../test/family.js';

const propertyOf = (name: string): string => expectedProperty(reserveModel, name) ?? '';

const RAISES = reserveModel.family?.find((m) => m.name === 'set-raises-limit-for-waiter');
if (!RAISES) throw new Error('reserve family: no member set-raises-limit-for-waiter');
/**
 * The model as this file checks its buggy variants: W2 explored on the
 * family member made for it (397 states to its shortest, 11 steps) instead of
 * §7 (72,317 states to its shortest, 14 steps: a third of this file's time).
 * W2 on §7 is explorations.deep.test.ts; the gate still explores §7.
 */
const suiteModel: AnyModel = { ...reserveModel, variants: reserveModel.variants.map((v) => (v.name === 'W2' ? { ...v, exploreConfig: RAISES.config } : v)) };

describe('reserve reference', () => {
  // the complete exploration of §7, with its pinned state count: explorations.deep.test.ts (npm run test:deep)
  test('random runs on every seed of the budget: no violation, every witness reached', () => {
    const r = expectHolds(reserveModel, 'reference', HOLDS_RANDOM_BUDGET).random;
    expect(r.map((x) => x.runs)).toEqual(HOLDS_BUDGET.seeds.map(() => HOLDS_BUDGET.runs));
    expect(r.map((x) => [...x.witnesses.keys()].sort())).toEqual(HOLDS_BUDGET.seeds.map(() => ['pool-served', 'set-changed-root', 'woken-by-free']));
  });
});

describe('reserve buggy variants are found by both engines on every seed', () => {
  for (const name of buggyVariants(reserveModel)) {
    test(`${name} violates ${propertyOf(name)}`, () => {
      expectCaught(suiteModel, name);
    });
  }

  test('V3-never: once R2 is set aside, both engines find the starving waiter (L1, "stuck waiter")', () => {
    // the free side never uncharges, so R2 breaks at the first emergency free; the spec names the consequence, L1
    const withoutR2: AnyModel = {
      ...reserveModel,
      variants: reserveModel.variants.map((v) => (v.name === 'V3-never' ? { ...v, expect: { kind: 'violates', property: 'L1' } } : v)),
      machine: (variant, config) => {
        const m = reserveModel.machine(variant, config);
        return { ...m, properties: m.properties.filter((p) => p.name !== 'R2') };
      },
    };
    // a copy of the model the deep profile does not run: it keeps its 10 seeds here
    const r = expectCaught(withoutR2, 'V3-never', { ...SUITE_BUDGET, seeds: seeds(10) });
    expect(r.bfs?.counterexample?.violations.find((x) => x.property === 'L1')?.message).toMatch(/^stuck waiter: E1 sleeps in K5/);
    for (const x of r.random) expect(x.failure?.message).toMatch(/^stuck waiter/);
  });

  test('the shortest counterexamples have the shape the spec describes', () => {
    const shortest = (variant: string) => shortestOf(suiteModel, variant).counterexample;
    // V4: GFP_ATOMIC digs into the pool once a regular allocation and pressure(2) bring free to 3
    expect(shortest('V4')?.steps.map((s) => `${s.info.ctx}:${s.info.step}`)).toEqual(['E1:K0', 'env:pressure', 'P:K0']);
    // W5: a size-1 request lands in the 2-unit cache but K3 charges 1; R2 charges each object for its
    // cache (roundup_pow_of_two(ksize) = 2, the oracle's), so the bug shows at the charge, before any
    // free uncharges 2 (when R2 read the model's own record of the charge, it showed only at that free)
    const w5 = shortest('W5');
    expect(w5?.violations.find((x) => x.property === 'R2')?.message).toBe('usage of r is 1 but its outstanding charges sum to 2');
    expect(w5?.steps.at(-1)?.info.step).toBe('K3');
    // W1: the strict `<` keeps a 4-unit charge out at usage 4, limit 8
    expect(shortest('W1')?.violations.find((x) => x.property === 'L1')?.message).toMatch(/charge of 4 on r \(usage 4, truly charged 4, limit 8\)/);
    // W2 (on its member; §7's is explorations.deep.test.ts): the set raised the limit to 8 with the waiter still asleep
    const w2 = shortest('W2');
    expect(w2?.violations.find((x) => x.property === 'L1')?.message).toMatch(/limit 8\) and nothing will wake it/);
    expect(w2?.steps.at(-1)?.info.step).toBe('A3');
    expect(w2?.steps).toHaveLength(11);
    // W3: the leaked charge of a failed K7
    const w3 = shortest('W3');
    expect(w3?.steps.at(-1)?.info.step).toBe('K7');
    expect(w3?.violations.find((x) => x.property === 'R2')?.message).toMatch(/^usage of r is 8 but its outstanding charges sum to 4/);
  });
});

describe('reserve harmless variant and the fix of finding F1', () => {
  // V6's complete exploration, and the reference's on the same configuration: explorations.deep.test.ts
  test('V6 ("reserve = pages") passes the random engine on every seed', () => {
    expectHolds(reserveModel, 'V6', HOLDS_RANDOM_BUDGET);
  });

  test('finding F1: with a set that shrinks r, the reference admits charges against a limit the pool no longer backs', () => {
    // BFS: the smallest shrinking configuration, R3
    const bfs = explore(reserveModel.machine('reference', SHRINK_CONFIG), { target: 'R3' });
    const cex = bfs.counterexample;
    expect(cex?.violations.map((x) => x.property)).toContain('R3');
    // the window: A1 has lowered root.pages, A3 has not yet lowered r's limit
    const last = cex?.steps.at(-1)?.state as ReserveState | undefined;
    expect(cex?.steps.some((s) => s.info.step === 'A1')).toBe(true);
    expect(cex?.steps.some((s) => s.info.step === 'A3')).toBe(false);
    expect(last?.nodes.root.pages).toBe(1);
    expect(last?.nodes.r.limit).toBe(8);
    // random: every seed finds it, as R3 (pool pages over root.pages) or L2 (the pool, already shrunk, is gone)
    const shrinking: AnyModel = {
      ...reserveModel,
      variants: [{ name: 'reference', summary: 'reference, a set may shrink r', expect: { kind: 'violates', property: 'R3' }, randomConfig: reserveShrinkRandomConfig }],
    };
    for (const seed of seeds(10)) {
      const r = randomCheck(shrinking, 'reference', { seed, runs: 3_000 });
      expect(['R3', 'L2']).toContain(r.failure?.property);
      const steps = r.failure?.trace.steps ?? [];
      const a1 = steps.findIndex((s) => s.info.step === 'A1');
      expect(a1).toBeGreaterThanOrEqual(0);
      expect(steps.slice(a1).some((s) => s.info.step === 'A3')).toBe(false);
      expect(steps.length).toBeLessThanOrEqual(2 * (cex?.steps.length ?? 0) + 4);
    }
  });

  test('F1 (limits lowered first on a shrink) holds on the shrinking configuration under both engines', () => {
    expectHolds(reserveModel, 'F1');
  });
});

describe('every reserve property can fail', () => {
  const m = reserve.machine('reference', SMALL);
  const s0 = m.init();
  const check = (name: string, t: Transition<ReserveState, ReserveAction>): string | undefined => {
    const p = m.properties.find((x) => x.name === name);
    if (!p || p.kind === 'sometimes' || p.kind === 'eventually') throw new Error(`no safety property ${name}`);
    return p.check(t);
  };
  const idle = { pc: 'idle' as const, cache: 0, amount: 0, charged: 0, asleep: false, left: 2 };

  test('R1: a negative usage, and a charge admitted over the limit', () => {
    expect(check('R1', { next: { ...s0, nodes: { ...s0.nodes, r: { ...s0.nodes.r, usage: -1 } } } })).toMatch(/usage of r is -1/);
    const prev = { ...s0, nodes: { ...s0.nodes, r: { ...s0.nodes.r, usage: 6 } }, ctx: { ...s0.ctx, E1: { ...idle, pc: 'K3' as const, cache: 4, amount: 4 } } };
    const next = { ...prev, nodes: { ...prev.nodes, r: { ...prev.nodes.r, usage: 10 } }, ctx: { ...prev.ctx, E1: { ...idle, pc: 'K7' as const, cache: 4, amount: 4, charged: 4 } } };
    expect(check('R1', { prev, action: { type: 'K3', ctx: 'E1' }, next })).toMatch(/K3 charged 4 on r with usage 6, limit 8/);
  });

  test('R2 computes each charge from the object\'s cache (accounting-oracle.ts), not from what the model recorded it charged', () => {
    // a charge path that charges and records 1 unit for a 2-unit object agrees with itself: usage 1, recorded 1
    const obj = { cache: 2, emerg: true, pool: false, res: 'r' as const, charged: 1, n: 1 };
    const s = { ...s0, nodes: { ...s0.nodes, r: { ...s0.nodes.r, usage: 1 } }, objs: [obj] };
    expect(check('R2', { next: s })).toMatch(/usage of r is 1 but its outstanding charges sum to 2/);
    // a context in K7 holds the charge of its cache whatever its own `charged` says
    const held = { ...s0, nodes: { ...s0.nodes, r: { ...s0.nodes.r, usage: 0 } }, ctx: { ...s0.ctx, E1: { ...idle, pc: 'K7' as const, cache: 4, amount: 4, charged: 0 } } };
    expect(check('R2', { next: held })).toMatch(/usage of r is 0 but its outstanding charges sum to 4/);
  });

  test('zone-pages: an object whose slab page never left the zone (page accounting no other property judged)', () => {
    const obj = { cache: 4, emerg: false, pool: false, res: null, charged: 0, n: 1 };
    expect(check('zone-pages', { next: { ...s0, objs: [obj] } })).toMatch(/6 free \+ 0 other users' \+ 1 slab pages = 7, not the zone's 6/);
    expect(check('zone-pages', { next: { ...s0, zone: { ...s0.zone, free: 5 }, objs: [obj] } })).toBeUndefined();
  });

  test('setter-result: a set returning ok with r not at the size asked, a result the spec does not name, a swapoff leaving r linked', () => {
    const running = { ...s0.tree.S1!, kind: 'set' as const, pc: 'A3' as const, value: 3 };
    const prev = { ...s0, tree: { ...s0.tree, S1: running } };
    const ended = (result: 'ok' | 'ENOMEM' | 'EEXIST', r = s0.nodes.r) => ({ ...s0, nodes: { ...s0.nodes, r }, tree: { ...s0.tree, S1: { ...s0.tree.S1!, kind: 'set' as const, result } } });
    // r keeps 2 pages and limit 8 where 3 pages (12 units) were asked for
    expect(check('setter-result', { prev, action: { type: 'A3', ctx: 'S1' }, next: ended('ok') })).toMatch(/set of 3 \(pages setter\) left r with 2 pages, limit 8; asked for 3 pages, limit 12/);
    expect(check('setter-result', { prev, action: { type: 'A3', ctx: 'S1' }, next: ended('ok', { ...s0.nodes.r, own: 3, ownLimit: 12 }) })).toBeUndefined();
    expect(check('setter-result', { prev, action: { type: 'A3', ctx: 'S1' }, next: ended('EEXIST') })).toMatch(/set by S1 returned EEXIST/);
    expect(check('setter-result', { prev, action: { type: 'A3', ctx: 'S1' }, next: ended('ENOMEM') })).toBeUndefined();
    const m2 = reserve.machine('reference', { ...SMALL, sets: 0, swapons: 1, swapoffs: 1 });
    const w0 = m2.init();
    const p2 = m2.properties.find((x) => x.name === 'setter-result');
    const off = { ...w0, tree: { ...w0.tree, W: { ...w0.tree.W!, kind: 'swapoff' as const, pc: 'UL' as const } } };
    const check2 = p2 && p2.kind === 'always' ? p2.check : () => 'missing';
    expect(check2({ prev: off, action: { type: 'UL', ctx: 'W' }, next: { ...w0, tree: { ...w0.tree, W: { ...w0.tree.W!, kind: 'swapoff', result: 'ok' } } } })).toBe('swapoff returned ok with r still linked');
  });

  test('L1: a waiter asleep although its charge fits is reported as a stuck waiter', () => {
    const s = { ...s0, ctx: { ...s0.ctx, E1: { ...idle, pc: 'K5' as const, cache: 4, amount: 4, asleep: true } } };
    expect(m.quiescent(s)).toBe(true);
    expect(check('L1', { next: s })).toBe('stuck waiter: E1 sleeps in K5 for a charge of 4 on r (usage 0, truly charged 0, limit 8) and nothing will wake it');
  });

  test('L2: an entitled K7 finding the zone empty while everyone stayed within the reserves', () => {
    const prev = { ...s0, zone: { ...s0.zone, free: 0 }, ctx: { ...s0.ctx, E2: { ...idle, pc: 'K7' as const, cache: 4, amount: 4 } } };
    const next = { ...prev, ctx: { ...prev.ctx, E2: idle } };
    expect(check('L2', { prev, action: { type: 'K7', ctx: 'E2' }, next })).toMatch(/E2's K7 found the zone empty/);
    // with pressure holding pages below the floor, the premise fails and L2 says nothing
    expect(check('L2', { prev: { ...prev, others: 6 }, action: { type: 'K7', ctx: 'E2' }, next })).toBeUndefined();
  });

  test('R5: var_free_kbytes out of step with root.pages, and a detached ADD that changes root', () => {
    expect(check('R5', { next: { ...s0, varFreeKb: 4 } })).toMatch(/root.pages = 2 but var_free_kbytes = 4/);
    const detached = { ...s0, nodes: { ...s0.nodes, r: { ...s0.nodes.r, parent: null } }, tree: { S1: { ...s0.tree.S1!, pc: 'A1' as const, target: 'r' as const } } };
    const next = { ...detached, nodes: { ...detached.nodes, root: { ...detached.nodes.root, pages: 3 } } };
    expect(check('R5', { prev: detached, action: { type: 'A1', ctx: 'S1' }, next })).toMatch(/on detached r changed root/);
  });
});

describe('reserve model plumbing', () => {
  test('enabled actions have distinct labels, and the state key separates what canonical JSON separates', () => {
    const m = reserveModel.machine('reference', { ...SMALL, swapons: 1, swapoffs: 1, sets: 1 }) as AnyMachine;
    const byKey = new Map<string, string>();
    let sched = 1;
    for (let run = 0; run < 200; run++) {
      const schedule = Array.from({ length: 40 }, () => (sched = (sched * 1103515245 + 12345) % 2147483648));
      const t = runSchedule(m, schedule).trace;
      for (const st of t.steps) {
        const labels = m.actions(st.state).map(actionLabel);
        expect(new Set(labels).size).toBe(labels.length);
        const k = encodeState(st.state as ReserveState);
        const c = canonical(st.state);
        expect(byKey.get(k) ?? c).toBe(c);
        byKey.set(k, c);
      }
    }
    expect(byKey.size).toBeGreaterThan(500);
  });

  test('actions come in a fixed order: the environment by rule, then each context mid-operation in configuration order', () => {
    // E1 is at K7 and E2 at K3: the rules list K3 before K7, but the contexts are offered E1, E2, then S1
    // (the order seeds, shortest counterexamples and pinned traces were recorded in)
    const m = reserve.machine('reference', SMALL);
    const s0 = m.init();
    const idle = s0.ctx.E1!;
    const s: ReserveState = {
      ...s0,
      ctx: { ...s0.ctx, E1: { ...idle, pc: 'K7', cache: 4, amount: 4, charged: 4 }, E2: { ...idle, pc: 'K3', cache: 4, amount: 4 } },
      tree: { S1: { ...s0.tree.S1!, pc: 'A1' } },
    };
    expect(m.actions(s).map(actionLabel)).toEqual(['alloc(ctx="P",size=1)', 'alloc(ctx="P",size=3)', 'alloc(ctx="P",size=4)', 'pressure(k=2)', 'K7(ctx="E1")', 'K3(ctx="E2")', 'A1(ctx="S1")']);
  });

  test('kmalloc_set sizes r with the 2009 estimate; swapon connects r and raises root', () => {
    // kmalloc_set(r, 4 units): pages ceil(2·4/4) + 1 = 3, limit 4
    const c = { ...SMALL, setKind: 'kmalloc' as const, setValues: [4], sets: 1 };
    const s = replayLabels(reserveModel.machine('reference', c) as AnyMachine, ['set(ctx="S1",value=4)', 'A1', 'A2', 'ADJ4', 'A3'].map((l) => (l.includes('(') ? l : `${l}(ctx="S1")`))).trace.steps.at(-1)?.state as ReserveState;
    expect(kmallocEstimatePages(UNITS7, 4)).toBe(3);
    expect(s.nodes.r.pages).toBe(3);
    expect(s.nodes.r.limit).toBe(4);
    expect(s.nodes.root.pages * 4).toBe(s.varFreeKb);
    const sw = { ...SMALL, connected: false, swapons: 1, swapoffs: 1, swaponPages: 2 };
    const labels = ['swapon', 'A1(ctx="W")', 'A2(ctx="W")', 'A3(ctx="W")', 'CN(ctx="W")', 'A1(ctx="W")', 'A2(ctx="W")', 'ADJ4(ctx="W")', 'A3(ctx="W")'];
    const on = replayLabels(reserveModel.machine('reference', sw) as AnyMachine, labels).trace.steps.at(-1)?.state as ReserveState;
    expect(on.nodes.r.parent).toBe('root');
    expect(on.nodes.root.pages).toBe(2);
    expect(on.nodes.root.limit).toBe(2 * PAGE);
    expect(on.zone.emerg).toBe(2);
  });

  test('the property names are the reference machine\'s, in the order properties.ts declares them, L1 once', () => {
    // derived by defineModel, never typed again: the safety form of L1 and its eventually form share the name
    expect(reserveModel.propertyNames).toEqual(['R1', 'zone-pages', 'R2', 'R3', 'R4', 'R5', 'setter-result', 'L1', 'L2']);
    expect(reserve.machine('reference', SMALL).properties.filter((p) => p.name === 'L1').map((p) => p.kind)).toEqual(['quiescent', 'eventually']);
  });

  test('parseConfig accepts §7 and names the first bad field', () => {
    expect(parseReserveConfig(JSON.parse(JSON.stringify(SMALL)))).toEqual(SMALL);
    expect(() => parseReserveConfig({ ...SMALL, sizes: [5] })).toThrow(/'sizes'/);
    expect(() => parseReserveConfig({ ...SMALL, extra: 1 })).toThrow(/unknown field 'extra'/);
    expect(() => parseReserveConfig({ ...SMALL, allocators: [{ id: 'S1', gfp: 0, entitled: false, allocs: 1 }] })).toThrow(/distinct/);
    // the schema's ranges and the checks across fields, each naming its field
    expect(() => parseReserveConfig({ ...SMALL, sets: 3 })).toThrow(/field 'sets'/);
    expect(() => parseReserveConfig({ ...SMALL, setValues: [] })).toThrow(/field 'setValues'/);
    expect(() => parseReserveConfig({ ...SMALL, allocators: [{ ...SMALL.allocators[0], allocs: -1 }] })).toThrow(/field 'allocators\[0\]\.allocs'/);
    // a page is 4096 in bytes: a size a page long passes there and fails in §7's units
    expect(parseReserveConfig({ ...SMALL, units: 'bytes', sizes: [96, 4096] }).sizes).toEqual([96, 4096]);
    expect(() => parseReserveConfig({ ...SMALL, sizes: [4096] })).toThrow(/'sizes'/);
  });

  test('parseConfig refuses the names Object.prototype carries, as any unknown field', () => {
    for (const raw of ['{"toString":1}', '{"constructor":1}', '{"__proto__":{"free":1}}']) expect(() => reserve.parseConfig(JSON.parse(raw))).toThrow(/^reserve config/);
    // beside a valid configuration too, where a lookup through the prototype would find them
    const small = JSON.stringify(SMALL);
    for (const key of ['toString', 'constructor', '__proto__']) expect(() => reserve.parseConfig(JSON.parse(`{"${key}":{},${small.slice(1)}`))).toThrow(`unknown field '${key}'`);
  });

  test('a random counterexample replays by action labels to the identical trace', () => {
    const r = randomCheck(reserveModel, 'W5', { seed: 7, runs: 1_000 });
    const f = r.failure;
    expect(f).toBeDefined();
    if (!f) return;
    const again = replayLabels(reserveModel.machine('W5', f.config) as AnyMachine, f.trace.steps.map((s) => s.label)).trace;
    expect(JSON.stringify(again)).toBe(JSON.stringify(f.trace));
  });
});

/** Pinned reference state counts of the family (model/reserve/family.ts). */
familyTests(reserveModel, {
  'bytes-extra-caches': 226,
  'bytes-class-edges': 38,
  'sizes-min-object': 57,
  'sizes-page-object': 104,
  'zone-at-floor': 250,
  'zone-above-floor': 515,
  'min-zero': 121,
  'r-zero-pages': 162,
  'r-one-page': 121,
  'no-pressure': 38,
  'pressure-and-reclaim': 744,
  'set-grow': 88,
  'set-same-size': 5,
  'set-kmalloc': 6,
  'two-sets': 28,
  'swap-off-and-on': 195,
  'starts-detached': 10,
  'set-raises-limit-for-waiter': 429,
  'two-requests-waiting': 41,
});

describe('reserve in bytes with the real kmalloc classes (issue 15 fidelity)', () => {
  const bytes = { ...SMALL, units: 'bytes' as const, pages: 1, sizes: [96, 192, 4096], sets: 0, reclaims: [] };

  test('a 96-byte object sits in the 96-byte cache and is charged roundup_pow_of_two(96) = 128; 192 is charged 256', () => {
    const m = reserveModel.machine('reference', { ...bytes, allocators: bytes.allocators.map((a) => ({ ...a, allocs: a.id === 'E1' ? 2 : 1 })) }) as AnyMachine;
    // two page-sized objects and the pressure leave the zone at its floor: the small requests go to K3
    const labels = ['alloc(ctx="E1",size=4096)', 'alloc(ctx="P",size=4096)', 'pressure(k=2)', 'alloc(ctx="E1",size=96)', 'K3(ctx="E1")', 'alloc(ctx="E2",size=192)', 'K3(ctx="E2")'];
    const s = replayLabels(m, labels).trace.steps.at(-1)?.state as ReserveState;
    expect(s.ctx.E1).toMatchObject({ cache: 96, amount: 128 });
    expect(s.ctx.E2).toMatchObject({ cache: 192, amount: 256 });
    expect(s.nodes.r.usage).toBe(384);
  });

  test('finding: r sized by the pages setter does not back two caches\' slabs — 384 bytes charged take two pool pages of root.pages 1 (R3)', () => {
    const twoRequests = { ...bytes, allocators: bytes.allocators.map((a) => (a.id === 'E1' ? { ...a, allocs: 2 } : { ...a, allocs: 1 })) };
    const r = explore(reserveModel.machine('reference', twoRequests), { target: 'R3' });
    expect(r.counterexample?.violations[0]?.message).toMatch(/2 pool pages held, root.pages 1, charges within the limits/);
  });
});
