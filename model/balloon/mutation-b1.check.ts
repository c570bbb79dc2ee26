/**
 * balloon's mutation check, helper b1's part (issue 15): the boot state,
 * the liveness key, §4's events and T's own steps judged step by step, and
 * the state keys on configurations the main check's oracle runs do not
 * reach. Each expectation is written from spec 02 (or from the key's
 * contract in symmetry-oracle.ts), never by calling the model's helpers.
 */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { SMALL } from './config.js';
import { checkStateKeys } from './symmetry-oracle.js';
import { balloonMachine } from './model.js';
import type { BalloonAction, BalloonConfig, BalloonState, PageState } from './state.js';
import { actionLabel, type Machine } from '../contract.js';

/** §7's shape with one page per pageblock and min_mem 3 (the main check's CHECK: a balloon of 1 entry). */
const CHECK: BalloonConfig = { ...SMALL, pagesPerPageblock: 1, initial: ['free', 'free', 'free', 'free'], minMem: 3 };

type M = Machine<BalloonState, BalloonAction>;

/** Breadth-first over the states of `m` (each expanded once) up to `maxStates`, calling `visit` on every step. */
function walk(m: M, maxStates: number, visit: (from: BalloonState, a: BalloonAction, to: BalloonState) => void, atState?: (s: BalloonState) => void): number {
  const seen = new Set<string>();
  const queue: BalloonState[] = [m.init()];
  for (let i = 0; i < queue.length && seen.size < maxStates; i++) {
    const s = queue[i] as BalloonState;
    const key = JSON.stringify(s);
    if (seen.has(key)) continue;
    seen.add(key);
    atState?.(s);
    for (const a of m.actions(s)) {
      const t = m.next(s, a);
      visit(s, a, t);
      queue.push(t);
    }
  }
  return seen.size;
}

// ---------------------------------------------------------------------------
// The boot state (spec 02 §2/§3): the chains and the locks as registered at boot.

/** A chain's callbacks in walk order (from the head along `next`), each with its priority. */
function chainOrder(ch: BalloonState['memory']): string[] {
  const out: string[] = [];
  for (let id = ch.head, n = 0; id !== null && n < 10; n++) {
    const b = ch.blocks.find((x) => x.id === id);
    out.push(`${String(id)}@${String(b?.priority)}`);
    id = b ? b.next : null;
  }
  return out;
}

test.each([
  ['reference', true, ['other5@5', 'cmm@1', 'other0@0']],
  ['reference', false, ['cmm@1', 'other0@0']],
  // V3 registers CMM's memory callback at priority 10, ahead of the priority-5 one
  ['V3', true, ['cmm@10', 'other5@5', 'other0@0']],
] as const)('%s (veto callback %s): the chains at boot hold exactly the registered callbacks, by priority', (variant, vetoCallback, order) => {
  const s = balloonMachine(variant, { ...CHECK, vetoCallback }).init();
  expect(chainOrder(s.memory)).toEqual(order);
  expect(s.memory.blocks.map((b) => b.id).sort()).toEqual(order.map((o) => o.split('@')[0]).sort());
  expect({ flavour: s.memory.flavour, walkers: s.memory.walkers, corrupt: s.memory.corrupt }).toEqual({ flavour: 'blocking', walkers: [], corrupt: false });
  // the isolation chain: CMM's callback alone, at CMM_MEM_ISOLATE_PRI (15); an atomic chain
  expect(chainOrder(s.isolate)).toEqual(['cmm@15']);
  expect(s.isolate.blocks).toHaveLength(1);
  expect({ flavour: s.isolate.flavour, walkers: s.isolate.walkers, corrupt: s.isolate.corrupt }).toEqual({ flavour: 'atomic', walkers: [], corrupt: false });
  // cmm_lock and zone_lock (spinlocks), hotplug_mutex, the pm mutex and one state_mutex per block, all free
  const locks = Object.entries(s.k.locks).map(([name, l]) => `${name}:${l.kind}:${'owner' in l ? (l.owner ?? '-') : '?'}`).sort();
  expect(locks).toEqual(['cmm_lock:spin:-', 'hotplug_mutex:mutex:-', 'pm_mutex:mutex:-', 'state_mutex0:mutex:-', 'state_mutex1:mutex:-', 'zone_lock:spin:-']);
});

