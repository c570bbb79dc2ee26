/**
 * balloon's mutation check, the hotplug task's part (issue 15; steps/hotplug.ts
 * and steps/sequence.ts): when H may step (spec 02 §4 and the model's header),
 * which isolation and memory-chain paths the small configurations take, and
 * the pageblock each isolation step counts. The oracles below read the state
 * (the kernel slice's locks, CMM's callback, the page states) and are written
 * from the spec, not from the rules' own helpers.
 */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { SMALL } from './config.js';
import { balloonMachine } from './model.js';
import type { BalloonAction, BalloonConfig, BalloonState } from './state.js';

/** The shape of mutation.check.ts's CHECK: §7 with one page per pageblock (4 pages), min_mem 3. */
const CHECK: BalloonConfig = { ...SMALL, pagesPerPageblock: 1, initial: ['free', 'free', 'free', 'free'], minMem: 3 };

/** The steps of H's running request (the requests themselves, `offline` and `online`, are the environment's). */
const H_STEPS: ReadonlySet<string> = new Set(['isolate', 'I1', 'isolate_check', 'cb', 'G1', 'G3', 'G5', 'G6', 'U1', 'scan', 'check', 'offline_pages', 'undo', 'online_pages']);

/** A lock as the kernel slice keeps it: a spinlock has an owner, a mutex a count (1 free). */
type LockView = { readonly kind: string; readonly owner?: string | null; readonly count?: number; readonly waiters: readonly unknown[] };

/** H is queued on a lock it cannot take now: held (or, for a mutex, its count below 1), or another waiter is first in line. */
function hBlocked(s: BalloonState): boolean {
  return Object.values(s.k.locks as Record<string, LockView>).some((l) => {
    const names = l.waiters.map((w) => (typeof w === 'string' ? w : (w as { readonly ctx: string }).ctx));
    if (!names.includes('H')) return false;
    const free = l.kind === 'mutex' ? (l.count ?? 0) >= 1 : l.owner === null;
    return !free || names[0] !== 'H';
  });
}

/** zone_lock is free and nobody queues on it: a free under it goes through at once. */
function zoneFree(s: BalloonState): boolean {
  const l = s.k.locks['zone_lock'] as LockView;
  return l.owner === null && l.waiters.length === 0;
}

/**
 * Breadth-first over the states of the machine's reduced key (symmetry on) until `done()` or
 * `maxStates`; `visit` sees each state with the actions offered in it and the state each leads to.
 */
function walkUntil(
  variant: string,
  config: BalloonConfig,
  maxStates: number,
  visit: (s: BalloonState, acts: readonly BalloonAction[], after: (a: BalloonAction) => BalloonState) => void,
  done: () => boolean,
): void {
  const m = balloonMachine(variant, config);
  const key = (s: BalloonState): string => JSON.stringify(m.symmetry ? m.symmetry(s) : s);
  const seen = new Set<string>();
  let frontier: BalloonState[] = [m.init()];
  while (frontier.length > 0 && seen.size < maxStates && !done()) {
    const next: BalloonState[] = [];
    for (const s of frontier) {
      const k = key(s);
      if (seen.has(k)) continue;
      seen.add(k);
      const acts = m.actions(s);
      const succ = acts.map((a) => m.next(s, a));
      visit(s, acts, (a) => succ[acts.indexOf(a)] as BalloonState);
      if (done()) break;
      next.push(...succ);
    }
    frontier = next;
  }
}

/**
 * When H may step, and what its lock steps do. Spec 02 §3–§4 and the model's
 * header: H takes no step while it waits for a lock another context holds
 * (nor while another waiter is ahead of it), none after G4's NULL
 * dereference (W5's oops: H is dead), and none that would change nothing.
 * G3 takes cmm_lock before G4's search (queued on it, it does nothing else),
 * and H holds it until G5's failure or G6. H's frees go through zone_lock,
 * and H steps only once zone_lock is free with no waiter: G6 frees the pages
 * G4/G5 deferred (so it waits only when there are some); G5's failure (no
 * page: `pb` null) frees them too; G5's success frees the replaced list page
 * under cmm_lock only in W1 (the reference defers it to G6); G3 frees only
 * in W1. While H walks the (atomic) isolation chain it is that chain's one
 * RCU reader, and the chain has none otherwise.
 *
 * Each configuration is walked until every situation it is chosen for was
 * met (or a step was wrong): zone_lock still queued on when H reaches G3, G5
 * (with and without deferred frees) and G6 (with and without) — an OOM free
 * queued while H held zone_lock for the isolation of the block's last,
 * non-MOVABLE, pageblock —, H queued behind that free, G5's success, W1's G3
 * with zone_lock taken or behind T's cmm_lock, W5's oops.
 */
