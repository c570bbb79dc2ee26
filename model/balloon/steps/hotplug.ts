/**
 * The hotplug task H: the visible steps of 00 §4's offline and online
 * sequences (kernel/hotplug.ts), and the CMM callbacks it calls — spec 02
 * §3's I (the isolation callback, I1, atomic under zone_lock) and M (the
 * memory-chain callback: G1 with G2 folded in, G3 with G4's search under
 * cmm_lock, G5 per list page in the range, G6, U1) — and the other memory
 * callbacks that may veto GOING_OFFLINE. A non-MOVABLE pageblock's isolation
 * is three actions: take zone_lock (enter the chain), I1, the count check
 * (exit the chain, release zone_lock).
 */
import {
  type HotplugOp,
  MEM_GOING_OFFLINE,
  MEM_OFFLINE,
  hotplugWalking,
  isolateAddFound,
  isolateFinish,
  offlineCheck,
  offlinePages,
  offlineScan,
  undoStep,
} from '../../kernel/hotplug.js';
import { ENOMEM } from '../../kernel/errno.js';
import { canProceed, mightSleep, mutexLock, mutexUnlock, spinLock, spinUnlock } from '../../kernel/locks.js';
import { NOTIFY_BAD, NOTIFY_OK, callNext, callReturn, notifierFromErrno } from '../../kernel/notifier.js';
import { type Rule, rulesFor, when } from '../../rules.js';
import { allocatablePbs } from '../geometry.js';
import type { BalloonState, CmmCallback, PageState } from '../state.js';
import { CMM_LOCK, type DS, HOTPLUG_MUTEX, type Kit, type S, iterationOpen, opOf, takePage, zoneFreeable } from './kit.js';
import { atomicSetBy } from './marked.js';
import type { Sequence } from './sequence.js';

const rule = rulesFor<BalloonState>();
const IMMOBILE: readonly PageState[] = ['other_pinned', 'inflight', 'loaned', 'meta'];

/** The state {@link hOp} last answered for, and its answer: H's rules ask it in turn of the same state. */
let askedOf: S | null = null;
let answer: HotplugOp | null = null;

/** H may take a step: an operation in flight, no oops (after G4's NULL dereference H is dead, holding cmm_lock), not queued on a lock. */
function hOp(s: S): HotplugOp | null {
  if (s !== askedOf) {
    const op = s.H.op;
    answer = op && s.oops === null && canProceed(s.k, 'H') ? op : null;
    askedOf = s;
  }
  return answer;
}

/** The chain walk H is in, when it can step. */
function walk(s: S): NonNullable<HotplugOp['call']> | null {
  const op = hOp(s);
  return op?.call && hotplugWalking(op) ? op.call : null;
}

/** The memory-chain callback about to be called (not CMM's running body). */
function calling(s: S): { id: string; val: number } | null {
  const call = walk(s);
  return call && call.chain !== 'isolate' && call.stage === 'walk' && call.cur !== null ? { id: call.cur, val: call.val } : null;
}

/** Where CMM's memory callback is, while it runs. */
function cmmAt(s: S): CmmCallback['pc'] {
  const call = walk(s);
  return call && call.chain !== 'isolate' && call.stage === 'callback' ? s.H.cmm.pc : null;
}

/** H's phase outside a chain walk, when it can step. */
function phase(s: S): HotplugOp['phase'] | null {
  const op = hOp(s);
  return op && !(op.call && hotplugWalking(op)) ? op.phase : null;
}