// ---------------------------------------------------------------------------
// The liveness key: the whole state but the statistics (b10) and the offline's ghost (H.ghost).

test('the liveness key splits states exactly as the state without b10 and the offline\'s ghost', () => {
  const m = balloonMachine('reference', CHECK, { symmetry: false });
  const live = m.livenessView;
  expect(live).toBeDefined();
  const projected = (s: BalloonState): string => {
    const { b10: _b, H, ...rest } = s;
    return JSON.stringify({ ...rest, H: { op: H.op, cmm: H.cmm } });
  };
  const formOf = new Map<string, string>();
  const keyOf = new Map<string, string>();
  const wrong: string[] = [];
  const ghosts = new Set<string>();
  walk(m, 400, (_f, _a, t) => {
    const key = JSON.stringify(live?.(t));
    const form = projected(t);
    ghosts.add(JSON.stringify(t.H.ghost));
    if ((formOf.get(key) ?? form) !== form || (keyOf.get(form) ?? key) !== key) wrong.push(form);
    formOf.set(key, form);
    keyOf.set(form, key);
  });
  expect(wrong.slice(0, 3)).toEqual([]);
  // the walk met offlines with different ghosts, which the key must drop
  expect(ghosts.size).toBeGreaterThan(1);
  expect(formOf.size).toBeGreaterThan(100);
});

// ---------------------------------------------------------------------------
// §4's events and T's own steps, step by step: which events are offered in a
// state, and what each event and each of T1, T3's sleep and T5 writes.

/** Pageblock `pb` is isolated by the offline in flight (spec 02 §3 step 1), read from the op's own flags. */
function isolatedHere(s: BalloonState, c: BalloonConfig, pb: number): boolean {
  const op = s.H.op;
  const block = Math.floor(pb / c.pageblocksPerBlock);
  return op !== null && op.op === 'offline' && op.block === block && op.isolated[pb % c.pageblocksPerBlock] === true;
}

/** The pages of pageblock `pb`. */
const pagesOf = (c: BalloonConfig, pb: number): number[] => Array.from({ length: c.pagesPerPageblock }, (_, i) => pb * c.pagesPerPageblock + i);

/** §4's events (but hv, which any value change enables) that may fire in `s`, as labels. */
function eventsOffered(s: BalloonState, c: BalloonConfig): string[] {
  const out: string[] = [];
  if (s.oomLeft > 0 && s.O.pc === 'idle') out.push('oom');
  // kthread_stop once, while the thread still runs
  if (s.disableLeft > 0 && s.D.pc === 'idle' && s.T.pc !== 'exited') out.push('disable');
  if (s.H.op === null && s.offlineLeft > 0) for (const b of c.offlineBlocks) if (s.blocks[b]?.state === 'online') out.push(`offline(b=${b})`);
  if (s.H.op === null && s.onlineLeft > 0) s.blocks.forEach((bl, b) => bl.state === 'offline' && out.push(`online(b=${b})`));
  const zone = s.k.locks['zone_lock'];
  const zoneBusy = zone === undefined || !('owner' in zone) || zone.owner !== null || zone.waiters.length > 0;
  const pbs = c.blocks * c.pageblocksPerBlock;
  for (const kind of ['other_movable', 'other_pinned'] as const)
    for (let pb = 0; pb < pbs && s.otherLeft > 0; pb++) {
      const present = s.blocks[Math.floor(pb / c.pageblocksPerBlock)]?.present === true;
      if (present && !isolatedHere(s, c, pb) && pagesOf(c, pb).some((p) => s.pages[p] === 'free')) out.push(`other_alloc(kind="${kind}",pb=${pb})`);
      // a free into an isolated pageblock takes zone_lock
      if (pagesOf(c, pb).some((p) => s.pages[p] === kind) && !(isolatedHere(s, c, pb) && zoneBusy)) out.push(`other_free(kind="${kind}",pb=${pb})`);
    }
  return out.sort();
}

