/**
 * CMM balloon made hotplug-aware (spec 02): the reference holds under both
 * engines with every witness reached; V1, robert, V2 and W1–W5 are found by
 * both engines on every seed of the `ci` budget (10 seeds: `mmcheck ci
 * --profile deep`) with the property spec 02 names, in the
 * scenario shapes of §6/§6b (W1's lock cycle, W3's unlock of a free mutex,
 * Robert's two cases, W5's NULL dereference and skipped array); V3 breaks
 * no safety property and shows metric B10 > 0; every property can fail;
 * the symmetry-reduced view is sound.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../cli/main.js';
import { saveCounterexample } from '../../reports/counterexample.js';
import { actionLabel, type AnyMachine, type AnyModel, type Transition } from '../contract.js';
import { SMALL } from './config.js';
import { balloon, balloonMachine, balloonModel, geometry } from './model.js';
import { balloonMetrics } from './properties.js';
import type { BalloonAction, BalloonConfig, BalloonState } from './state.js';
import { balloonView, pageClasses } from './symmetry.js';
import { startOffline } from '../kernel/hotplug.js';
import { replayLabels, runTrace } from '../../properties/check.js';
import { explore } from '../../properties/explore.js';
import { randomSearch as randomCheck } from '../../shrinkers/search.js';
import { buggyVariants, expectCaught, expectedProperty, expectHolds, machineOf as machineOfModel, shortestOf, HOLDS_BUDGET, HOLDS_RANDOM_BUDGET } from '../../test/variants.js';
import { exploreFamily } from '../../properties/family.js';

/**
 * Random-engine budgets of this file's own runs: schedules of up to 120 steps
 * (a §7 scenario takes at most 22; the default 200 only doubles the cost of a
 * run) and 100 fast-check shrink steps before the minimizer (which does the
 * rest). The variant checks run as the gate does, with the defaults.
 */
const RANDOM = { maxSteps: 120, maxShrinks: 100 } as const;
const expected = (name: string): string => expectedProperty(balloonModel, name) ?? '';

const CAP_ONE = balloonModel.family?.find((m) => m.name === 'cap-one-page');
if (!CAP_ONE) throw new Error('balloon family: no member cap-one-page');
/**
 * The model as this file checks its buggy variants: V1 explored on the family
 * member whose one-page cap makes the late loan show at once (2,112 states
 * to a 30-step trace) instead of §7 (42,754 states to 26 steps, the largest
 * exploration of this file's variant checks). V1 on §7 is
 * explorations.deep.test.ts; the gate still explores §7.
 */
const suiteModel: AnyModel = { ...balloonModel, variants: balloonModel.variants.map((v) => (v.name === 'V1' ? { ...v, exploreConfig: CAP_ONE.config } : v)) };
const machineOf = (variant: string, c?: BalloonConfig): AnyMachine => machineOfModel(balloonModel, variant, c);
/** The BFS of a variant's exploration configuration, stopped at its declared property (shared with its variant check). */
const bfsOf = (variant: string) => shortestOf(suiteModel, variant);

describe('balloon reference', () => {
  // the complete exploration of §7, with its pinned state count: explorations.deep.test.ts (npm run test:deep)
  test('random runs on every seed of the budget: no violation, every witness reached', () => {
    const r = expectHolds(balloonModel, 'reference', HOLDS_RANDOM_BUDGET).random;
    expect(r.map((x) => x.runs)).toEqual(HOLDS_BUDGET.seeds.map(() => HOLDS_BUDGET.runs));
    // random configurations may have an OOM event, which §7 leaves out: one witness more than the BFS
    expect(r.map((x) => [...x.witnesses.keys()].sort())).toEqual(HOLDS_BUDGET.seeds.map(() => ['alloc-paused', 'isolated-by-count', 'loan-resumed', 'offline-vetoed', 'offline-with-balloon', 'oom-freed']));
  });
});

