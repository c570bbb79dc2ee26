/**
 * Spec 02 §3, ALLOC (`cmm_alloc_pages`), run by T: A1 with A2 (A1 only
 * touches the mutex and `occurred`, which no allocation reads; V1's A1 reads
 * `hotplug_active` with no lock, so there they are two steps); A3 with A4's
 * test and, when the head has room, A5/A6 (a critical section of cmm_lock
 * that cannot block is taken whole in its lock step); A4's unlock and list
 * page allocation; A4's relock with A5/A6; A5 apart only when it may fail
 * (`hvErrors`); the frees ALLOC owes (A4's spare list page after A6's unlock,
 * the W1 fix; the page of a failed iteration). The end of ALLOC (`if r:
 * target := loaned`) is folded into the step that ends the loop.
 */
import { canProceed, mightSleep, mutexTrylock, mutexUnlock, spinLock, spinUnlock } from '../../kernel/locks.js';
import { type Rule, rulesFor, when } from '../../rules.js';
import type { AllocCall, BalloonState } from '../state.js';
import { atomicReadAt, readChoices, staleRead } from './marked.js';
import { CMM_LOCK, type DS, HOTPLUG_MUTEX, type Kit, type S, allocOf, freeChoices, freeFirst, headFullOrNone, pcpText, spinFreeFor, takePage, toSleep } from './kit.js';

const rule = rulesFor<BalloonState>();

/** The merged A1 will stop the loop without allocating (mutex taken or corrupt, or a hotplug occurred); V1's A1 is a step of its own. */
export function a1Stops(s: S): boolean {
  const l = s.k.locks[HOTPLUG_MUTEX];
  return !l || l.kind !== 'mutex' || l.count !== 1 || s.occurred !== 0;
}

/** T's ALLOC call, when T is in one. */
const allocCall = (s: S): AllocCall | null => (s.T.pc === 'alloc' ? s.T.alloc : null);