const EVENTS = new Set(['oom', 'disable', 'offline', 'online', 'other_alloc', 'other_free']);

/** What an event or a step of T writes (spec 02 §3 T, §4): a message per field that differs, else nothing. */
function stepWrites(c: BalloonConfig, s: BalloonState, a: BalloonAction, t: BalloonState): string[] {
  const wrong: string[] = [];
  const want = (what: string, got: unknown, expected: unknown): void => {
    if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push(`${a.type} ${what}: ${JSON.stringify(got)}, not ${JSON.stringify(expected)}`);
  };
  const onePage = (pb: number, from: PageState, to: PageState): void => {
    const p = pagesOf(c, pb).find((q) => s.pages[q] === from) as number;
    want('pages', t.pages, s.pages.map((st, q) => (q === p ? to : st)));
  };
  switch (a.type) {
    case 'oom':
      want('oomLeft', t.oomLeft, s.oomLeft - 1);
      // O1: FREE(KB2PAGES(oom_kb)) begins
      want('O', t.O, { pc: 'free', free: { pc: 'F1', nr: c.oomPages, frees: [] }, f: 0 });
      break;
    case 'disable':
      want('disable', [t.disableLeft, t.stop, t.D.pc], [s.disableLeft - 1, true, 'D2']);
      break;
    case 'offline':
      want('offline', [t.offlineLeft, t.H.op?.op, t.H.op?.block], [s.offlineLeft - 1, 'offline', a.b]);
      break;
    case 'online':
      // the whole request: the block online and present, its pages counted in totalram, nothing in flight
      want('online', [t.onlineLeft, t.blocks[a.b], t.totalram, t.H.op], [s.onlineLeft - 1, { state: 'online', present: true }, s.totalram + c.pageblocksPerBlock * c.pagesPerPageblock, null]);
      break;
    case 'other_alloc':
      want('otherLeft', t.otherLeft, s.otherLeft - 1);
      onePage(a.pb, 'free', a.kind);
      break;
    case 'other_free':
      want('otherLeft', t.otherLeft, s.otherLeft - 1);
      onePage(a.pb, a.kind, 'free');
      break;
    case 'T1':
      if (s.stop) want('T', t.T, { pc: 'exited', alloc: null, free: null });
      break;
    case 'T3_sleep':
      want('T.pc', t.T.pc, s.stop ? 'exited' : 'sleep');
      break;
    case 'T5':
      // ALLOC(target − loaned) with nothing owed yet, FREE(loaned − target), or back to sleep
      if (s.target > s.loaned) want('ALLOC', [t.T.pc, t.T.alloc?.pc, t.T.alloc?.nr, t.T.alloc?.p, t.T.alloc?.m, t.T.alloc?.frees], ['alloc', 'A1', s.target - s.loaned, null, null, []]);
      else if (s.target < s.loaned) want('FREE', [t.T.pc, t.T.free], ['free', { pc: 'F1', nr: s.loaned - s.target, frees: [] }]);
      else want('T', t.T, { pc: 'sleep', alloc: null, free: null });
      break;
    default:
  }
  return wrong;
}

/**
 * Configurations that reach what CHECK does not: a second OOM while O is
 * busy; the disable write during T's hotplug_delay sleep; a second offline
 * after a successful one; two offlinable blocks (an online is not offered
 * while the other block's offline is in flight; block 1's pageblocks
 * isolated); other users' pages in an isolated pageblock while zone_lock is
 * held (a non-MOVABLE pageblock being isolated after it).
 */