describe('balloon buggy variants are found by both engines on every seed', () => {
  for (const name of buggyVariants(balloonModel)) {
    // the check also holds each shrunk counterexample to twice the BFS-shortest of its own configuration
    test(`${name} violates ${expected(name)}`, () => {
      expectCaught(suiteModel, name);
    });
  }

  test('W1 is the ABBA cycle zone_lock ↔ cmm_lock, with the contexts holding each', () => {
    const r = bfsOf('W1');
    const msg = r.counterexample?.violations.find((x) => x.property === 'deadlock')?.message ?? '';
    expect(msg).toMatch(/H holds [^;]*zone_lock[^;]* and waits for cmm_lock, held by O/);
    expect(msg).toMatch(/O holds cmm_lock and waits for zone_lock, held by H/);
    // the spec's scenario: O in F2 frees under cmm_lock, offline step 1 holds zone_lock, I waits
    const steps = r.counterexample?.steps.map((s) => `${s.info.ctx}:${s.info.step}`) ?? [];
    expect(steps.slice(-3)).toEqual(['O:F2', 'O:F2', 'H:I1']);
  });

  test('W3 is an unlock of a mutex its context does not own (here: a free one)', () => {
    const r = bfsOf('W3');
    const msg = r.counterexample?.violations.find((x) => x.property === 'lock-discipline')?.message ?? '';
    expect(msg).toContain('H unlocks mutex hotplug_mutex');
    // the priority-5 callback vetoed: CMM's G1 never ran, CANCEL_OFFLINE still reached U1
    const labels = r.counterexample?.steps.map((s) => s.label) ?? [];
    expect(labels).toContain('cb(id="other5",veto=true)');
    expect(labels).not.toContain('G1');
    expect(labels[labels.length - 1]).toBe('U1');
  });

  test('W2 sleeps in G5 under cmm_lock; W4 goes on to step 4 after a +ENOMEM; W5 dereferences NULL in G4', () => {
    const last = (variant: string) => {
      const r = bfsOf(variant);
      const step = r.counterexample?.steps.at(-1);
      return { label: step?.label, step: step?.info.step, message: r.counterexample?.violations.find((v) => v.property === expected(variant))?.message };
    };
    expect(last('W2')).toMatchObject({ step: 'G5', message: expect.stringContaining('while holding spinlock cmm_lock') as string });
    // G5's failed allocation returns +ENOMEM: the walk stops, to_errno gives 0, the offline runs on to check_pages_isolated
    expect(last('W4')).toMatchObject({ label: 'G5(pb=null)', message: expect.stringContaining('went on to check') as string });
    expect(last('W5')).toMatchObject({ step: 'G3', message: expect.stringContaining('NULL') as string });
  });
});

describe('Robert’s second case: the in-flight page lands in a MOVABLE pageblock of the block', () => {
  test('G4 misses the page ALLOC holds (A2 before the offline got there), step 4 finds it busy: B6 without its ALLOC clause fails, B6 holds', () => {
    // pageblock 0 is full of loaned pages (isolation passes, and no page of it can be in flight): only pageblock 1 (MOVABLE) can get one
    const c: BalloonConfig = { ...SMALL, preload: [[4, 0, 1]], loanRequests: [3], minMem: 2, onlineEvents: 0, vetoCallback: false, allocFail: false };
    const r = explore(balloonModel.machine('robert', c), { target: 'B6' });
    expect(r.counterexample?.violations.find((v) => v.property === 'B6')?.message).toMatch(/busy pages at step 4 .*ALLOC clause Robert drops/);
    const labels = r.counterexample?.steps.map((x) => x.label) ?? [];
    // A2 took a page of pageblock 1 before G4 ran; it is still in ALLOC's hands (or listed after G6) at step 4
    expect(labels.indexOf('A1(pb=1)')).toBeGreaterThanOrEqual(0);
    expect(labels.indexOf('A1(pb=1)')).toBeLessThan(labels.indexOf('G3'));
    expect(labels.at(-1)).toBe('check');
    // the reference's B6 (with the clause) accepts the same run
    expect(replayLabels(balloonModel.machine('reference', c), labels).trace.violations).toEqual([]);
  });
});

describe('W5’s second case: the array after an emptied head is skipped', () => {
  test('[A:{p}] → [B:{q1,q2}], all in the block: q1, q2 stay loaned and step 4 fails (B6); the fixed scan unloans them', () => {
    // list pages in block 1, entries p = 0, q1 = 2, q2 = 3 in block 0, CMM_NR_PAGES = 2
    const c: BalloonConfig = { ...SMALL, preload: [[4, 0], [5, 2, 3]], loanRequests: [0], onlineEvents: 0 };
    const r = explore(balloonModel.machine('W5', c), { target: 'B6' });
    expect(r.counterexample?.violations.find((v) => v.property === 'B6')?.message).toMatch(/busy pages at step 4/);
    const labels = r.counterexample?.steps.map((x) => x.label) ?? [];
    const last = r.counterexample?.steps.at(-1)?.state as BalloonState;
    expect(last.list).toEqual([{ meta: 5, entries: [2, 3] }]);
    // the same steps with the fixed scan: everything is unloaned and the offline goes on
    const ref = replayLabels(balloonModel.machine('reference', c), labels).trace;
    expect(ref.violations).toEqual([]);
    expect((ref.steps.at(-1)?.state as BalloonState).list).toEqual([]);
    expect((ref.steps.at(-1)?.state as BalloonState).H.op?.phase).toBe('offline-pages');
  });
});

