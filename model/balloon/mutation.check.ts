/** balloon's mutation check (`npm run mutation -- balloon`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { SMALL } from './config.js';
import type { BalloonConfig, BalloonState } from './state.js';
import { balloonMachine, balloonModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';
import { checkStateKeys, SYMMETRY_CONFIGS } from './symmetry-oracle.js';
import { actionLabel } from '../contract.js';
import { mppTarget } from './mpp.js';
import { specTarget } from './mpp-oracle.js';
import { eachStep } from '../../test/steps.js';

/**
 * §7's shape with one page per pageblock (4 pages) and min_mem 3 pages (a
 * balloon of at most 1 entry): about 800 states, so a mutant's exploration
 * completes and is held to every witness (the offline with a balloon, the
 * vetoed offline, loaning resumed after an online, isolation by count,
 * allocation paused). §7's reduction itself (SMALL) has about 34,000.
 */
const CHECK: BalloonConfig = { ...SMALL, pagesPerPageblock: 1, initial: ['free', 'free', 'free', 'free'], minMem: 3 };

// Budgets for a check of a few seconds: the complete exploration above, its
// state count pinned (a mutant of the state space or of its key fails there,
// first); the family's members explored to a shallow bound (the complete
// explorations and the random runs go deep); each buggy variant looked for on
// the member where a BFS finds it in the fewest states. 30 random runs of 60
// steps seldom complete an offline with a balloon or resume loaning after
// one, so they are not held to the witnesses: the complete exploration is.
mutationSuite(balloonModel, {
  holdsConfig: CHECK,
  holdsMaxStates: 2_000,
  holdsStates: { reference: 812, V3: 892 },
  maxStates: 100,
  runs: 30,
  targetMaxStates: 3_000,
  randomWitnesses: false,
  targets: {
    V1: ['preloaded-balloon'],
    robert: ['request-over-cap'],
    V2: ['request-over-cap'],
    W1: ['negative-request'],
    W2: ['request-over-cap'],
    W3: ['preloaded-balloon'],
    W4: ['request-over-cap'],
    W5: ['request-over-cap'],
  },
});

/**
 * The OOM notifier's path (O1's FREE, O2, O3, and oom_freed lowering the
 * target) is in no configuration above but the members (explored shallow)
 * and the random runs: a complete exploration of it, 4 pages and a request
 * of 1 page, held to its witness, its state count pinned.
 */
const OOM: BalloonConfig = { ...CHECK, loanRequests: [1], oomEvents: 1, offlineEvents: 0, onlineEvents: 0, allocFail: false, vetoCallback: false };
test('reference holds on the OOM configuration, complete, oom-freed reached, state count pinned', () => {
  const r = explore(balloonMachine('reference', OOM), { maxStates: 2_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.witnesses.get('oom-freed')).toBe(true);
  expect(r.states).toBe(426);
});

/**
 * With symmetry off the machine offers every pageblock, not one per class,
 * and the engine keys states by the plain view: CHECK's exploration without
 * symmetry, its state count pinned (the reduced one is pinned above).
 */
test('reference holds on the check\'s configuration with symmetry off, state count pinned', () => {
  const r = explore(balloonMachine('reference', CHECK, { symmetry: false }), { maxStates: 2_000, symmetry: false });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.states).toBe(1_240);
});

/**
 * Paths CHECK leaves out, each explored completely, with no violation and its
 * state count pinned. CHECK caps the balloon at 1 entry, so ALLOC never
 * starts with pages loaned and FREE never leaves some (the sizes `target −
 * loaned` and `loaned − target`): a cap of 2 (min_mem 2 of 4 pages), the
 * request moving between 2 and 1, no hotplug, with the disable write, another
 * user's allocations, or plpar_page_set_loaned failing (A5; no member has
 * hv errors). And step 3's migration of a movable page out of the block,
 * which succeeds or finds no free page (a pinned page elsewhere).
 */