const EVENT_CONFIGS: readonly (readonly [string, BalloonConfig, number, readonly string[]])[] = [
  ['two OOMs and the disable write', { ...CHECK, oomEvents: 2, disable: true, minMem: 2, loanRequests: [0, 2, 1], offlineEvents: 0, onlineEvents: 0 }, 900, ['O busy, an OOM left']],
  [
    'two offlines of two blocks, and the disable write',
    { ...CHECK, offlineBlocks: [0, 1], offlineEvents: 2, onlineEvents: 1, vetoCallback: false, allocFail: false, loanRequests: [0], disable: true, otherEvents: 1 },
    1_200,
    ['stop in hotplug_delay', 'an offline block, an offline left', 'an offline in flight, a block offline', 'a free page isolated in block 1, an allocation left'],
  ],
  [
    'other pages in an isolated pageblock',
    // pageblocks 0 and 1 non-MOVABLE, each with a loaned page (isolation succeeds only when I1 finds every immobile page)
    { ...SMALL, movable: [false, false, true, true], initial: ['free', 'other_movable', 'free', 'free', 'free', 'free', 'free', 'free'], preload: [[4, 0, 2]], minMem: 2, loanRequests: [2], otherEvents: 1, onlineEvents: 0, vetoCallback: false, allocFail: false },
    900,
    ['an other page isolated, zone_lock busy'],
  ],
  // loan_request is a change: 2 pages loaned, then a request of −1 gives a target of 1, and T5 frees 1
  ['a request of 2, then −1', { ...SMALL, minMem: 2, loanRequests: [2, -1], offlineEvents: 0, onlineEvents: 0, vetoCallback: false, allocFail: false }, 600, ['FREE down to a positive target']],
];

/** The situations each configuration above is there to reach. */
function situations(s: BalloonState, c: BalloonConfig): string[] {
  const out: string[] = [];
  if (s.O.pc !== 'idle' && s.oomLeft > 0) out.push('O busy, an OOM left');
  if (s.T.pc === 'T5' && s.target > 0 && s.target < s.loaned) out.push('FREE down to a positive target');
  if (s.stop && s.T.pc === 'sleep_hp') out.push('stop in hotplug_delay');
  if (s.H.op === null && s.offlineLeft > 0 && c.offlineBlocks.some((b) => s.blocks[b]?.state === 'offline')) out.push('an offline block, an offline left');
  if (s.H.op !== null && s.onlineLeft > 0 && s.blocks.some((b) => b.state === 'offline')) out.push('an offline in flight, a block offline');
  if (s.otherLeft > 0 && [2, 3].some((pb) => isolatedHere(s, c, pb) && pagesOf(c, pb).some((p) => s.pages[p] === 'free'))) out.push('a free page isolated in block 1, an allocation left');
  const zone = s.k.locks['zone_lock'];
  const busy = zone !== undefined && 'owner' in zone && zone.owner !== null;
  for (let pb = 0; pb < c.blocks * c.pageblocksPerBlock; pb++)
    if (busy && s.otherLeft > 0 && isolatedHere(s, c, pb) && pagesOf(c, pb).some((p) => s.pages[p] === 'other_movable' || s.pages[p] === 'other_pinned')) out.push('an other page isolated, zone_lock busy');
  return out;
}

test.each(EVENT_CONFIGS)('%s: the events offered in each state, and what each event and T\'s own steps write', (_, config, maxStates, reach) => {
  const m = balloonMachine('reference', config, { symmetry: false });
  const wrong = new Set<string>();
  const met = new Set<string>();
  const reached = new Set<string>();
  const states = walk(
    m,
    maxStates,
    (s, a, t) => {
      for (const w of stepWrites(config, s, a, t)) wrong.add(w);
      met.add(a.type);
    },
    // each state's events, against the list above
    (s) => {
      for (const x of situations(s, config)) reached.add(x);
      const got = m.actions(s).filter((b) => EVENTS.has(b.type)).map((b) => actionLabel(b)).sort();
      const want = eventsOffered(s, config);
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.add(`offered ${got.join(' ')}, not ${want.join(' ')}`);
    },
  );
  expect([...reached].sort()).toEqual([...reach].sort());
  expect(states).toBeGreaterThan(100);
  expect([...wrong].slice(0, 5)).toEqual([]);
  // T5 met each way out, and (first configuration) O's FREE
  expect(met.has('T5')).toBe(true);
});

// ---------------------------------------------------------------------------
// The state keys on sizes the explorations above never reach: two-digit page
// numbers and counts (the schema takes up to 64 of each). Each pair is two
// states that differ, so both keys must tell them apart; a key whose
// separators go missing reads both as the same text.