describe('balloon harmless variant V3 and metric B10', () => {
  // V3's complete exploration of §7: explorations.deep.test.ts
  test('V3 (CMM above the vetoing callback) violates no property in the random runs of every seed', () => {
    expectHolds(balloonModel, 'V3', HOLDS_RANDOM_BUDGET);
  });

  test('V3 unloans pages in offlines that the veto then cancels (B10 > 0); the reference does not', () => {
    // same schedule: loan two pages in block 0, offline block 0, priority-5 callback vetoes
    const script = (variant: string): BalloonState => {
      const m = balloonMachine(variant, SMALL);
      const plan = ['hv', 'T1', 'T5', 'A1(pb=0)', 'A4(pb=2)', 'A4_lock', 'A1(pb=1)', 'A3', 'offline(b=0)', 'I1', 'isolate_check', 'isolate'];
      let s = replayLabels(m, plan).trace.steps.at(-1)?.state as BalloonState;
      // drive the hotplug task to the end, the priority-5 callback vetoing
      for (let i = 0; i < 30 && s.H.op; i++) {
        const acts = m.actions(s).filter((a) => a.type !== 'hv' && ['cb', 'G1', 'G3', 'G5', 'G6', 'U1', 'check', 'undo', 'scan', 'isolate', 'I1', 'isolate_check'].includes(a.type));
        const a = acts.find((x) => x.type !== 'cb' || (x as { veto: boolean }).veto) ?? acts[0];
        if (!a) break;
        s = m.next(s, a);
      }
      expect(s.H.op).toBeNull();
      return s;
    };
    expect(balloonMetrics(script('V3')).B10).toBe(2);
    expect(balloonMetrics(script('reference')).B10).toBe(0);
  });
});

describe('every balloon property can fail', () => {
  const m = balloonMachine('reference', SMALL);
  const s0 = m.init();
  const check = (name: string, t: Transition<BalloonState, BalloonAction>): string | undefined => {
    const p = m.properties.find((x) => x.name === name);
    if (!p || p.kind === 'sometimes' || p.kind === 'eventually') throw new Error(name);
    return p.check(t);
  };
  const loaned = replayLabels(m, ['hv', 'T1', 'T5', 'A1(pb=0)', 'A4(pb=2)', 'A4_lock']).trace.steps.at(-1)?.state as BalloonState;

  test('B1: loaned must count the entries; totalram + loaned the online pages', () => {
    expect(check('B1', { next: loaned })).toBeUndefined();
    expect(check('B1', { next: { ...loaned, loaned: 2 } })).toMatch(/loaned = 2/);
    expect(check('B1', { next: { ...loaned, totalram: 8 } })).toMatch(/totalram 8/);
  });

  test('B2: duplicate entries, a non-full older array, a list page in an offline block', () => {
    expect(check('B2', { next: loaned })).toBeUndefined();
    const list = loaned.list;
    expect(check('B2', { next: { ...loaned, list: [{ meta: 4, entries: [0, 0] }] } })).toMatch(/twice/);
    const pages = loaned.pages.map((x, p) => (p === 5 ? 'meta' : x));
    expect(check('B2', { next: { ...loaned, pages, list: [...list, { meta: 5, entries: [] }] } })).toMatch(/not the head/);
    expect(check('B2', { next: { ...loaned, blocks: [{ state: 'offline', present: false }, loaned.blocks[1] as BalloonState['blocks'][number]] } })).toMatch(/offline block/);
  });

  test('B8: I may count only CMM pages of the pageblock', () => {
    const s1 = m.next(loaned, { type: 'offline', b: 0 });
    const s2 = m.next(s1, { type: 'I1' });
    const t = { prev: s1, action: { type: 'I1' } as BalloonAction, next: s2 };
    expect(check('B8', t)).toBeUndefined();
    const op = s2.H.op;
    if (!op) throw new Error('no op');
    expect(check('B8', { ...t, next: { ...s2, H: { ...s2.H, op: { ...op, pagesFound: 2 } } } })).toMatch(/counted 2/);
  });

  test('B7: a set-loaned error leaves an empty head array where FREE stops (the kernel’s own behaviour)', () => {
    const c: BalloonConfig = { ...SMALL, hvErrors: true, oomEvents: 1, offlineEvents: 0, onlineEvents: 0 };
    const r = explore(balloonModel.machine('reference', c), { target: 'B7' });
    expect(r.counterexample?.violations.map((v) => v.property)).toContain('B7');
    expect(r.counterexample?.steps.map((s) => s.label)).toContain('A5');
  });

  test('Q-inflight: no page in flight at quiescence', () => {
    expect(check('Q-inflight', { next: s0 })).toBeUndefined();
    expect(check('Q-inflight', { next: { ...s0, pages: ['inflight', ...s0.pages.slice(1)] } })).toMatch(/in flight/);
  });

  test('the variants fail B2, B3, B5, B6, B9 and the built-ins (see above); B4 is the built-in checks', () => {
    expect(new Set(balloon.variants.map((v) => (v.expect.kind === 'violates' ? v.expect.property : '')))).toEqual(
      new Set(['', 'B5', 'B6', 'deadlock', 'sleep-in-atomic', 'lock-discipline', 'B9', 'B2']),
    );
    // B3 fails with W3 at the same step as lock-discipline
    const r = explore(machineOf('W3'), { target: 'B3' });
    expect(r.counterexample?.violations.map((v) => v.property)).toEqual(['lock-discipline', 'B3']);
  });
});