const NO_HOTPLUG: BalloonConfig = { ...CHECK, minMem: 2, loanRequests: [2, 1], offlineEvents: 0, onlineEvents: 0, vetoCallback: false };
test.each([
  ['a cap of 2 and the disable write', { ...NO_HOTPLUG, disable: true }, 513],
  ['a cap of 2 and other allocations', { ...NO_HOTPLUG, otherEvents: 1 }, 760],
  ['a cap of 2 and hv errors', { ...NO_HOTPLUG, hvErrors: true }, 342],
  ['a movable page to migrate', { ...CHECK, initial: ['free', 'other_movable', 'free', 'other_pinned'], onlineEvents: 0, allocFail: false, vetoCallback: false }, 324],
] as const)('reference holds with %s, state count pinned', (_, config, states) => {
  const r = explore(balloonMachine('reference', config), { maxStates: 2_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.states).toBe(states);
});

/**
 * Metric B10 (spec 02 §5: pages unloaned by offlines that end cancelled; V3
 * makes it positive) is no state key and no property, so the check judges it
 * here against a count of its own, over every schedule of two balloons that
 * start with entries in block 0 (the offline's): the pages the offline's G3
 * step (G4's search) took off the balloon, added when that offline ends with
 * its block still online. In V3 the priority-5 veto comes after G4; in the
 * reference G5 fails to replace a list page of the block after G4 ran.
 */
const B10_CONFIGS: readonly BalloonConfig[] = [
  { ...SMALL, minMem: 4, onlineEvents: 0, loanRequests: [0], preload: [[4, 0, 1], [5, 2, 3]] },
  { ...SMALL, minMem: 4, onlineEvents: 0, loanRequests: [0], preload: [[0, 1, 4]] },
];
test.each(['V3', 'reference'])('%s: metric B10 counts the pages unloaned by cancelled offlines', (variant) => {
  let most = 0;
  for (const config of B10_CONFIGS) {
    const m = balloonMachine(variant, config);
    type Node = { s: BalloonState; unloaned: number; b10: number };
    const seen = new Set<string>();
    const queue: Node[] = [{ s: m.init(), unloaned: 0, b10: 0 }];
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const key = `${JSON.stringify(n.s)}|${n.unloaned}|${n.b10}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const a of m.actions(n.s)) {
        const t = m.next(n.s, a);
        let { unloaned, b10 } = n;
        if (a.type === 'G3') unloaned += n.s.loaned - t.loaned;
        const op = n.s.H.op;
        if (op !== null && op.op === 'offline' && t.H.op === null) {
          if (t.blocks[op.block]?.state !== 'offline') b10 += unloaned;
          unloaned = 0;
        }
        expect(t.b10).toBe(b10);
        most = Math.max(most, b10);
        queue.push({ s: t, unloaned, b10 });
      }
    }
    expect(seen.size).toBeLessThan(5_000);
  }
  expect(most).toBeGreaterThan(0);
});

/**
 * The trace text of the rules is kept out of the mutation run; their lanes,
 * spec step names and kernel functions are judged here instead: every kind
 * of step, drawn where the configurations below reach it, in its lane with
 * the name spec 02 gives it (a FREE step in the lane of its caller).
 */
const LANES: Record<string, string> = {
  hv: 'env hv h_get_mpp', oom: 'O O1 cmm_oom_notify', disable: 'D disable cmm_set_disable', offline: 'H offline offline_pages', online: 'H online online_pages',
  other_alloc: 'env other_alloc __alloc_pages', other_free: 'env other_free __free_pages',
  T1: 'T T1 cmm_thread', T3_sleep: 'T T3 cmm_thread', T5: 'T T5 cmm_thread',
  A1: 'T A1 cmm_alloc_pages', A3: 'T A3 cmm_alloc_pages', A4: 'T A4 cmm_alloc_pages', A4_lock: 'T A4 cmm_alloc_pages', A5: 'T A5 cmm_alloc_pages', A6: 'T A6 cmm_alloc_pages', A_free: 'T A4 cmm_alloc_pages',
  F1: 'ctx F1 cmm_free_pages', F2: 'ctx F2 cmm_free_pages', F2_free: 'ctx F2 cmm_free_pages', F3: 'ctx F3 cmm_free_pages', F4: 'ctx F4 cmm_free_pages',
  O2: 'O O2 cmm_oom_notify', O3: 'O O3 cmm_oom_notify', D2: 'D disable cmm_set_disable',
  isolate: 'H offline.1 set_migratetype_isolate', I1: 'H I1 cmm_memory_isolate_cb', isolate_check: 'H offline.1 set_migratetype_isolate', cb: 'H offline.2 memory_notify',
  G1: 'H G1 cmm_memory_cb', G3: 'H G3 cmm_mem_going_offline', G5: 'H G5 cmm_mem_going_offline', G6: 'H G6 cmm_mem_going_offline', U1: 'H U1 cmm_memory_cb',
  scan: 'H offline.3 offline_pages', check: 'H offline.4 offline_pages', offline_pages: 'H offline.4 offline_pages', undo: 'H offline.5 undo_isolate_page_range',
  // online_pages is not here: an online request takes the whole sequence in one action (one hotplug task never waits in it)
};
test('every kind of step is drawn in its lane with the spec\'s step name and the kernel function', () => {
  const seen = new Map<string, string>();
  const walk = (variant: string, config: BalloonConfig): void =>
    eachStep(balloonMachine(variant, config), 1_500, (a, i) => {
      const ctx = (a as { readonly ctx?: unknown }).ctx;
      // a FREE step's lane is its caller's, named by the action
      seen.set(a.type, `${ctx !== undefined && i.ctx === ctx ? 'ctx' : i.ctx} ${i.step} ${i.fn}`);
    });
  walk('reference', CHECK);
  walk('reference', { ...NO_HOTPLUG, hvErrors: true, oomEvents: 1, disable: true, otherEvents: 2 });
  walk('reference', { ...CHECK, initial: ['free', 'other_movable', 'free', 'other_pinned'], onlineEvents: 0, allocFail: false, vetoCallback: false });
  walk('W1', { ...CHECK, oomEvents: 1, onlineEvents: 0 });
  expect(Object.fromEntries([...seen].sort())).toEqual(Object.fromEntries(Object.entries(LANES).sort()));
});

/**
 * Which context's weak fairness each step counts toward (liveness, B7; spec
 * 02 §4): the events — the hypervisor's request, an OOM, the disable write,
 * hotplug requests, other users' pages — are the environment's ('-'), which
 * eventually stops; every other step is its context's (a FREE step its
 * caller's). An allocation that fails (A1, A4, G5 with no page) while the
 * same step could also take a page is `allocFail`'s choice, the
 * environment's; one that fails because no page can be taken is the
 * context's own step. The oracle reads the latter from the steps offered,
 * not from the model's page bookkeeping.
 */
const CTX_OF: Readonly<Record<string, string>> = {
  hv: '-', oom: '-', disable: '-', offline: '-', online: '-', other_alloc: '-', other_free: '-',
  T1: 'T', T3_sleep: 'T', T5: 'T', A1: 'T', A3: 'T', A4: 'T', A4_lock: 'T', A5: 'T', A6: 'T', A_free: 'T',
  O2: 'O', O3: 'O', D2: 'D',
  isolate: 'H', I1: 'H', isolate_check: 'H', cb: 'H', G1: 'H', G3: 'H', G5: 'H', G6: 'H', U1: 'H', scan: 'H', check: 'H', offline_pages: 'H', undo: 'H',
};
test('every step counts toward its context\'s fairness, events and allocFail\'s failures toward none', () => {
  const wrong = new Set<string>();
  const kinds = new Set<string>();
  const walk = (variant: string, config: BalloonConfig): void => {
    const m = balloonMachine(variant, config);
    eachStep(m, 1_500, (a, _i, from) => {
      const x = a as { readonly type: string; readonly ctx?: unknown; readonly pb?: unknown };
      const failing = (x.type === 'A1' || x.type === 'A4' || x.type === 'G5') && x.pb === null;
      const alternative = failing && m.actions(from).some((b) => b.type === x.type && (b as { readonly pb?: unknown }).pb !== null);
      const want = failing && alternative ? '-' : typeof x.ctx === 'string' ? x.ctx : (CTX_OF[x.type] ?? `? ${x.type}`);
      const got = m.fairness ? (m.fairness(a, from) ?? '-') : 'none';
      kinds.add(`${x.type}${failing ? (alternative ? ' fails by choice' : ' fails') : ''}`);
      if (got !== want) wrong.add(`${x.type}${failing ? ` pb=null${alternative ? ' (a page could be taken)' : ''}` : ''}: ${String(got)}, not ${want}`);
    });
  };
  walk('reference', CHECK);
  walk('reference', { ...NO_HOTPLUG, hvErrors: true, oomEvents: 1, disable: true, otherEvents: 2 });
  walk('reference', { ...CHECK, initial: ['free', 'other_movable', 'free', 'other_pinned'], onlineEvents: 0, allocFail: false, vetoCallback: false });
  walk('W1', { ...CHECK, oomEvents: 1, onlineEvents: 0 });
  expect([...wrong]).toEqual([]);
  // both kinds of failure were met, and FREE steps of T and of O
  expect([...kinds].filter((k) => / fails/.test(k)).sort()).toEqual(expect.arrayContaining(['A1 fails', 'A1 fails by choice', 'A4 fails by choice']));
  expect(kinds.has('F1')).toBe(true);
});

/**
 * Where the quiescent property (Q-inflight) is judged: a state where no
 * context is mid-flight — T asleep (either sleep) or exited, O and D idle (D
 * also done), no hotplug request under way (spec 02 §4). The oracle below
 * is written from that sentence and compared with the machine's own
 * `quiescent` on every state of the check's exploration; a narrower
 * predicate would judge Q-inflight on fewer states, unseen by any verdict.
 */
test('the quiescent states are those where no context is mid-flight', () => {
  const oracle = (s: BalloonState): boolean =>
    ['sleep', 'sleep_hp', 'exited'].includes(s.T.pc) && s.O.pc === 'idle' && ['idle', 'done'].includes(s.D.pc) && s.H.op === null;
  let quiet = 0;
  let busy = 0;
  const wrong: string[] = [];
  const tPcs = new Set<string>();
  // CHECK whole (its offlines succeed, so T sleeps its hotplug_delay), and with an OOM and the disable write
  for (const config of [CHECK, { ...CHECK, oomEvents: 1, disable: true }]) {
    const m = balloonMachine('reference', config);
    eachStep(m, 3_000, (_a, _i, from) => {
      const want = oracle(from);
      if (m.quiescent(from) !== want) wrong.push(`T ${from.T.pc}, O ${from.O.pc}, D ${from.D.pc}, H ${from.H.op === null ? 'idle' : from.H.op.op}: ${String(!want)}, not ${String(want)}`);
      if (want) tPcs.add(from.T.pc);
      if (want) quiet++;
      else busy++;
    });
  }
  // each way T can be at rest was met at rest
  expect([...tPcs].sort()).toEqual(['exited', 'sleep', 'sleep_hp']);
  expect([...new Set(wrong)].slice(0, 5)).toEqual([]);
  expect(quiet).toBeGreaterThan(0);
  expect(busy).toBeGreaterThan(0);
});

/**
 * T4's target (mpp.ts) against B7's oracle (mpp-oracle.ts), on every
 * combination of small inputs: B7 judges the target only where the thread
 * reaches it in a liveness check, and the configurations above seldom meet
 * an OOM-freed count below the request or a total below min_mem.
 */
test('cmm_get_mpp agrees with B7\'s oracle on every small input', () => {
  const wrong: string[] = [];
  for (let totalram = 0; totalram <= 6; totalram++)
    for (let loaned = 0; loaned <= 4; loaned++)
      for (let loanRequest = -6; loanRequest <= 6; loanRequest++)
        for (let oomFreed = 0; oomFreed <= 4; oomFreed++)
          for (let minMem = 0; minMem <= 6; minMem++) {
            const s = { totalram, loaned, loanRequest, oomFreed };
            if (mppTarget(s, minMem) !== specTarget(s, minMem)) wrong.push(JSON.stringify({ ...s, minMem }));
          }
  expect(wrong.slice(0, 5)).toEqual([]);
});

/**
 * B5's allowance: G1 lets one A6 through, the one of an ALLOC iteration T
 * began before G1 (past A1's check, not yet at A6: at A2 — V1's A1 and A2
 * are two steps —, A3, A4, A5, or freeing a page on its way to A5). Only V1, whose ALLOC does not
 * hold hotplug_mutex, meets G1 inside an iteration, and V1 is caught by B5
 * either way; so the ghost is judged here, at every G1 of V1's exploration
 * of the check's configuration, against that definition.
 */
test('V1: G1 allows one A6 exactly when T is inside an iteration begun before it', () => {
  const m = balloonMachine('V1', SMALL);
  const open = (s: BalloonState): boolean => {
    const al = s.T.pc === 'alloc' ? s.T.alloc : null;
    return al !== null && (al.pc === 'A2' || al.pc === 'A3' || al.pc === 'A4_lock' || al.pc === 'A5' || (al.pc === 'A_free' && al.then === 'A5'));
  };
  const seen = new Set<boolean>();
  const wrong: string[] = [];
  eachStep(m, 6_000, (a, _i, from) => {
    if (a.type !== 'G1') return;
    const t = m.next(from, a);
    seen.add(open(from));
    if (t.pause.allowance !== open(from)) wrong.push(`T ${from.T.pc} ${from.T.alloc?.pc ?? ''}: allowance ${String(t.pause.allowance)}`);
  });
  expect([...new Set(wrong)].slice(0, 5)).toEqual([]);
  expect([...seen].sort()).toEqual([false, true]);
});

// FREE's steps are offered context by context (T, O, D; steps/free.ts freeByContext), as before the
// rules: random schedules and replay paths index this list. The rules alone would list O's F1 before T's F4.
test('the order steps are offered in: T\'s FREE before O\'s', () => {
  const m = balloonMachine('reference', { ...OOM, loanRequests: [1, -1] });
  let s = m.init();
  for (const a of [{ type: 'hv' }, { type: 'T1' }, { type: 'T5' }, { type: 'A1', pb: 0 }, { type: 'A4', pb: 1 }, { type: 'A4_lock' }, { type: 'hv' }, { type: 'T1' }, { type: 'T5' }, { type: 'F1', ctx: 'T' }, { type: 'oom' }] as const) s = m.next(s, a);
  expect(m.actions(s).map(actionLabel)).toEqual(['hv', 'F4(ctx="T",pcp=false)', 'F1(ctx="O")']);
});

/**
 * The state keys against the symmetry oracle (symmetry-oracle.ts): every
 * state of an exploration without symmetry, the symmetry key splitting them
 * exactly as the slow canonical form does and the view as the state does.
 * A mutant of the key that merges two states, or keeps two symmetric ones
 * apart, fails here; one whose key still splits them rightly is equivalent.
 * Last in the file: the cheaper checks above kill most mutants first.
 */
test.each(Object.entries(SYMMETRY_CONFIGS).filter(([name]) => name !== 'one-page-per-pageblock'))('%s: the state keys agree with the symmetry oracle', (_, { variant, config, states, orbits }) => {
  const r = checkStateKeys(balloonMachine(variant, config, { symmetry: false }), config, 20_000);
  expect(r.problem).toBeUndefined();
  expect({ states: r.states, orbits: r.orbits }).toEqual({ states, orbits });
});

/**
 * The oracle above explores without symmetry, so it never uses the
 * allocation choices symmetry prunes to one pageblock per class
 * (`pageClasses`' `pbClass`, `oneChoicePerClass`): with symmetry on, the
 * reference's exploration must meet exactly one state per orbit the oracle
 * counted. A pruning that drops a class, or keeps two of one, fails here.
 */
test.each(Object.entries(SYMMETRY_CONFIGS).filter(([name, c]) => name !== 'one-page-per-pageblock' && c.variant === 'reference'))('%s: the reduced exploration meets one state per orbit', (_, { variant, config, orbits }) => {
  expect(explore(balloonMachine(variant, config), { maxStates: 20_000 }).states).toBe(orbits);
});