/** H's steps, the kernel's and CMM's callbacks'. */
export function hotplugRules(x: Kit, seq: Sequence): Rule<BalloonState>[] {
  const { f, c, g } = x;
  const inBlock = (b: number) => (p: number) => g.blockOf(p) === b;
  const metaInRange = (s: S | DS, b: number): number => s.list.findIndex((a) => g.blockOf(a.meta) === b);

  const cmmReturn = (d: DS, ret: number): void => {
    const call = opOf(d).call;
    if (!call) throw new Error('no walk');
    callReturn(call, ret);
    d.H.cmm.pc = null;
  };

  /** After G4: G5 while a list page lies in the range (unless list pages are movable, V2), else G6. */
  const afterG4 = (d: DS, b: number): 'G5' | 'G6' => (!f.movableMeta && metaInRange(d, b) >= 0 ? 'G5' : 'G6');

  const freeDeferred = (d: DS): void => {
    for (const p of d.H.cmm.frees) d.pages[p] = 'free';
    d.H.cmm.frees = [];
  };

  /** G4: cmm_mem_going_offline's search of the page list (under cmm_lock). */
  const g4 = (d: DS, b: number): void => {
    const inRange = inBlock(b);
    type Arr = { meta: number; slots: number[]; index: number };
    const arrs: Arr[] = d.list.map((a) => ({ meta: a.meta, slots: [...a.entries], index: a.entries.length }));
    const next = (a: Arr): Arr | null => arrs[arrs.indexOf(a) + 1] ?? null;
    const freed: number[] = [];
    let curr: Arr | null = arrs[0] ?? null; // pa_curr; pa_last is always the head arrs[0]
    outer: while (curr) {
      let idx: number = curr.index - 1;
      while (idx >= 0 && curr) {
        const p = curr.slots[idx];
        if (p === undefined || !inRange(p)) {
          idx--;
          continue;
        }
        freed.push(p);
        d.loaned -= 1;
        d.totalram += 1;
        d.H.ghost.unloaned += 1;
        const head: Arr | undefined = arrs[0];
        if (!head) throw new Error('G4 without a head array');
        head.index -= 1;
        curr.slots[idx] = head.slots[head.index] as number; // pa_curr->page[idx] = pa_last->page[--pa_last->index]
        if (head.index === 0) {
          const wasCurr: boolean = curr === head;
          if (wasCurr) curr = next(head); // pa_curr = pa_last->next
          arrs.shift();
          freed.push(head.meta);
          if (wasCurr && !f.compactionSkip) {
            curr = arrs[0] ?? null; // fix: restart the scan at the new head
            continue outer;
          }
        }
        idx--; // `continue` of the for loop: idx-- (at slot 0 the unsigned test ends the loop)
      }
      if (curr === null) {
        d.oops = 'G4 dereferences a NULL array link (pa_curr->next with pa_curr == NULL)';
        break;
      }
      curr = next(curr);
    }
    d.list = arrs.map((a) => ({ meta: a.meta, entries: a.slots.slice(0, a.index) }));
    for (const p of freed) {
      if (f.freeUnderLock) d.pages[p] = 'free';
      else {
        d.pages[p] = 'inflight';
        d.H.cmm.frees.push(p);
      }
    }
  };

  return [
    rule({
      name: 'isolate',
      step: 'offline.1',
      fn: 'set_migratetype_isolate',
      enabled: (s) => when(phase(s) === 'isolate'),
      ctx: 'H',
      apply: (d) => seq.isolate(d),
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(zone_lock); MOVABLE → isolate and unlock, else walk the isolation chain',
    }),
    rule({
      step: 'I1',
      fn: 'cmm_memory_isolate_cb',
      enabled: (s) => when(walk(s)?.chain === 'isolate'),
      ctx: 'H',
      apply: (d) => {
        const op = opOf(d);
        const call = op.call;
        if (!call) throw new Error('I1 outside the isolation walk');
        if (call.stage === 'walk') callNext(call, d.isolate);
        if (spinLock(x.k(), CMM_LOCK, 'H') === 'waiting') return;
        const pb = op.block * c.pageblocksPerBlock + op.pageblock;
        const inPb = (p: number): boolean => g.pbOf(p) === pb;
        let found = 0;
        for (const arr of d.list) {
          if (!f.movableMeta && inPb(arr.meta)) found += 1;
          for (const p of arr.entries) if (inPb(p)) found += 1;
        }
        isolateAddFound(op, found);
        spinUnlock(x.k(), CMM_LOCK, 'H');
        callReturn(call, NOTIFY_OK);
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(cmm_lock); count entries and list pages in the pageblock; unlock',
    }),
    rule({
      name: 'isolate_check',
      step: 'offline.1',
      fn: 'set_migratetype_isolate',
      enabled: (s) => when(phase(s) === 'isolate-check'),
      ctx: 'H',
      apply: (d) => {
        const op = opOf(d);
        const pb = op.block * c.pageblocksPerBlock + op.pageblock;
        const immobile = g.pagesOfPb(pb).filter((p) => IMMOBILE.includes(d.pages[p] ?? 'free')).length;
        isolateFinish(x.k(), op, 'H', immobile);
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'pages_found == immobile pages → isolate; spin_unlock(zone_lock)',
    }),
    rule({
      name: 'cb',
      step: 'offline.2',
      fn: 'memory_notify',
      // another memory callback that may veto GOING_OFFLINE (priority 5, or 0 with `veto0`)
      enabled: (s) => {
        const at = calling(s);
        return at && at.id !== 'cmm' ? [false, true].map((veto) => ({ id: at.id, veto })) : [];
      },
      ctx: 'H',
      apply: (d, { veto }) => {
        const call = opOf(d).call;
        if (!call) throw new Error('cb outside a walk');
        callNext(call, d.memory);
        callReturn(call, veto ? NOTIFY_BAD : NOTIFY_OK);
        if (veto) d.H.ghost.cbFailed = 'veto';
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { id, veto }) => `${id}_memory_callback: MEM_GOING_OFFLINE → ${veto ? 'NOTIFY_BAD (veto)' : 'NOTIFY_OK'}`,
    }),
    rule({
      step: 'G1',
      fn: 'cmm_memory_cb',
      // called at GOING_OFFLINE, or still waiting for the mutex
      enabled: (s) => {
        const at = calling(s);
        return when((at?.id === 'cmm' && at.val === MEM_GOING_OFFLINE) || cmmAt(s) === 'G1');
      },
      ctx: 'H',
      apply: (d) => {
        const call = opOf(d).call;
        if (!call) throw new Error('G1 outside a walk');
        if (call.stage === 'walk') {
          callNext(call, d.memory);
          d.H.cmm.pc = 'G1';
        }
        if (f.handLock) atomicSetBy(x, d, 'H', 'active', 1);
        else {
          if (mutexLock(x.k(), HOTPLUG_MUTEX, 'H') === 'waiting') return;
          d.H.cmm.holds = true;
          d.H.ghost.betweenG1U1 = true;
          d.occurred = 1;
        }
        d.pause = { phase: 'held', allowance: d.T.pc === 'alloc' && iterationOpen(d.T.alloc), resumable: false };
        d.H.cmm.pc = 'G3';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'MEM_GOING_OFFLINE: mutex_lock(hotplug_mutex); G2 occurred := 1 (V1: hotplug_active := 1)',
    }),
    rule({
      step: 'G3',
      fn: 'cmm_mem_going_offline',
      // W1 frees G4's pages under cmm_lock, which needs zone_lock
      enabled: (s) => when(cmmAt(s) === 'G3' && (!f.freeUnderLock || zoneFreeable(s.k))),
      ctx: 'H',
      apply: (d) => {
        if (spinLock(x.k(), CMM_LOCK, 'H') === 'waiting') return;
        const b = opOf(d).block;
        g4(d, b);
        if (d.oops !== null) return;
        d.H.cmm.pc = f.handLock ? 'G4_occurred' : afterG4(d, b);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(cmm_lock); G4 unloan every entry in the range, compacting from the head',
    }),
    // V1 sets its atomic at the end of G4 (under cmm_lock): a step of its own, since T reads it with no lock
    rule({
      name: 'G4_occurred',
      step: 'G4',
      fn: 'cmm_mem_going_offline',
      enabled: (s) => when(cmmAt(s) === 'G4_occurred'),
      ctx: 'H',
      apply: (d) => {
        atomicSetBy(x, d, 'H', 'occurred', 1);
        d.H.cmm.pc = afterG4(d, opOf(d).block);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'atomic_set(&hotplug_occurred, 1)',
    }),
    rule({
      step: 'G5',
      fn: 'cmm_mem_going_offline',
      // success frees the old list page under the lock (W1); failure frees the deferred pages
      enabled: (s) => {
        if (cmmAt(s) !== 'G5') return [];
        const frees = s.H.cmm.frees.length > 0;
        return x
          .allocChoices(s)
          .filter((pb) => !(pb === null ? frees : f.freeUnderLock) || zoneFreeable(s.k))
          .map((pb) => ({ pb }));
      },
      ctx: 'H',
      apply: (d, { pb }) => {
        const b = opOf(d).block;
        if (f.g5Sleeps) mightSleep(x.k(), 'H', '__get_free_page(GFP_NOIO) in cmm_mem_going_offline');
        if (pb === null) {
          spinUnlock(x.k(), CMM_LOCK, 'H');
          freeDeferred(d);
          d.H.ghost.cbFailed = 'cmm';
          cmmReturn(d, notifierFromErrno(f.positiveErrno ? ENOMEM : -ENOMEM));
          return seq.advance(d);
        }
        const arr = d.list[metaInRange(d, b)];
        if (!arr) throw new Error('G5 without a list page in the range');
        const old = arr.meta;
        arr.meta = takePage(d, g, pb, 'meta');
        if (f.freeUnderLock) d.pages[old] = 'free';
        else {
          d.pages[old] = 'inflight';
          d.H.cmm.frees.push(old);
        }
        d.H.cmm.pc = metaInRange(d, b) >= 0 ? 'G5' : 'G6';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { pb }) => `replace a list page in the range: ${pb === null ? 'allocation fails → unlock, return ENOMEM' : `new page in pageblock ${pb}`}`,
    }),
    rule({
      step: 'G6',
      fn: 'cmm_mem_going_offline',
      enabled: (s) => when(cmmAt(s) === 'G6' && (s.H.cmm.frees.length === 0 || zoneFreeable(s.k))),
      ctx: 'H',
      apply: (d) => {
        spinUnlock(x.k(), CMM_LOCK, 'H');
        freeDeferred(d);
        cmmReturn(d, NOTIFY_OK);
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_unlock(cmm_lock); return 0',
    }),
    rule({
      step: 'U1',
      fn: 'cmm_memory_cb',
      // a U1 that would do nothing is taken inside the sequence (sequence.ts's visibleCallback)
      enabled: (s) => {
        const at = calling(s);
        return when((at?.id === 'cmm' && at.val !== MEM_GOING_OFFLINE) || cmmAt(s) === 'U1');
      },
      ctx: 'H',
      apply: (d) => {
        const call = opOf(d).call;
        if (!call) throw new Error('U1 outside a walk');
        const val = call.val;
        if (call.stage === 'walk') callNext(call, d.memory);
        d.H.ghost.betweenG1U1 = false;
        if (f.handLock) atomicSetBy(x, d, 'H', 'active', 0);
        else if (d.H.cmm.holds || f.unbalancedUnlock) {
          mutexUnlock(x.k(), HOTPLUG_MUTEX, 'H');
          d.H.cmm.holds = false;
        }
        if (d.pause.phase === 'held') {
          if (val === MEM_OFFLINE) d.pause.phase = 'after';
          else d.pause = { phase: 'none', allowance: false, resumable: false };
        }
        cmmReturn(d, NOTIFY_OK);
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'MEM_OFFLINE / MEM_CANCEL_OFFLINE: mutex_unlock(hotplug_mutex)',
    }),
    rule({
      name: 'scan',
      step: 'offline.3',
      fn: 'offline_pages',
      enabled: (s) => when(phase(s) === 'scan' && zoneFreeable(s.k)),
      ctx: 'H',
      apply: (d) => {
        const op = opOf(d);
        let ok = true;
        for (const p of g.pagesOfBlock(op.block).filter((q) => d.pages[q] === 'other_movable')) {
          const pb = allocatablePbs(d, g, c, op.block)[0];
          if (pb === undefined) {
            ok = false;
            break;
          }
          takePage(d, g, pb, 'other_movable');
          d.pages[p] = 'free';
        }
        offlineScan(op, ok ? 'migrated' : 'error');
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'migrate the LRU pages of the range',
    }),
    rule({
      name: 'check',
      step: 'offline.4',
      fn: 'offline_pages',
      enabled: (s) => when(phase(s) === 'check'),
      ctx: 'H',
      apply: (d) => {
        const op = opOf(d);
        offlineCheck(op, g.pagesOfBlock(op.block).every((p) => d.pages[p] === 'free'));
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'check_pages_isolated: every page free?',
    }),
    rule({
      name: 'offline_pages',
      step: 'offline.4',
      fn: 'offline_pages',
      enabled: (s) => when(phase(s) === 'offline-pages'),
      ctx: 'H',
      apply: (d) => {
        const op = opOf(d);
        const block = d.blocks[op.block];
        if (!block) throw new Error('no block');
        block.present = false;
        d.totalram -= g.pagesPerBlock;
        offlinePages(op);
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'take the pages offline, totalram -= n',
    }),
    rule({
      name: 'undo',
      step: 'offline.5',
      fn: 'undo_isolate_page_range',
      enabled: (s) => when(phase(s) === 'undo'),
      ctx: 'H',
      apply: (d) => {
        const op = opOf(d);
        while (op.phase === 'undo') if (undoStep(x.k(), op, 'H') === 'waiting') return;
        seq.advance(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(zone_lock); un-isolate the pageblocks',
    }),
    rule({
      name: 'online_pages',
      step: 'online.2',
      fn: 'online_pages',
      enabled: (s) => when(phase(s) === 'online-pages'),
      ctx: 'H',
      apply: (d) => seq.onlineStep(d),
      // Stryker disable next-line all: trace text only
      text: () => 'online the pages, totalram += n',
    }),
  ];
}