describe('balloon symmetry reduction and replay', () => {
  test('the view is the same for states that differ by a permutation of interchangeable pages', () => {
    const c = SMALL;
    const g = geometry(c);
    const cls = pageClasses(c, g);
    // block 0: a class per pageblock; block 1 (never offlined): one class
    expect(cls.members).toEqual([[0, 1], [2, 3], [4, 5, 6, 7]]);
    const m = balloonMachine('reference', c);
    const r = runTrace(m, (i, acts) => acts[(i * 7919) % acts.length], 60);
    const perm = [1, 0, 3, 2, 7, 6, 5, 4];
    const mp = (p: number): number => perm[p] as number;
    for (const step of r.trace.steps) {
      const s = step.state as BalloonState;
      const pages = s.pages.slice();
      s.pages.forEach((x, p) => (pages[mp(p)] = x));
      const al = s.T.alloc;
      const fc = (f: BalloonState['O']['free']) => (f ? { ...f, frees: f.frees.map(mp) } : null);
      const t: BalloonState = {
        ...s,
        pages,
        list: s.list.map((a) => ({ meta: mp(a.meta), entries: a.entries.map(mp) })),
        T: { ...s.T, alloc: al ? { ...al, p: al.p === null ? null : mp(al.p), m: al.m === null ? null : mp(al.m), frees: al.frees.map(mp) } : null, free: fc(s.T.free) },
        O: { ...s.O, free: fc(s.O.free) },
        D: { ...s.D, free: fc(s.D.free) },
        H: { ...s.H, cmm: { ...s.H.cmm, frees: s.H.cmm.frees.map(mp) } },
      };
      expect(balloonView(t, cls)).toBe(balloonView(s, cls));
    }
    // a page moved across pageblocks of the offlined block is a different state
    const a = { ...m.init(), pages: m.init().pages.map((x, p) => (p === 0 ? 'other_pinned' : x)) } as BalloonState;
    const b = { ...m.init(), pages: m.init().pages.map((x, p) => (p === 2 ? 'other_pinned' : x)) } as BalloonState;
    expect(balloonView(a, cls)).not.toBe(balloonView(b, cls));
  });

  test('--no-symmetry also enumerates every allocation choice: the same reduced space either way, 3.6x more states unreduced', () => {
    // §7 without the offline keeps the test fast; every pageblock is then interchangeable with its block's others
    const c = { ...SMALL, offlineEvents: 0 };
    const states = (build: boolean, key: boolean): number => explore(balloonModel.machine('reference', c, { symmetry: build }), { symmetry: key }).states;
    expect(states(true, true)).toBe(1_452);
    // the pruned choices lead to states the canonical key merges anyway
    expect(states(false, true)).toBe(1_452);
    expect(states(false, false)).toBe(5_200);
  });

  test('a run that took a choice the pruning leaves out (--no-symmetry) replays: repro offers every choice', async () => {
    const c = { ...SMALL, offlineEvents: 0 };
    const all = balloonModel.machine('reference', c, { symmetry: false });
    const pruned = balloonModel.machine('reference', c);
    // take, where there is one, a choice the pruned machine does not offer (another pageblock of a class)
    const labels: string[] = [];
    let s = all.init();
    let outside = 0;
    for (let i = 0; i < 12; i++) {
      const acts = all.actions(s);
      const offered = new Set(pruned.actions(s).map(actionLabel));
      // else: the hypervisor's loan request first, then the balloon thread
      const a = acts.find((x) => !offered.has(actionLabel(x))) ?? (i === 0 ? acts[0] : acts[acts.length - 1]);
      if (!a) break;
      if (!offered.has(actionLabel(a))) outside++;
      labels.push(actionLabel(a));
      s = all.next(s, a);
    }
    expect(outside).toBeGreaterThan(0);
    expect(() => replayLabels(pruned, labels)).toThrow(/not enabled/);
    const r = replayLabels(all, labels);
    const dir = mkdtempSync(join(tmpdir(), 'mmcheck-balloon-'));
    const saved = saveCounterexample(dir, { model: 'balloon', variant: 'reference', engine: 'explore', seed: null, path: null, config: c, trace: r.trace, property: 'B1', spec: balloonModel.spec });
    const out: string[] = [];
    const code = await main(['repro', saved.json], (x) => out.push(x), (x) => out.push(`ERR ${x}`), null);
    expect(out.join('\n')).not.toMatch(/not enabled|ERR/);
    expect(out.at(-1)).toBe('no longer reproduces: B1 holds');
    expect(code).toBe(0);
  });

  test('the view covers every field of a hotplug operation', () => {
    const op = startOffline(0, 4, 2, { memoryChain: 'memory', isolateChain: 'isolate' });
    expect(Object.keys(op).sort()).toEqual(
      ['accepted', 'afterDrain', 'block', 'call', 'drain', 'isolateChain', 'isolated', 'memoryChain', 'nrPages', 'onlined', 'op', 'pageblock', 'pageblocks', 'pagesFound', 'phase', 'pmMutex', 'ret', 'retries', 'stateMutex', 'zoneLock'].sort(),
    );
  });

  test('a counterexample replays to the same trace; configurations round-trip through parseConfig', () => {
    const r = randomCheck(balloonModel, 'W1', { seed: 3, runs: 10_000, ...RANDOM });
    const f = r.failure;
    if (!f) throw new Error('W1 not found');
    const m = balloonModel.machine('W1', balloonModel.parseConfig(JSON.parse(JSON.stringify(f.config))));
    const back = replayLabels(m, f.trace.steps.map((s) => actionLabel(s.action)));
    expect(back.trace.violations).toEqual(f.trace.violations);
    expect(() => balloonModel.parseConfig({ ...SMALL, movable: [true] })).toThrow(/movable/);
  });
});