/** One page per pageblock, both pageblocks of block 0 non-MOVABLE, one OOM free, T idle (its target is what the balloon holds). */
const Z: BalloonConfig = {
  ...CHECK,
  movable: [false, false, true, true],
  oomEvents: 1,
  onlineEvents: 0,
  vetoCallback: false,
  minMem: 2,
  loanRequests: [2],
};
/** W5's scenario: one array, its entries in block 0 — G4 empties the head during its own scan. */
const W5_ONE_ARRAY: BalloonConfig = { ...SMALL, minMem: 4, onlineEvents: 0, vetoCallback: false, loanRequests: [2], preload: [[4, 0, 1]] };
const SITUATIONS: readonly (readonly [string, string, BalloonConfig, readonly string[]])[] = [
  ['reference', 'a list page and an entry in the block', { ...Z, preload: [[1, 0, 2]] }, ['G4 unloans', 'G5 success', 'G3 zone busy', 'G5 zone busy, frees', 'G6 zone busy, frees', 'G6 zone busy', 'H queued at undo', 'H queued at isolate', 'isolation walk']],
  ['reference', 'a list page in the block', { ...Z, preload: [[1, 2, 3]] }, ['G5 zone busy']],
  ['reference', 'a list page and an entry in the block, and a third block', { ...Z, blocks: 3, movable: [false, false, true, true, true, true], initial: ['free', 'free', 'free', 'free', 'free', 'free'], preload: [[1, 0, 2]] }, ['G5 zone busy, frees, room']],
  ['W1', 'an entry in the block', { ...Z, preload: [[2, 0, 3]] }, ['G3 zone busy', 'G3 waits for cmm_lock', 'I1 waits for cmm_lock', 'G4 unloans']],
  ['W1', 'a list page and an entry in the block', { ...Z, preload: [[1, 0, 3]] }, ['G5 success']],
  ['W5', 'the head array\'s entries in the block', W5_ONE_ARRAY, ['oops']],
];
test.each(SITUATIONS)('%s, %s: H steps only when it can, and its frees wait for zone_lock', (variant, _, config, want) => {
  const freeUnderLock = variant === 'W1';
  const met = new Set<string>();
  const wrong = new Set<string>();
  walkUntil(
    variant,
    config,
    20_000,
    (s, acts, after) => {
      const h = acts.filter((a) => H_STEPS.has(a.type));
      // every step H takes does something: a step it cannot take is not offered
      const plain = JSON.stringify(s);
      for (const a of h) if (JSON.stringify(after(a)) === plain) wrong.add(`${a.type} offered at phase ${s.H.op?.phase ?? 'idle'} changes nothing`);
      const types = new Set(h.map((a) => a.type));
      const op = s.H.op;
      const call = op?.call ?? null;
      const isolating = call !== null && call.chain === 'isolate' && call.stage !== 'enter' && call.stage !== 'done';
      if (isolating) met.add('isolation walk');
      const readers = s.isolate.walkers.map((w) => w.ctx);
      if (readers.join() !== (isolating ? 'H' : '')) wrong.add(`isolation chain readers [${readers.join()}] at phase ${op?.phase ?? 'idle'}`);
      if (s.oops !== null) {
        met.add('oops');
        if (h.length > 0) wrong.add(`after the oops H offers ${[...types].join()}`);
        return;
      }
      if (op === null) return;
      if (hBlocked(s)) {
        met.add(`H queued at ${op.phase}`);
        if (h.length > 0) wrong.add(`H queued on a lock offers ${[...types].join()}`);
        return;
      }
      const pc = call !== null && call.chain === 'memory' && call.stage === 'callback' ? s.H.cmm.pc : null;
      // the pages G4/G5 deferred are freed when CMM's callback returns (G5's failure, G6)
      if (s.H.cmm.pc === null && s.H.cmm.frees.length > 0) wrong.add(`deferred frees [${s.H.cmm.frees.join()}] outside CMM's callback`);
      // I1 takes cmm_lock to count; queued on it, it counts nothing
      const i1 = h.find((a) => a.type === 'I1');
      const ti = i1 && after(i1);
      if (ti && (ti.k.locks['cmm_lock'] as LockView).owner !== 'H' && ti.H.op?.phase === 'isolate-chain') {
        met.add('I1 waits for cmm_lock');
        if (ti.H.op.pagesFound !== op.pagesFound || ti.H.op.call?.stage !== 'callback') wrong.add('I1 counted without cmm_lock');
      }
      const busy = !zoneFree(s);
      const frees = s.H.cmm.frees.length > 0;
      const tag = `${pc ?? ''} zone busy${frees ? ', frees' : ''}`;
      if (pc === 'G3') {
        if (busy) met.add(tag);
        if (types.has('G3') !== (!freeUnderLock || !busy)) wrong.add(`${tag}: G3 ${types.has('G3') ? '' : 'not '}offered`);
        // G3 takes cmm_lock before G4's search; queued on it, it does nothing else
        const g3 = h.find((a) => a.type === 'G3');
        const t = g3 && after(g3);
        if (t && (t.k.locks['cmm_lock'] as LockView).owner !== 'H') {
          met.add('G3 waits for cmm_lock');
          if (t.H.cmm.pc !== 'G3' || JSON.stringify(t.list) !== JSON.stringify(s.list) || t.loaned !== s.loaned) wrong.add('G3 searched the list without cmm_lock');
        } else if (t && t.oops === null) {
          // G4 unloans every entry in the block: W1 frees each under cmm_lock, the reference defers it to G6
          const perBlock = config.pageblocksPerBlock * config.pagesPerPageblock;
          for (const p of s.list.flatMap((a) => a.entries).filter((q) => Math.floor(q / perBlock) === op.block)) {
            met.add('G4 unloans');
            if (t.pages[p] !== (freeUnderLock ? 'free' : 'inflight') || t.H.cmm.frees.includes(p) === freeUnderLock) wrong.add(`G4 leaves entry ${p} ${String(t.pages[p])}`);
          }
        }
      }
      // G3 took cmm_lock: H holds it until G5's failure or G6 drops it
      if ((pc === 'G5' || pc === 'G6') && (s.k.locks['cmm_lock'] as LockView).owner !== 'H') wrong.add(`${pc} without cmm_lock`);
      if (pc === 'G5') {
        if (busy) met.add(tag);
        // allocFail: a failing G5 is always among the choices unless its frees must wait
        const fails = h.some((a) => a.type === 'G5' && a.pb === null);
        if (fails !== (!frees || !busy)) wrong.add(`${tag}: G5 failure ${fails ? '' : 'not '}offered`);
        // a success needs a free page in another online block (the block's own pageblocks are isolated); only W1's frees the old list page under zone_lock
        const perBlock = config.pageblocksPerBlock * config.pagesPerPageblock;
        const room = s.pages.some((st, p) => st === 'free' && Math.floor(p / perBlock) !== op.block && s.blocks[Math.floor(p / perBlock)]?.present === true);
        if (busy && frees && room) met.add(`${tag}, room`);
        const succeeds = h.some((a) => a.type === 'G5' && a.pb !== null);
        if (succeeds !== (room && (!freeUnderLock || !busy))) wrong.add(`${tag}: G5 success ${succeeds ? '' : 'not '}offered`);
        // a success replaces the first list page in the block: W1 frees the old one under cmm_lock, the reference defers it to G6
        const old = s.list.find((a) => Math.floor(a.meta / perBlock) === op.block)?.meta;
        for (const a of h) {
          if (a.type !== 'G5' || a.pb === null || old === undefined) continue;
          met.add('G5 success');
          const t = after(a);
          const want = freeUnderLock ? 'free' : 'inflight';
          if (t.pages[old] !== want || t.H.cmm.frees.includes(old) === freeUnderLock) wrong.add(`G5 success leaves old list page ${old} ${String(t.pages[old])}`);
        }
      }
      if (pc === 'G6') {
        if (busy) met.add(tag);
        if (types.has('G6') !== (!frees || !busy)) wrong.add(`${tag}: G6 ${types.has('G6') ? '' : 'not '}offered`);
      }
    },
    () => want.every((w) => met.has(w)) || wrong.size > 0,
  );
  expect([...wrong].slice(0, 5)).toEqual([]);
  expect(want.filter((w) => !met.has(w))).toEqual([]);
});