/** ALLOC's steps. */
export function allocRules(x: Kit): Rule<BalloonState>[] {
  const { f, c, g } = x;

  const exitAlloc = (d: DS): void => {
    if (allocOf(d).nr !== 0) d.target = d.loaned;
    d.pause.allowance = false;
    toSleep(d);
  };

  const allocLoop = (d: DS): void => {
    const a = allocOf(d);
    d.pause.allowance = false;
    if (a.nr > 0) a.pc = 'A1';
    else exitAlloc(d);
  };

  const allocContinue = (d: DS): void => {
    const a = allocOf(d);
    if (a.then === 'A5') a.pc = 'A5';
    else if (a.then === 'loop') allocLoop(d);
    else exitAlloc(d);
  };

  /** B6's ghost: ALLOC put a page of the block being offlined on the list (its iteration was between A2 and A6 during the offline). */
  const listedDuringOffline = (d: DS, p: number): void => {
    const op = d.H.op;
    if (op && op.op === 'offline' && g.blockOf(p) === op.block) d.H.ghost.lateA6 = true;
  };

  /** A5 succeeds and A6 appends `p` to the head; unlock; the spare list page (W1 fix) is freed next. */
  const a6 = (d: DS): void => {
    const al = allocOf(d);
    const p = al.p;
    const head = d.list[0];
    if (p === null || !head) throw new Error('A6 without a page or an array');
    head.entries.push(p);
    d.pages[p] = 'loaned';
    listedDuringOffline(d, p);
    d.loaned += 1;
    d.totalram -= 1;
    spinUnlock(x.k(), CMM_LOCK, 'T');
    al.nr -= 1;
    al.p = null;
    d.pause.allowance = false;
    d.pause.resumable = false;
    if (al.m !== null) {
      al.frees = [al.m];
      al.m = null;
      al.then = 'loop';
      al.pc = 'A_free';
    } else allocLoop(d);
  };

  /** Under cmm_lock with the head ready: A5 is its own step only when it may fail. */
  const toA5 = (d: DS): void => {
    if (c.hvErrors) allocOf(d).pc = 'A5';
    else a6(d);
  };

  /** T may take its A3 spin_lock now, and the head has no room: A4's path. */
  const needsListPage = (s: S): boolean => spinFreeFor(s.k, CMM_LOCK, 'T') && headFullOrNone(s.list, c.cmmNrPages);

  /** A1 with A2: the trylock is released before A2, and only `occurred`, which no allocation reads, is tested under it. */
  const a1 = rule({
    step: 'A1',
    fn: 'cmm_alloc_pages',
    enabled: (s) => (allocCall(s)?.pc !== 'A1' ? [] : a1Stops(s) ? [{ pb: null }] : x.allocChoices(s).map((pb) => ({ pb }))),
    ctx: 'T',
    apply: (d, { pb }) => {
      const al = allocOf(d);
      if (!mutexTrylock(x.k(), HOTPLUG_MUTEX, 'T')) return exitAlloc(d);
      const occ = d.occurred !== 0;
      mutexUnlock(x.k(), HOTPLUG_MUTEX, 'T');
      if (occ) return exitAlloc(d);
      mightSleep(x.k(), 'T', '__get_free_page(GFP_NOIO)');
      if (pb === null) return exitAlloc(d);
      al.p = takePage(d, g, pb, 'inflight');
      al.pc = 'A3';
    },
    // Stryker disable next-line all: trace text only
    text: (_, { pb }) => `mutex_trylock; occurred → stop; A2 __get_free_page(GFP_NOIO): ${pb === null ? 'none (or A1 stopped)' : `pageblock ${pb}`}`,
    });

  /**
   * V1's A1 alone: `atomic_read(&hotplug_active)`, which G1 and U1 write with
   * no lock, so it does not commute with them and is not merged with A2
   * (under SC an offline may start or end between the two). Under `lkmm`,
   * one instance per message of `active` T may read.
   */
  const a1Read = rule({
    step: 'A1',
    fn: 'cmm_alloc_pages',
    enabled: (s): readonly { readonly rd?: number }[] => {
      if (allocCall(s)?.pc !== 'A1') return [];
      return s.k.mem ? readChoices(s, 'T', 'active').map(({ t }) => ({ rd: t })) : [{}];
    },
    ctx: 'T',
    apply: (d, { rd }) => {
      // B5's ghost: a read older than the latest message of `active` (G1's, while the pause is held) is
      // coherence-before G1's write: as far as the flag goes this iteration began before G1 (spec 06 §4)
      if (d.pause.phase === 'held' && staleRead(x, 'active', rd)) d.pause.allowance = true;
      if (atomicReadAt(x, d, 'T', 'active', rd) !== 0) return exitAlloc(d);
      allocOf(d).pc = 'A2';
    },
    // Stryker disable next-line all: trace text only
    text: (_, { rd }, n) => `atomic_read(&hotplug_active)${rd !== undefined ? ` reads message ${rd}` : ''}: ${n.T.alloc?.pc === 'A2' ? '0 → A2' : 'set → stop'}`,
  });

  /** V1's A2: `__get_free_page(GFP_NOIO)` after A1 passed. */
  const a2 = rule({
    step: 'A2',
    fn: 'cmm_alloc_pages',
    enabled: (s) => (allocCall(s)?.pc !== 'A2' ? [] : x.allocChoices(s).map((pb) => ({ pb }))),
    ctx: 'T',
    apply: (d, { pb }) => {
      mightSleep(x.k(), 'T', '__get_free_page(GFP_NOIO)');
      if (pb === null) return exitAlloc(d);
      const al = allocOf(d);
      al.p = takePage(d, g, pb, 'inflight');
      al.pc = 'A3';
    },
    // Stryker disable next-line all: trace text only
    text: (_, { pb }) => `__get_free_page(GFP_NOIO): ${pb === null ? 'none' : `pageblock ${pb}`}`,
  });

  return [
    ...(f.handLock ? [a1Read, a2] : [a1]),
    // a contended spin_lock only queues T; once it can take the lock, the head decides between A3 and A4
    rule({
      step: 'A3',
      fn: 'cmm_alloc_pages',
      enabled: (s) => when(allocCall(s)?.pc === 'A3' && canProceed(s.k, 'T') && !needsListPage(s)),
      ctx: 'T',
      apply: (d) => {
        if (spinLock(x.k(), CMM_LOCK, 'T') === 'waiting') return;
        if (headFullOrNone(d.list, c.cmmNrPages)) throw new Error('A3 with the head full');
        toA5(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(cmm_lock); head has room → A5 set loaned, A6 append, loaned++, totalram--, unlock',
    }),
    rule({
      step: 'A4',
      fn: 'cmm_alloc_pages',
      enabled: (s) => (allocCall(s)?.pc === 'A3' && canProceed(s.k, 'T') && needsListPage(s) ? x.allocChoices(s).map((pb) => ({ pb })) : []),
      ctx: 'T',
      apply: (d, { pb }) => {
        const al = allocOf(d);
        if (spinLock(x.k(), CMM_LOCK, 'T') === 'waiting') throw new Error('A4 offered with cmm_lock taken');
        spinUnlock(x.k(), CMM_LOCK, 'T');
        mightSleep(x.k(), 'T', '__get_free_page(GFP_NOIO)');
        if (pb === null) {
          al.frees = al.p === null ? [] : [al.p];
          al.p = null;
          al.then = 'exit';
          al.pc = 'A_free';
          return;
        }
        al.m = takePage(d, g, pb, 'inflight');
        al.pc = 'A4_lock';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { pb }) => `spin_lock; list empty or head full → unlock, allocate a list page: ${pb === null ? 'none → free the page, stop' : `pageblock ${pb}`}`,
    }),
    rule({
      name: 'A4_lock',
      step: 'A4',
      fn: 'cmm_alloc_pages',
      enabled: (s) => when(allocCall(s)?.pc === 'A4_lock' && canProceed(s.k, 'T')),
      ctx: 'T',
      apply: (d) => {
        if (spinLock(x.k(), CMM_LOCK, 'T') === 'waiting') return;
        const al = allocOf(d);
        const m = al.m;
        if (m === null) throw new Error('A4 without a list page');
        if (headFullOrNone(d.list, c.cmmNrPages)) {
          d.list.unshift({ meta: m, entries: [] });
          d.pages[m] = 'meta';
          al.m = null;
          listedDuringOffline(d, m);
        } else if (f.freeUnderLock) {
          al.frees = [m];
          al.m = null;
          al.then = 'A5';
          al.pc = 'A_free';
          return;
        }
        toA5(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(cmm_lock); head still empty/full → push the new array (else keep it to free); A5, A6',
    }),
    rule({
      step: 'A5',
      fn: 'cmm_alloc_pages',
      enabled: (s) => when(allocCall(s)?.pc === 'A5' && c.hvErrors),
      ctx: 'T',
      apply: (d) => {
        const al = allocOf(d);
        spinUnlock(x.k(), CMM_LOCK, 'T');
        al.frees = [al.p, al.m].filter((p): p is number => p !== null);
        al.p = null;
        al.m = null;
        al.then = 'exit';
        al.pc = 'A_free';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'plpar_page_set_loaned fails → unlock, free the page, stop',
    }),
    rule({
      step: 'A6',
      fn: 'cmm_alloc_pages',
      enabled: (s) => when(allocCall(s)?.pc === 'A5'),
      ctx: 'T',
      apply: (d) => a6(d),
      // Stryker disable next-line all: trace text only
      text: () => 'plpar_page_set_loaned ok; append, loaned++, totalram--, unlock',
    }),
    rule({
      name: 'A_free',
      step: 'A4',
      fn: 'cmm_alloc_pages',
      enabled: (s) => {
        const a = allocCall(s);
        return a?.pc === 'A_free' ? freeChoices(s, x, 'T', a.frees[0]).map((on) => ({ pcp: on })) : [];
      },
      ctx: 'T',
      apply: (d, args) => {
        if (freeFirst(d, x, 'T', allocOf(d).frees, args.pcp) === 'done') allocContinue(d);
      },
      // Stryker disable next-line all: trace text only
      text: (_, args) => `free_page (${pcpText(args.pcp)})`,
    }),
  ];
}