/** §7's two blocks with four pages per pageblock: 16 pages, so page numbers reach two digits. */
const WIDE: BalloonConfig = { ...SMALL, pagesPerPageblock: 4, initial: Array.from({ length: 16 }, () => 'free' as const), minMem: 2 };

/** The initial state of `WIDE` changed by `over` (preloaded lists, event budgets: each an initial state of its own configuration). */
const wideInit = (over: Partial<BalloonConfig>): BalloonState => balloonMachine('reference', { ...WIDE, ...over }).init();

test.each([
  // one array, its entries 1 and 11 in the two orders ("1.11" and "11.1")
  ['entries in either order', wideInit({ preload: [[2, 1, 11]] }), wideInit({ preload: [[2, 11, 1]] })],
  // the same pages as list pages and as entries, split into arrays differently ("0:1" "12:11" "2:3" and "0:11" "2:1" "12:3")
  ['arrays split differently', wideInit({ cmmNrPages: 1, preload: [[0, 1], [12, 11], [2, 3]] }), wideInit({ cmmNrPages: 1, preload: [[0, 11], [2, 1], [12, 3]] })],
  // OOM budget 1 with 12 offline requests, and 11 with 2
  ['event budgets', wideInit({ oomEvents: 1, offlineEvents: 12 }), wideInit({ oomEvents: 11, offlineEvents: 2 })],
  // a target of 1 after 11 pages freed for OOM, and of 11 after 1 (a request of 12, oom_kb of 11 pages)
  ['target and oom_freed', { ...wideInit({}), target: 1, oomFreed: 11 }, { ...wideInit({}), target: 11, oomFreed: 1 }],
] as const)('the keys tell apart two states with two-digit numbers: %s', (_, a, b) => {
  const m = balloonMachine('reference', WIDE, { symmetry: false });
  expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  expect(m.view?.(a)).not.toBe(m.view?.(b));
  // pages of one class may be renumbered, but these pairs are no renumbering of each other
  const r = balloonMachine('reference', WIDE);
  expect(r.symmetry?.(a)).not.toBe(r.symmetry?.(b));
});

/**
 * The symmetry oracle (symmetry-oracle.ts) on shapes the main check's cases
 * leave out, each with one page per pageblock (so its canonical form is
 * cheap): block 1 offlinable and block 0 not (the class of never-offlined
 * pages is then the first class, and holds pageblocks 0 and 1); other
 * users' pages of both kinds among the never-offlined pages, unreferenced
 * (the relabelling orders them by state); both blocks offlinable, all
 * pageblocks MOVABLE so that either offline succeeds, with a second offline
 * (block 0 offline and block 1 online, or the other way round). The reduced
 * exploration must also meet one state per orbit.
 */
const MOVABLE = [true, true, true, true];
test.each([
  ['only block 1 offlinable', { ...CHECK, offlineBlocks: [1], onlineEvents: 0, vetoCallback: false, allocFail: false, loanRequests: [3] }, 721, 459],
  ['other users\' pages never offlined', { ...CHECK, initial: ['other_movable', 'free', 'free', 'free'], movable: MOVABLE, otherEvents: 2, loanRequests: [0], offlineEvents: 0, onlineEvents: 0, vetoCallback: false, allocFail: false }, 56, 38],
  ['both blocks offlinable, two offlines', { ...CHECK, movable: MOVABLE, offlineBlocks: [0, 1], offlineEvents: 2, onlineEvents: 1, vetoCallback: false, allocFail: false, loanRequests: [0] }, 179, 179],
] as const)('%s: the state keys agree with the symmetry oracle', (_, config, states, orbits) => {
  const r = checkStateKeys(balloonMachine('reference', config, { symmetry: false }), config, 3_000);
  expect(r.problem).toBeUndefined();
  expect({ states: r.states, orbits: r.orbits }).toEqual({ states, orbits });
  expect(explore(balloonMachine('reference', config), { maxStates: 3_000 }).states).toBe(orbits);
});