describe('balloon family (issue 15)', () => {
  /** Pinned reference states of every member (§7's reduction itself is pinned above). */
  const MEMBER_STATES: Record<string, number> = {
    'cap-one-page': 1_012,
    'cap-zero-pages': 16,
    'total-below-min-mem': 16,
    'negative-request': 7_128,
    'request-over-cap': 461,
    'one-entry-arrays': 906,
    'three-entry-arrays': 8_400,
    oom: 6_774,
    'oom-during-offline': 20_788,
    'offline-retry': 1_882,
    'veto-at-priority-0': 1_066,
    'no-veto-no-alloc-failure': 750,
    'other-allocations': 5_530,
    disable: 3_954,
    'pinned-and-movable-pages': 1_002,
    'preloaded-balloon': 47,
    'offline-movable-block': 1_484,
  };
  const family = balloon.family ?? [];

  test('the reference holds on every member, complete, pinned counts', () => {
    const f = exploreFamily(balloonModel, 'reference');
    expect(f.summary).toBe('reference holds on the family (17 of 17 members complete)');
    expect(Object.fromEntries(f.outcomes.map((o) => [o.member, o.states]))).toEqual(MEMBER_STATES);
  });

  test.each([
    ['V1', 'B5', 'cap-one-page'],
    ['robert', 'B6', 'one-entry-arrays'],
    ['V2', 'B6', 'cap-one-page'],
    ['W1', 'deadlock', 'disable'],
    ['W2', 'sleep-in-atomic', 'offline-movable-block'],
    ['W3', 'lock-discipline', 'offline-retry'],
    ['W4', 'B9', 'veto-at-priority-0'],
    ['W5', 'B2', 'one-entry-arrays'],
  ])('%s (%s) is caught on the member %s too (besides its exploration configuration)', (variant, property, member) => {
    const m = family.find((x) => x.name === member);
    if (!m) throw new Error(`no member ${member}`);
    expect(explore(machineOf(variant, m.config), { target: property }).counterexample?.violations.map((v) => v.property)).toContain(property);
  });
});