/** Block 0 all MOVABLE (its isolation needs no CMM page: a non-MOVABLE pageblock without one cannot be isolated), a movable page in it, T idle. */
const NOWHERE: BalloonConfig = { ...CHECK, movable: [true, true, true, true], loanRequests: [0], onlineEvents: 0, allocFail: false, vetoCallback: false };

/**
 * Paths of H that CHECK leaves out, each explored completely, with no
 * violation and its state count pinned: the offline of block 1, whose
 * pageblocks are all MOVABLE (isolation never walks the chain; a wrong
 * pageblock number sends it through I1); a second non-MOVABLE pageblock in
 * the block (I1 and the count check of pageblock 1, where a list entry
 * lies); the priority-0 callback that may veto after CMM ran (`veto0`); two
 * list pages in the block (G5 twice, the second finding no page); and a
 * movable page whose migration finds no free page outside the block (every
 * pass fails; the fifth cancels the offline).
 */
test.each([
  ['the offline of an all-MOVABLE block', { ...CHECK, offlineBlocks: [1], loanRequests: [0], onlineEvents: 0, vetoCallback: false, allocFail: false }, 23],
  ['a list entry in a second non-MOVABLE pageblock', { ...CHECK, movable: [false, false, true, true], preload: [[2, 1]], onlineEvents: 0, allocFail: false, vetoCallback: false, loanRequests: [1], minMem: 2 }, 123],
  ['the priority-0 veto', { ...CHECK, vetoCallback: false, veto0: true, onlineEvents: 0, allocFail: false, loanRequests: [1], minMem: 2, preload: [[0, 2]] }, 305],
  ['an entry in the block in the second array only', { ...SMALL, preload: [[4, 5], [6, 0, 7]], minMem: 4, loanRequests: [3], onlineEvents: 0, vetoCallback: false, allocFail: false }, 314],
  ['two list pages in the block', { ...SMALL, preload: [[0, 4], [1, 5, 6]], minMem: 4, loanRequests: [3], onlineEvents: 0, vetoCallback: false, allocFail: false }, 210],
  ['a movable page with nowhere to go', { ...NOWHERE, initial: ['free', 'other_movable', 'other_pinned', 'other_pinned'] }, 32],
] as const)('reference holds with %s, complete, state count pinned', (_, config, states) => {
  const r = explore(balloonMachine('reference', config), { maxStates: 2_000 });
  expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`)).toEqual([]);
  expect({ complete: r.complete, states: r.states }).toEqual({ complete: true, states });
});

/** W5's NULL dereference is reported as what it is (B2 reads the oops G4 records where it happens). */
test('W5: B2 names G4\'s NULL array link', () => {
  const r = explore(balloonMachine('W5', W5_ONE_ARRAY), { maxStates: 2_000 });
  expect(r.violated.get('B2')?.message).toMatch(/NULL/);
});

/**
 * Offline step 3 (spec 00 §4, offline_pages): a pass that migrates every LRU
 * page of the range is no failed pass; one that finds no free page outside
 * the block is, and the fifth failed pass cancels the offline (-EBUSY,
 * MEM_CANCEL_OFFLINE). The budget of failed passes is the request's
 * `retries`; the pages are read from the state.
 */
test.each([
  ['to a free page outside the block', ['free', 'other_movable', 'free', 'other_pinned'], true],
  ['with no free page outside the block', ['free', 'other_movable', 'other_pinned', 'other_pinned'], false],
] as const)('offline.3 migrates the movable page %s', (_, initial, room) => {
  const passes: string[] = [];
  const wrong: string[] = [];
  walkUntil(
    'reference',
    { ...NOWHERE, initial },
    200,
    (s, acts, after) => {
      const scan = acts.find((a) => a.type === 'scan');
      const op = s.H.op;
      if (!scan || !op) return;
      const t = after(scan);
      const left = t.H.op?.retries;
      if (room) {
        passes.push('migrated');
        if (left !== op.retries || t.pages[1] !== 'free' || t.pages[2] !== 'other_movable') wrong.push(`migrated: retries ${String(left)}, pages ${t.pages.join()}`);
      } else {
        passes.push(op.retries === 1 ? 'fifth failure' : 'failure');
        if (left !== op.retries - 1 || t.pages[1] !== 'other_movable') wrong.push(`failed pass: retries ${op.retries} → ${String(left)}`);
        if (op.retries === 1 && t.H.op?.phase !== 'cancel-offline') wrong.push(`fifth failed pass goes on to ${String(t.H.op?.phase)}`);
      }
    },
    () => false,
  );
  expect(wrong).toEqual([]);
  expect([...new Set(passes)].sort()).toEqual(room ? ['migrated'] : ['failure', 'fifth failure']);
});

/**
 * B5's ghost (spec 02 §5): G1 opens the pause of loaning, and only the U1 of
 * that offline closes it. In V1 (hand-made lock) U1 is a step even when
 * GOING_OFFLINE was vetoed before CMM's G1 ran; that U1 must leave the pause
 * of an earlier offline (after it, or T's hotplug_delay) as it found it.
 * Two offlines: block 1, then block 0 with the priority-5 veto.
 */
test('V1: a U1 whose offline never reached G1 leaves the pause as it was', () => {
  const met = new Set<string>();
  const wrong: string[] = [];
  walkUntil(
    'V1',
    { ...CHECK, offlineBlocks: [0, 1], offlineEvents: 2, onlineEvents: 0, allocFail: false, loanRequests: [1], minMem: 2, preload: [[0, 2]] },
    20_000,
    (s, acts, after) => {
      const u1 = acts.find((a) => a.type === 'U1');
      if (!u1 || s.pause.phase === 'held') return;
      met.add(s.pause.phase);
      const t = after(u1);
      if (JSON.stringify(t.pause) !== JSON.stringify(s.pause)) wrong.push(`${JSON.stringify(s.pause)} → ${JSON.stringify(t.pause)}`);
    },
    () => met.has('after') || wrong.length > 0,
  );
  expect(wrong.slice(0, 3)).toEqual([]);
  expect(met.has('after')).toBe(true);
});
