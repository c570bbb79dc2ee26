/**
 * CMM balloon made memory-hotplug aware (spec 02, seed 001;
 * arch/powerpc/platforms/pseries/cmm.c, v2.6.33): the cmm thread T loans
 * pages (ALLOC) and returns them (FREE), the OOM notifier O and the disable
 * writer D return pages, and the hotplug task H runs offline/online through
 * the kernel sequences of kernel/hotplug.ts, calling CMM's isolation callback
 * I and memory-chain callback M.
 *
 * Decisions where the spec leaves room:
 * - `reference` is the merged code with the §6b fixes: W1 frees outside
 *   cmm_lock (F2 and G4 collect, F4 and G6 free; A4's unneeded list page is
 *   freed after A6's unlock), W2 allocates G5's replacement without
 *   `__GFP_WAIT`, W3 unlocks in U1 only if G1 took the mutex, W4 returns
 *   -ENOMEM, W5 restarts G4's scan at the new head.
 * - Steps. Each action is one numbered step, or several where the ones in
 *   between cannot be observed or commute with every other context's step
 *   (partial-order reduction, documented per action in `describe`): T1–T4
 *   (T1 only reads `stop`; T holds the mutex only from T2 to T3, where G1
 *   just waits; T3's unlock commutes with every step that writes T4's
 *   inputs — an idle round is then T1, T5: two steps a trace minimizer can
 *   drop together); A1 with A2 (A1 only touches the
 *   mutex and `occurred`, which no allocation reads); every critical section
 *   of cmm_lock that cannot block is taken whole in its lock step (A3 with
 *   A4's test and A5/A6; A4's relock with A5/A6; the reference F1–F3; G3
 *   with G4; I1) — unlocked readers of `loaned` see the values before or
 *   after it, as each section writes it once; G2 is folded into G1; the end
 *   of ALLOC (`if r: target := loaned`) is folded into the step that ends
 *   the loop; the undo of consecutive pageblocks is one step. W1 keeps F1,
 *   each F2 iteration, each free under the lock and F3 apart.
 * - Hotplug steps nobody else can observe (state_mutex, pm mutex — there is
 *   one hotplug task —, a walk's enter/exit, callbacks that cannot veto, a
 *   scan that finds no LRU page, the drain) are taken in the action of the
 *   preceding visible step of H; an offline request also takes its first
 *   pageblock's zone_lock, and an online request is one action (onlining
 *   the pages is its only visible step). A non-MOVABLE pageblock's
 *   isolation is three actions: take zone_lock (enter the chain), I1, the
 *   count check (exit the chain, release zone_lock).
 * - Page frees (§7): a free by T, O or D offers the per-CPU-list bit `pcp`:
 *   `pcp=false` takes zone_lock (queueing if it is held), `pcp=true` does not;
 *   a page of an isolated pageblock always takes it; with zone_lock free and
 *   no waiter both give the same state, so only `pcp=false` is offered. H's
 *   own frees (G4/G5/G6, migration) are in isolated pageblocks; H's step is
 *   enabled once zone_lock is free with no waiter: every waiter ahead of H
 *   holds no lock H holds, so H spinning there is not observable.
 * - Placement: an allocation chooses a pageblock (any non-isolated pageblock
 *   of an online block: unmovable allocations may fall back to MOVABLE
 *   pageblocks) and takes its lowest free page, or fails when `allocFail`.
 *   Pages of a pageblock, and pages of blocks never offlined, are
 *   interchangeable: see symmetry.ts. Migration targets are the lowest free
 *   pages outside the block; none → a failed pass.
 * - The memory chain's rwsem is not modelled (nobody registers during a
 *   walk); the isolation chain is atomic with CMM's block at priority 15.
 *   The other memory callbacks: priority 5 (`vetoCallback`, may veto
 *   GOING_OFFLINE) and priority 0 (may veto only with `veto0`). Sleeps end
 *   with `tick`s (T1, T3's hotplug_delay). No timeout or signal ends an
 *   offline. `hv` moves `loan_request` to the next configured value.
 *   Random configurations may start with a balloon already holding pages
 *   (`preload`); §7's starts empty.
 * - B4 is the built-in `deadlock` and `sleep-in-atomic` checks; B3's lock
 *   rules are also the built-in `lock-discipline`. B6's premise is made
 *   precise in properties.ts.
 * - Speed: `next` uses immer for the model state but hands the lock helpers
 *   a plain copy of the kernel slice (they walk every lock; through immer's
 *   proxies that was a quarter of a hotplug step), and dispatches through
 *   ts-pattern over groups of steps with one typed table per group.
 * - Liveness (B7 as an eventually-property; its precise form is in
 *   properties.ts): §4's events are the environment, which eventually
 *   stops; ticks are T's own steps (a sleep ends); an allocation failing
 *   while a page is free is the environment's choice ("enough free
 *   memory"), one failing with no page to take is the context's. The
 *   liveness key is the state without `b10` and the offline's ghost, with
 *   no symmetry reduction (a lasso is replayed by action names).
 * - A set-loaned error (A5, `hvErrors`) leaves an empty array at the head,
 *   where F2 stops (`head non-empty`): FREE then returns nothing until the
 *   next A6. This is the kernel's behaviour and breaks B7; random
 *   configurations leave `hvErrors` off.
 */
import { castDraft, type Draft } from 'immer';
import { produce } from '../kernel/immer.js';
import { match } from 'ts-pattern';
import type { Machine, MachineOptions, ModelDef, StepInfo } from '../contract.js';
import { erase } from '../contract.js';
import { ENOMEM } from '../kernel/errno.js';
import {
  type HotplugConfig,
  type HotplugOp,
  MEM_CANCEL_OFFLINE,
  MEM_GOING_OFFLINE,
  MEM_OFFLINE,
  hotplugCallDone,
  hotplugLockPm,
  hotplugLockState,
  hotplugUnlockPm,
  hotplugUnlockState,
  hotplugWalking,
  isolateAddFound,
  isolateBegin,
  isolateFinish,
  offlineCheck,
  offlineDrained,
  offlinePages,
  offlineRepeat,
  offlineScan,
  onlinePages,
  startOffline,
  startOnline,
  undoStep,
} from '../kernel/hotplug.js';
import { canProceed, mightSleep, mutexLock, mutexTrylock, mutexUnlock, spinLock, spinUnlock } from '../kernel/locks.js';
import { atomicDecIfPositive } from '../kernel/atomic.js';
import {
  type NotifierChain,
  NOTIFY_BAD,
  NOTIFY_OK,
  callEnter,
  callExit,
  callNext,
  callReturn,
  notifierFromErrno,
  register,
  type ChainFlavour,
} from '../kernel/notifier.js';
import type { KernelState, LockState } from '../kernel/state.js';
import { kernelState } from '../kernel/state.js';
import { balloonFocusedRandomConfig, balloonRandomConfig, balloonW5RandomConfig, parseBalloonConfig, SMALL, W1_CONFIG } from './config.js';
import { balloonProperties } from './properties.js';
import type { AllocCall, BalloonAction, BalloonConfig, BalloonState, FreeCall, FreeCtx, OpGhost, PageArray, PageState } from './state.js';
import { freeCall } from './state.js';
import { balloonView, oneChoicePerClass, pageClasses, type PageClasses } from './symmetry.js';

/** CMM_MEM_HOTPLUG_PRI. */
export const CMM_MEM_HOTPLUG_PRI = 1;
/** CMM_MEM_ISOLATE_PRI. */
export const CMM_MEM_ISOLATE_PRI = 15;
/** V3's CMM memory-callback priority: above the vetoing priority-5 callback. */
export const V3_PRI = 10;

/** Behaviour switches of one variant (all false / priority 1: `reference`). */
export interface BalloonFlags {
  /** V1: atomics `hotplug_active`/`hotplug_occurred` instead of mutex + int. */
  readonly handLock: boolean;
  /** robert: B6 without the "no ALLOC iteration between A2 and A6" clause (a property switch). */
  readonly robertB6: boolean;
  /** V2: list pages not counted by I and not relocated (no G5). */
  readonly movableMeta: boolean;
  /** CMM's memory-chain priority (1; V3: 10). */
  readonly cmmPriority: number;
  /** W1: pages freed under cmm_lock (F2, G4, A4, G5). */
  readonly freeUnderLock: boolean;
  /** W2: G5 allocates with GFP_NOIO under cmm_lock. */
  readonly g5Sleeps: boolean;
  /** W3: U1 unlocks the mutex whether or not G1 took it. */
  readonly unbalancedUnlock: boolean;
  /** W4: G5's failure returns +ENOMEM. */
  readonly positiveErrno: boolean;
  /** W5: G4 advances twice when the head empties during its own scan. */
  readonly compactionSkip: boolean;
}

const REF: BalloonFlags = {
  handLock: false,
  robertB6: false,
  movableMeta: false,
  cmmPriority: CMM_MEM_HOTPLUG_PRI,
  freeUnderLock: false,
  g5Sleeps: false,
  unbalancedUnlock: false,
  positiveErrno: false,
  compactionSkip: false,
};

/** Flags of every variant. */
export const FLAGS: Record<string, BalloonFlags> = {
  reference: REF,
  V1: { ...REF, handLock: true },
  robert: { ...REF, robertB6: true },
  V2: { ...REF, movableMeta: true },
  V3: { ...REF, cmmPriority: V3_PRI },
  W1: { ...REF, freeUnderLock: true },
  W2: { ...REF, g5Sleeps: true },
  W3: { ...REF, unbalancedUnlock: true },
  W4: { ...REF, positiveErrno: true },
  W5: { ...REF, compactionSkip: true },
};

const CMM_LOCK = 'cmm_lock';
const ZONE_LOCK = 'zone_lock';
const HOTPLUG_MUTEX = 'hotplug_mutex';
const PM_MUTEX = 'pm_mutex';
const stateMutex = (b: number): string => `state_mutex${b}`;
const IMMOBILE: readonly PageState[] = ['other_pinned', 'inflight', 'loaned', 'meta'];
const OTHER_KINDS = ['other_movable', 'other_pinned'] as const;

// ---------------------------------------------------------------- geometry

/** Page/pageblock/block arithmetic of a configuration. */
export interface Geometry {
  readonly pages: number;
  readonly pageblocks: number;
  readonly pagesPerBlock: number;
  pbOf(p: number): number;
  blockOfPb(pb: number): number;
  blockOf(p: number): number;
  pagesOfPb(pb: number): number[];
  pagesOfBlock(b: number): number[];
}

/** The geometry of `c`. */
export function geometry(c: BalloonConfig): Geometry {
  const pageblocks = c.blocks * c.pageblocksPerBlock;
  const pages = pageblocks * c.pagesPerPageblock;
  const pagesPerBlock = c.pageblocksPerBlock * c.pagesPerPageblock;
  const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
  const ofPb = Array.from({ length: pageblocks }, (_, pb) => range(pb * c.pagesPerPageblock, c.pagesPerPageblock));
  const ofBlock = Array.from({ length: c.blocks }, (_, b) => range(b * pagesPerBlock, pagesPerBlock));
  return {
    pages,
    pageblocks,
    pagesPerBlock,
    pbOf: (p) => Math.floor(p / c.pagesPerPageblock),
    blockOfPb: (pb) => Math.floor(pb / c.pageblocksPerBlock),
    blockOf: (p) => Math.floor(p / pagesPerBlock),
    pagesOfPb: (pb) => ofPb[pb] ?? [],
    pagesOfBlock: (b) => ofBlock[b] ?? [],
  };
}

/** cmm_get_mpp (T4, spec 02 §2): the loan target. */
export function mppTarget(s: Pick<BalloonState, 'totalram' | 'loaned' | 'loanRequest' | 'oomFreed'>, minMem: number): number {
  const total = s.totalram + s.loaned;
  let t = s.loanRequest + s.loaned;
  if (t < 0 || total < minMem) t = 0;
  t = t > s.oomFreed ? t - s.oomFreed : 0;
  if (total - t < minMem) t = total - minMem;
  return Math.max(t, 0);
}

const freshGhost = (): OpGhost => ({ lateA6: false, cbFailed: 'none', unloaned: 0 });

function hotplugCfg(b: number): HotplugConfig {
  return { memoryChain: 'memory', isolateChain: 'isolate', stateMutex: stateMutex(b), pmMutex: PM_MUTEX, zoneLock: ZONE_LOCK };
}

/** A chain with `blocks` registered in order at boot: notifier.ts's `register` on a plain chain (no immer). */
function bootChain(name: string, flavour: ChainFlavour, blocks: readonly { id: string; priority: number }[]): NotifierChain {
  const ch: NotifierChain = { name, flavour, lock: null, head: null, blocks: [], walkers: [], corrupt: false };
  for (const b of blocks) register(ch as Draft<NotifierChain>, b);
  return ch;
}

function initState(c: BalloonConfig, f: BalloonFlags): BalloonState {
  const g = geometry(c);
  const locks: Record<string, 'spin' | 'mutex'> = { [CMM_LOCK]: 'spin', [ZONE_LOCK]: 'spin', [HOTPLUG_MUTEX]: 'mutex', [PM_MUTEX]: 'mutex' };
  for (let b = 0; b < c.blocks; b++) locks[stateMutex(b)] = 'mutex';
  const memBlocks: { id: string; priority: number }[] = [];
  if (c.vetoCallback) memBlocks.push({ id: 'other5', priority: 5 });
  memBlocks.push({ id: 'cmm', priority: f.cmmPriority });
  memBlocks.push({ id: 'other0', priority: 0 });
  const pages: PageState[] = c.initial.slice(0, g.pages);
  const list: PageArray[] = c.preload.map(([meta, ...entries]) => ({ meta: meta as number, entries }));
  for (const a of list) {
    pages[a.meta] = 'meta';
    for (const p of a.entries) pages[p] = 'loaned';
  }
  const loaned = list.reduce((n, a) => n + a.entries.length, 0);
  return {
    memory: bootChain('memory', 'blocking', memBlocks),
    isolate: bootChain('isolate', 'atomic', [{ id: 'cmm', priority: CMM_MEM_ISOLATE_PRI }]),
    k: kernelState(locks),
    pages,
    blocks: Array.from({ length: c.blocks }, () => ({ state: 'online' as const, present: true })),
    list,
    loaned,
    target: loaned,
    oomFreed: 0,
    totalram: g.pages - loaned,
    loanRequest: 0,
    occurred: 0,
    active: 0,
    stop: false,
    T: { pc: 'sleep', alloc: null, free: null },
    O: { pc: 'idle', free: null, f: 0 },
    D: { pc: 'idle', free: null },
    H: { op: null, cmm: { pc: null, holds: false, frees: [] }, ghost: freshGhost() },
    oomLeft: c.oomEvents,
    offlineLeft: c.offlineEvents,
    onlineLeft: c.onlineEvents,
    otherLeft: c.otherEvents,
    disableLeft: c.disable ? 1 : 0,
    pause: { phase: 'none', allowance: false, resumable: false },
    oops: null,
    b10: 0,
  };
}

// ---------------------------------------------------------------- helpers

type S = BalloonState;
type DS = Draft<BalloonState>;
/** The group of steps (and so the handler table) of each action type. */
const STEP_GROUP = {
  hv: 'env',
  oom: 'env',
  disable: 'env',
  offline: 'env',
  online: 'env',
  other_alloc: 'env',
  other_free: 'env',
  T1: 'thread',
  T3_sleep: 'thread',
  T5: 'thread',
  A1: 'alloc',
  A3: 'alloc',
  A4: 'alloc',
  A4_lock: 'alloc',
  A5: 'alloc',
  A6: 'alloc',
  A_free: 'alloc',
  F1: 'free',
  F2: 'free',
  F2_free: 'free',
  F3: 'free',
  F4: 'free',
  O2: 'oomDisable',
  O3: 'oomDisable',
  D2: 'oomDisable',
  isolate: 'hotplug',
  I1: 'hotplug',
  isolate_check: 'hotplug',
  cb: 'hotplug',
  G1: 'hotplug',
  G3: 'hotplug',
  G5: 'hotplug',
  G6: 'hotplug',
  U1: 'hotplug',
  scan: 'hotplug',
  check: 'hotplug',
  offline_pages: 'hotplug',
  undo: 'hotplug',
  online_pages: 'hotplug',
} as const satisfies Record<BalloonAction['type'], string>;

/** The action types of one group. */
type GroupTypes<G extends string> = { [T in keyof typeof STEP_GROUP]: (typeof STEP_GROUP)[T] extends G ? T : never }[keyof typeof STEP_GROUP];

/** One handler per action type of `K`. */
type Steps<K extends BalloonAction['type']> = { readonly [T in K]: (d: DS, x: Extract<BalloonAction, { type: T }>) => void };

/** Whether pageblock `pb` is isolated by the offline in flight. */
export function isolatedPb(s: S | DS, g: Geometry, pb: number, c: BalloonConfig): boolean {
  const op = s.H.op;
  if (!op || op.op !== 'offline') return false;
  const b = g.blockOfPb(pb);
  return op.block === b && op.isolated[pb - b * c.pageblocksPerBlock] === true;
}

/** Pageblocks an allocation may take a page from now. */
function allocatablePbs(s: S | DS, g: Geometry, c: BalloonConfig, exceptBlock = -1): number[] {
  const out: number[] = [];
  for (let pb = 0; pb < g.pageblocks; pb++) {
    const b = g.blockOfPb(pb);
    if (b === exceptBlock || !s.blocks[b]?.present || isolatedPb(s, g, pb, c)) continue;
    if (g.pagesOfPb(pb).some((p) => s.pages[p] === 'free')) out.push(pb);
  }
  return out;
}

function takePage(d: DS, g: Geometry, pb: number, as: PageState): number {
  const p = g.pagesOfPb(pb).find((x) => d.pages[x] === 'free');
  if (p === undefined) throw new Error(`no free page in pageblock ${pb}`);
  d.pages[p] = as;
  return p;
}

function spinOf(k: KernelState, name: string): { owner: string | null; waiters: readonly string[] } {
  const l = k.locks[name];
  if (!l || l.kind !== 'spin') throw new Error(`no spinlock ${name}`);
  return l;
}

/** zone_lock is free and nobody queues on it: a free that needs it goes through at once. */
function zoneFreeable(k: KernelState): boolean {
  const l = spinOf(k, ZONE_LOCK);
  return l.owner === null && l.waiters.length === 0;
}

/** A spin_lock by `ctx` would take `name` now (free, and `ctx` is not behind another waiter). */
function spinFreeFor(k: KernelState, name: string, ctx: string): boolean {
  const l = spinOf(k, name);
  return l.owner === null && (l.waiters.length === 0 || l.waiters[0] === ctx);
}

/**
 * free_page by T, O or D: through the per-CPU list (`pcp`, no lock) unless the
 * list is full or the pageblock is isolated, then under zone_lock.
 */
function freePage(d: DS, k: Draft<KernelState>, g: Geometry, c: BalloonConfig, ctx: string, page: number, pcp: boolean): 'done' | 'waiting' {
  const needZone = !pcp || isolatedPb(d, g, g.pbOf(page), c);
  if (needZone) {
    if (spinLock(k, ZONE_LOCK, ctx) === 'waiting') return 'waiting';
    d.pages[page] = 'free';
    spinUnlock(k, ZONE_LOCK, ctx);
  } else d.pages[page] = 'free';
  return 'done';
}

/** The `pcp` choices a free of `page` by `ctx` offers now (see the header). */
function freeChoices(s: S, g: Geometry, c: BalloonConfig, ctx: string, page: number | undefined): boolean[] {
  if (page === undefined || !canProceed(s.k, ctx)) return [];
  const queued = spinOf(s.k, ZONE_LOCK).waiters.includes(ctx);
  if (queued || zoneFreeable(s.k) || isolatedPb(s, g, g.pbOf(page), c)) return [false];
  return [false, true];
}

const headFullOrNone = (list: readonly PageArray[], nr: number): boolean => list.length === 0 || (list[0]?.entries.length ?? 0) >= nr;

/** ALLOC's iteration has passed A1 and not reached A6. */
function iterationOpen(a: AllocCall | null): boolean {
  if (!a || a.pc === 'A1') return false;
  return !(a.pc === 'A_free' && a.then !== 'A5');
}

function freeOf(d: DS, ctx: FreeCtx): Draft<FreeCall> {
  const fc = ctx === 'T' ? d.T.free : ctx === 'O' ? d.O.free : d.D.free;
  if (!fc) throw new Error(`${ctx} is not in cmm_free_pages`);
  return fc;
}

function freeCallOf(s: S, ctx: FreeCtx): FreeCall | null {
  if (ctx === 'T') return s.T.pc === 'free' ? s.T.free : null;
  if (ctx === 'O') return s.O.pc === 'free' ? s.O.free : null;
  return s.D.pc === 'free' ? s.D.free : null;
}

function allocOf(d: DS): Draft<AllocCall> {
  if (!d.T.alloc) throw new Error('T is not in cmm_alloc_pages');
  return d.T.alloc;
}

function opOf(d: DS): Draft<HotplugOp> {
  if (!d.H.op) throw new Error('no hotplug operation in flight');
  return d.H.op;
}

// ---------------------------------------------------------------- machine

/** Builds the machine of one variant. */
export function balloonMachine(variant: string, c: BalloonConfig, options: MachineOptions = {}): Machine<BalloonState, BalloonAction> {
  const f = FLAGS[variant];
  if (!f) throw new Error(`unknown variant '${variant}' of model 'balloon'`);
  const g = geometry(c);
  const cls = pageClasses(c, g);
  // one allocation choice per class of interchangeable pageblocks, unless symmetry is off
  const choices = options.symmetry === false ? (pbs: readonly number[]): number[] => [...pbs] : (pbs: readonly number[]): number[] => oneChoicePerClass(pbs, cls);
  const inBlock = (b: number) => (p: number) => g.blockOf(p) === b;

  /** Allocation choices: a pageblock per symmetry class, or `null` (failure) when allocations may fail or nothing is free. */
  const allocChoices = (s: S): (number | null)[] => {
    const pbs: (number | null)[] = choices(allocatablePbs(s, g, c));
    if (c.allocFail || pbs.length === 0) pbs.push(null);
    return pbs;
  };

  /** A memory-chain callback that is a visible step: CMM's GOING_OFFLINE, a non-trivial U1, a callback that may veto. */
  const visibleCallback = (s: S | DS, id: string, val: number): boolean => {
    if (id === 'cmm') {
      if (val === MEM_GOING_OFFLINE) return true;
      if (val === MEM_OFFLINE || val === MEM_CANCEL_OFFLINE) return f.handLock || f.unbalancedUnlock || s.H.cmm.holds;
      return false;
    }
    if (val !== MEM_GOING_OFFLINE) return false;
    return id === 'other5' || (id === 'other0' && c.veto0);
  };

  /** The value `hv` sets: the one after `cur` in the configured list (cyclically), or the first. */
  const nextRequest = (cur: number): number => {
    const i = c.loanRequests.indexOf(cur);
    return c.loanRequests[(i + 1) % c.loanRequests.length] ?? cur;
  };

  /** A1 will stop the loop without allocating (mutex taken or corrupt, or a hotplug occurred; V1: hotplug active). */
  const a1Stops = (s: S): boolean => {
    if (f.handLock) return s.active !== 0;
    const l = s.k.locks[HOTPLUG_MUTEX];
    return !l || l.kind !== 'mutex' || l.count !== 1 || s.occurred !== 0;
  };

  /**
   * The kernel slice of the step in progress: a plain copy, not part of the
   * immer draft. The lock helpers walk every lock (mightSleep, waitingOn);
   * through immer's proxies that was a quarter of a hotplug step.
   */
  let K: Draft<KernelState> | null = null;
  let baseK: KernelState = kernelState({});
  /** The step's plain kernel slice, copied on first use. */
  const k = (): Draft<KernelState> => (K ??= castDraft(cloneKernel(baseK)));


  // ---- T's round ends
  const toSleep = (d: DS): void => {
    d.T.pc = 'sleep';
    d.T.alloc = null;
    d.T.free = null;
  };

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
    spinUnlock(k(), CMM_LOCK, 'T');
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

  const finishFree = (d: DS, ctx: FreeCtx): void => {
    const fc = freeOf(d, ctx);
    if (ctx === 'T') toSleep(d);
    else if (ctx === 'O') {
      d.O.f = c.oomPages - fc.nr;
      d.O.free = null;
      d.O.pc = 'O2';
    } else {
      d.D.free = null;
      d.D.pc = 'done';
    }
  };

  // ---- hotplug: take every step nobody else can observe, stop before a visible one
  const finishOp = (d: DS): void => {
    const op = opOf(d);
    if (op.op === 'offline' && op.accepted && op.ret !== 0) d.b10 += d.H.ghost.unloaned;
    d.H.op = null;
    d.H.cmm = { pc: null, holds: d.H.cmm.holds, frees: [] };
    d.H.ghost = freshGhost();
  };

  const advance = (d: DS): void => {
    for (let guard = 0; guard < 200; guard++) {
      const op = d.H.op;
      if (!op || d.oops !== null) return;
      if (hotplugWalking(op as HotplugOp)) {
        const call = op.call;
        if (!call) return;
        const chain: Draft<NotifierChain> = call.chain === 'memory' ? d.memory : d.isolate;
        if (call.stage === 'enter') {
          callEnter(k(), call, chain, 'H');
          continue;
        }
        if (call.stage === 'walk') {
          const id = call.cur;
          if (id === null) {
            callNext(call, chain);
            continue;
          }
          if (call.chain === 'isolate' || visibleCallback(d, id, call.val)) return;
          callNext(call, chain);
          callReturn(call, NOTIFY_OK);
          continue;
        }
        if (call.stage === 'exit') {
          callExit(k(), call, chain, 'H');
          hotplugCallDone(op);
          continue;
        }
        return; // a callback is running
      }
      const block = d.blocks[op.block];
      if (!block) throw new Error(`no block ${op.block}`);
      switch (op.phase) {
        case 'lock-state':
          if (hotplugLockState(k(), op, 'H', block) === 'waiting') return;
          continue;
        case 'lock-pm':
          if (hotplugLockPm(k(), op, 'H') === 'waiting') return;
          continue;
        case 'repeat':
          offlineRepeat(op, null);
          continue;
        case 'drain':
          offlineDrained(op);
          continue;
        case 'scan':
          if (g.pagesOfBlock(op.block).some((p) => d.pages[p] === 'other_movable')) return;
          offlineScan(op, 'none');
          continue;
        case 'unlock-pm':
          hotplugUnlockPm(k(), op, 'H');
          continue;
        case 'unlock-state':
          hotplugUnlockState(k(), op, 'H', block);
          continue;
        case 'done':
          finishOp(d);
          return;
        default:
          return; // isolate, isolate-check, check, offline-pages, undo, online-pages: visible steps
      }
    }
    throw new Error('hotplug sequence did not reach a visible step');
  };

  // ---- G4: cmm_mem_going_offline's search of the page list (under cmm_lock)
  const g4 = (d: DS, b: number): void => {
    const inRange = inBlock(b);
    type Arr = { meta: number; slots: number[]; index: number };
    const arrs: Arr[] = d.list.map((a) => ({ meta: a.meta, slots: [...a.entries], index: a.entries.length }));
    const next = (x: Arr): Arr | null => arrs[arrs.indexOf(x) + 1] ?? null;
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
    if (f.handLock) d.occurred = 1;
  };

  /** Offline step 1 for the op's current pageblock: spin_lock(zone_lock); MOVABLE → isolate, else enter the isolation chain. */
  const isolate = (d: DS): void => {
    const op = opOf(d);
    if (op.phase !== 'isolate') return;
    const pb = op.block * c.pageblocksPerBlock + op.pageblock;
    if (isolateBegin(k(), op, 'H', c.movable[pb] === true) === 'waiting') return;
    advance(d);
  };

  /** Online step 2: online the pages (totalram, watermarks), then MEM_ONLINE. */
  const onlineStep = (d: DS): void => {
    const op = opOf(d);
    if (op.phase !== 'online-pages') return;
    const block = d.blocks[op.block];
    if (!block) throw new Error('no block');
    block.present = true;
    d.totalram += g.pagesPerBlock;
    onlinePages(op, g.pagesPerBlock);
    advance(d);
  };

  const metaInRange = (s: S | DS, b: number): number => s.list.findIndex((a) => g.blockOf(a.meta) === b);

  const cmmReturn = (d: DS, ret: number): void => {
    const call = opOf(d).call;
    if (!call) throw new Error('no walk');
    callReturn(call, ret);
    d.H.cmm.pc = null;
  };

  const freeDeferred = (d: DS): void => {
    for (const p of d.H.cmm.frees) d.pages[p] = 'free';
    d.H.cmm.frees = [];
  };

  // ---------------------------------------------------------------- actions
  const actions = (s: S): BalloonAction[] => {
    const out: BalloonAction[] = [];
    // environment
    // the hypervisor moves loan_request to the next configured value: one event, whatever the
    // current value, so dropping any one hv from a trace leaves the others enabled
    if (nextRequest(s.loanRequest) !== s.loanRequest) out.push({ type: 'hv' });
    if (s.oomLeft > 0 && s.O.pc === 'idle') out.push({ type: 'oom' });
    if (s.disableLeft > 0 && s.D.pc === 'idle' && s.T.pc !== 'exited') out.push({ type: 'disable' });
    if (s.H.op === null) {
      if (s.offlineLeft > 0) for (const b of c.offlineBlocks) if (s.blocks[b]?.state === 'online') out.push({ type: 'offline', b });
      if (s.onlineLeft > 0) for (let b = 0; b < c.blocks; b++) if (s.blocks[b]?.state === 'offline') out.push({ type: 'online', b });
    }
    if (s.otherLeft > 0) {
      for (const pb of choices(allocatablePbs(s, g, c))) for (const kind of OTHER_KINDS) out.push({ type: 'other_alloc', pb, kind });
      for (const kind of OTHER_KINDS) {
        const pbs: number[] = [];
        for (let pb = 0; pb < g.pageblocks; pb++) {
          if (isolatedPb(s, g, pb, c) && !zoneFreeable(s.k)) continue;
          if (g.pagesOfPb(pb).some((p) => s.pages[p] === kind)) pbs.push(pb);
        }
        for (const pb of choices(pbs)) out.push({ type: 'other_free', pb, kind });
      }
    }
    // T
    switch (s.T.pc) {
      case 'sleep':
        out.push({ type: 'T1' });
        break;
      case 'sleep_hp':
        out.push({ type: 'T3_sleep' });
        break;
      case 'T5':
        out.push({ type: 'T5' });
        break;
      case 'alloc': {
        const a = s.T.alloc;
        if (!a) break;
        if (a.pc === 'A1') {
          if (a1Stops(s)) out.push({ type: 'A1', pb: null });
          else for (const pb of allocChoices(s)) out.push({ type: 'A1', pb });
        } else if (a.pc === 'A3') {
          // a contended spin_lock only queues T; once it can take the lock, the head decides between A3 and A4
          if (!canProceed(s.k, 'T')) break;
          if (!spinFreeFor(s.k, CMM_LOCK, 'T') || !headFullOrNone(s.list, c.cmmNrPages)) out.push({ type: 'A3' });
          else for (const pb of allocChoices(s)) out.push({ type: 'A4', pb });
        } else if (a.pc === 'A4_lock') {
          if (canProceed(s.k, 'T')) out.push({ type: 'A4_lock' });
        } else if (a.pc === 'A5') {
          if (c.hvErrors) out.push({ type: 'A5' });
          out.push({ type: 'A6' });
        } else for (const pcp of freeChoices(s, g, c, 'T', a.frees[0])) out.push({ type: 'A_free', pcp });
        break;
      }
      default:
        break;
    }
    // FREE in T, O, D
    for (const ctx of ['T', 'O', 'D'] as const) {
      const fc = freeCallOf(s, ctx);
      if (!fc) continue;
      if (fc.pc === 'F1') {
        if (canProceed(s.k, ctx)) out.push({ type: 'F1', ctx });
      } else if (fc.pc === 'F2' || fc.pc === 'F3') out.push({ type: fc.pc, ctx });
      else for (const pcp of freeChoices(s, g, c, ctx, fc.frees[0])) out.push({ type: fc.pc, ctx, pcp });
    }
    if (s.O.pc === 'O2' || s.O.pc === 'O3') out.push({ type: s.O.pc });
    if (s.D.pc === 'D2' && s.T.pc === 'exited') out.push({ type: 'D2' });
    // H
    const op = s.H.op;
    // after G4's NULL dereference the hotplug task is dead (holding cmm_lock)
    if (op && s.oops === null && canProceed(s.k, 'H')) {
      const call = op.call;
      if (call && hotplugWalking(op)) {
        if (call.chain === 'isolate') out.push({ type: 'I1' });
        else if (call.stage === 'walk' && call.cur !== null) {
          const id = call.cur;
          if (id === 'cmm') out.push({ type: call.val === MEM_GOING_OFFLINE ? 'G1' : 'U1' });
          else for (const veto of [false, true]) out.push({ type: 'cb', id, veto });
        } else if (call.stage === 'callback') {
          const pc = s.H.cmm.pc;
          const frees = s.H.cmm.frees.length > 0;
          if (pc === 'G1' || pc === 'U1') out.push({ type: pc });
          else if (pc === 'G3') {
            if (!f.freeUnderLock || zoneFreeable(s.k)) out.push({ type: 'G3' });
          } else if (pc === 'G5') {
            // success frees the old list page under the lock (W1); failure frees the deferred pages
            for (const pb of allocChoices(s)) {
              const needsZone = pb === null ? frees : f.freeUnderLock;
              if (!needsZone || zoneFreeable(s.k)) out.push({ type: 'G5', pb });
            }
          } else if (pc === 'G6') {
            if (!frees || zoneFreeable(s.k)) out.push({ type: 'G6' });
          }
        }
      } else {
        switch (op.phase) {
          case 'isolate':
            out.push({ type: 'isolate' });
            break;
          case 'isolate-check':
            out.push({ type: 'isolate_check' });
            break;
          case 'scan':
            if (zoneFreeable(s.k)) out.push({ type: 'scan' });
            break;
          case 'check':
            out.push({ type: 'check' });
            break;
          case 'offline-pages':
            out.push({ type: 'offline_pages' });
            break;
          case 'undo':
            out.push({ type: 'undo' });
            break;
          case 'online-pages':
            out.push({ type: 'online_pages' });
            break;
          default:
            break;
        }
      }
    }
    return out;
  };

  // ---------------------------------------------------------------- steps
  const envSteps: Steps<GroupTypes<'env'>> = {
    hv: (d) => {
      d.loanRequest = nextRequest(d.loanRequest);
    },
    oom: (d) => {
      d.oomLeft -= 1;
      d.O = castDraft({ pc: 'free' as const, free: freeCall(c.oomPages), f: 0 });
    },
    disable: (d) => {
      d.disableLeft -= 1;
      d.stop = true;
      d.D.pc = 'D2';
    },
    offline: (d, { b }) => {
      d.offlineLeft -= 1;
      d.H.op = castDraft(startOffline(b, g.pagesPerBlock, c.pageblocksPerBlock, hotplugCfg(b)));
      d.H.ghost = freshGhost();
      advance(d);
      // nobody can observe the request before its first pageblock isolation, and zone_lock is free here
      isolate(d);
    },
    online: (d, { b }) => {
      d.onlineLeft -= 1;
      d.H.op = castDraft(startOnline(b, g.pagesPerBlock, hotplugCfg(b)));
      d.H.ghost = freshGhost();
      advance(d);
      // the online's only visible step is onlining the pages: the whole request is one action
      onlineStep(d);
    },
    other_alloc: (d, { pb, kind }) => {
      d.otherLeft -= 1;
      takePage(d, g, pb, kind);
    },
    other_free: (d, { pb, kind }) => {
      d.otherLeft -= 1;
      const p = g.pagesOfPb(pb).find((x) => d.pages[x] === kind);
      if (p !== undefined) d.pages[p] = 'free';
    },
  };

  const threadSteps: Steps<GroupTypes<'thread'>> = {
    // T1–T4 in one step: T holds the mutex only from T2 to T3 (G1 then just waits), and T3's
    // unlock commutes with every step that writes T4's inputs
    T1: (d) => {
      if (d.stop) {
        d.T.pc = 'exited';
        return;
      }
      // T2
      if (f.handLock ? d.active !== 0 : !mutexTrylock(k(), HOTPLUG_MUTEX, 'T')) {
        d.T.pc = 'sleep';
        return;
      }
      // T3
      let occurred: boolean;
      if (f.handLock) {
        const r = atomicDecIfPositive(d.occurred);
        d.occurred = r.value;
        occurred = r.ret >= 0;
      } else {
        occurred = d.occurred !== 0;
        if (occurred) d.occurred = 0;
        mutexUnlock(k(), HOTPLUG_MUTEX, 'T');
      }
      if (occurred) {
        d.T.pc = 'sleep_hp';
        if (d.pause.phase === 'after') d.pause.phase = 'delay';
        return;
      }
      // T4
      d.target = mppTarget(d, c.minMem);
      d.T.pc = 'T5';
    },
    T3_sleep: (d) => {
      d.T.pc = d.stop ? 'exited' : 'sleep';
      if (d.pause.phase === 'delay') d.pause = { phase: 'none', allowance: false, resumable: true };
    },
    T5: (d) => {
      if (d.target > d.loaned) {
        d.T.alloc = { pc: 'A1', nr: d.target - d.loaned, p: null, m: null, frees: [], then: 'exit' };
        d.T.pc = 'alloc';
      } else if (d.target < d.loaned) {
        d.T.free = castDraft(freeCall(d.loaned - d.target));
        d.T.pc = 'free';
      } else toSleep(d);
    },
  };

  const allocSteps: Steps<GroupTypes<'alloc'>> = {
    A1: (d, { pb }) => {
      const al = allocOf(d);
      if (f.handLock) {
        if (d.active !== 0) return exitAlloc(d);
      } else {
        if (!mutexTrylock(k(), HOTPLUG_MUTEX, 'T')) return exitAlloc(d);
        const occ = d.occurred !== 0;
        mutexUnlock(k(), HOTPLUG_MUTEX, 'T');
        if (occ) return exitAlloc(d);
      }
      mightSleep(k(), 'T', '__get_free_page(GFP_NOIO)');
      if (pb === null) return exitAlloc(d);
      al.p = takePage(d, g, pb, 'inflight');
      al.pc = 'A3';
    },
    A3: (d) => {
      if (spinLock(k(), CMM_LOCK, 'T') === 'waiting') return;
      if (headFullOrNone(d.list, c.cmmNrPages)) throw new Error('A3 with the head full');
      toA5(d);
    },
    A4: (d, { pb }) => {
      const al = allocOf(d);
      if (spinLock(k(), CMM_LOCK, 'T') === 'waiting') throw new Error('A4 offered with cmm_lock taken');
      spinUnlock(k(), CMM_LOCK, 'T');
      mightSleep(k(), 'T', '__get_free_page(GFP_NOIO)');
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
    A4_lock: (d) => {
      if (spinLock(k(), CMM_LOCK, 'T') === 'waiting') return;
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
    A5: (d) => {
      const al = allocOf(d);
      spinUnlock(k(), CMM_LOCK, 'T');
      al.frees = [al.p, al.m].filter((x): x is number => x !== null);
      al.p = null;
      al.m = null;
      al.then = 'exit';
      al.pc = 'A_free';
    },
    A6: (d) => {
      a6(d);
    },
    A_free: (d, { pcp }) => {
      const al = allocOf(d);
      const p = al.frees[0];
      if (p === undefined) throw new Error('A_free with nothing to free');
      if (freePage(d, k(), g, c, 'T', p, pcp) === 'waiting') return;
      al.frees.shift();
      if (al.frees.length === 0) allocContinue(d);
    },
  };

  const freeSteps: Steps<GroupTypes<'free'>> = {
    F1: (d, { ctx }) => {
      if (spinLock(k(), CMM_LOCK, ctx) === 'waiting') return;
      const fc = freeOf(d, ctx);
      if (f.freeUnderLock) {
        fc.pc = 'F2';
        return;
      }
      // reference: F2's whole loop collects, F3 unlocks, F4 frees
      while (popOne(d, fc)) {
        /* pop */
      }
      spinUnlock(k(), CMM_LOCK, ctx);
      if (fc.frees.length > 0) fc.pc = 'F4';
      else finishFree(d, ctx);
    },
    F2: (d, { ctx }) => {
      const fc = freeOf(d, ctx);
      fc.pc = popOne(d, fc) ? 'F2_free' : 'F3';
    },
    F2_free: (d, { ctx, pcp }) => {
      const fc = freeOf(d, ctx);
      const p = fc.frees[0];
      if (p === undefined) throw new Error('F2 free with nothing to free');
      if (freePage(d, k(), g, c, ctx, p, pcp) === 'waiting') return;
      fc.frees.shift();
      if (fc.frees.length === 0) fc.pc = 'F2';
    },
    F3: (d, { ctx }) => {
      spinUnlock(k(), CMM_LOCK, ctx);
      finishFree(d, ctx);
    },
    F4: (d, { ctx, pcp }) => {
      const fc = freeOf(d, ctx);
      const p = fc.frees[0];
      if (p === undefined) throw new Error('F4 with nothing to free');
      if (freePage(d, k(), g, c, ctx, p, pcp) === 'waiting') return;
      fc.frees.shift();
      if (fc.frees.length === 0) finishFree(d, ctx);
    },
  };

  const oomDisableSteps: Steps<GroupTypes<'oomDisable'>> = {
    O2: (d) => {
      d.target = d.loaned;
      d.O.pc = 'O3';
    },
    O3: (d) => {
      d.oomFreed += d.O.f;
      d.O = { pc: 'idle', free: null, f: 0 };
    },
    D2: (d) => {
      d.D.free = castDraft(freeCall(d.loaned));
      d.D.pc = 'free';
    },
  };

  const hotplugSteps: Steps<GroupTypes<'hotplug'>> = {
    isolate: (d) => isolate(d),
    I1: (d) => {
      const op = opOf(d);
      const call = op.call;
      if (!call) throw new Error('I1 outside the isolation walk');
      if (call.stage === 'walk') callNext(call, d.isolate);
      if (spinLock(k(), CMM_LOCK, 'H') === 'waiting') return;
      const pb = op.block * c.pageblocksPerBlock + op.pageblock;
      const inPb = (p: number): boolean => g.pbOf(p) === pb;
      let found = 0;
      for (const arr of d.list) {
        if (!f.movableMeta && inPb(arr.meta)) found += 1;
        for (const p of arr.entries) if (inPb(p)) found += 1;
      }
      isolateAddFound(op, found);
      spinUnlock(k(), CMM_LOCK, 'H');
      callReturn(call, NOTIFY_OK);
      advance(d);
    },
    isolate_check: (d) => {
      const op = opOf(d);
      const pb = op.block * c.pageblocksPerBlock + op.pageblock;
      const immobile = g.pagesOfPb(pb).filter((p) => IMMOBILE.includes(d.pages[p] ?? 'free')).length;
      isolateFinish(k(), op, 'H', immobile);
      advance(d);
    },
    cb: (d, { veto }) => {
      const call = opOf(d).call;
      if (!call) throw new Error('cb outside a walk');
      callNext(call, d.memory);
      callReturn(call, veto ? NOTIFY_BAD : NOTIFY_OK);
      if (veto) d.H.ghost.cbFailed = 'veto';
      advance(d);
    },
    G1: (d) => {
      const call = opOf(d).call;
      if (!call) throw new Error('G1 outside a walk');
      if (call.stage === 'walk') {
        callNext(call, d.memory);
        d.H.cmm.pc = 'G1';
      }
      if (f.handLock) d.active = 1;
      else {
        if (mutexLock(k(), HOTPLUG_MUTEX, 'H') === 'waiting') return;
        d.H.cmm.holds = true;
        d.occurred = 1;
      }
      d.pause = { phase: 'held', allowance: d.T.pc === 'alloc' && iterationOpen(d.T.alloc), resumable: false };
      d.H.cmm.pc = 'G3';
    },
    G3: (d) => {
      if (spinLock(k(), CMM_LOCK, 'H') === 'waiting') return;
      const b = opOf(d).block;
      g4(d, b);
      if (d.oops !== null) return;
      d.H.cmm.pc = !f.movableMeta && metaInRange(d, b) >= 0 ? 'G5' : 'G6';
    },
    G5: (d, { pb }) => {
      const b = opOf(d).block;
      if (f.g5Sleeps) mightSleep(k(), 'H', '__get_free_page(GFP_NOIO) in cmm_mem_going_offline');
      if (pb === null) {
        spinUnlock(k(), CMM_LOCK, 'H');
        freeDeferred(d);
        d.H.ghost.cbFailed = 'cmm';
        cmmReturn(d, notifierFromErrno(f.positiveErrno ? ENOMEM : -ENOMEM));
        return advance(d);
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
    G6: (d) => {
      spinUnlock(k(), CMM_LOCK, 'H');
      freeDeferred(d);
      cmmReturn(d, NOTIFY_OK);
      advance(d);
    },
    U1: (d) => {
      const call = opOf(d).call;
      if (!call) throw new Error('U1 outside a walk');
      const val = call.val;
      if (call.stage === 'walk') callNext(call, d.memory);
      if (f.handLock) d.active = 0;
      else if (d.H.cmm.holds || f.unbalancedUnlock) {
        mutexUnlock(k(), HOTPLUG_MUTEX, 'H');
        d.H.cmm.holds = false;
      }
      if (d.pause.phase === 'held') {
        if (val === MEM_OFFLINE) d.pause.phase = 'after';
        else d.pause = { phase: 'none', allowance: false, resumable: false };
      }
      cmmReturn(d, NOTIFY_OK);
      advance(d);
    },
    scan: (d) => {
      const op = opOf(d);
      let ok = true;
      for (const p of g.pagesOfBlock(op.block).filter((x) => d.pages[x] === 'other_movable')) {
        const pb = allocatablePbs(d, g, c, op.block)[0];
        if (pb === undefined) {
          ok = false;
          break;
        }
        takePage(d, g, pb, 'other_movable');
        d.pages[p] = 'free';
      }
      offlineScan(op, ok ? 'migrated' : 'error');
      advance(d);
    },
    check: (d) => {
      const op = opOf(d);
      offlineCheck(op, g.pagesOfBlock(op.block).every((p) => d.pages[p] === 'free'));
      advance(d);
    },
    offline_pages: (d) => {
      const op = opOf(d);
      const block = d.blocks[op.block];
      if (!block) throw new Error('no block');
      block.present = false;
      d.totalram -= g.pagesPerBlock;
      offlinePages(op);
      advance(d);
    },
    undo: (d) => {
      const op = opOf(d);
      while (op.phase === 'undo') if (undoStep(k(), op, 'H') === 'waiting') return;
      advance(d);
    },
    online_pages: (d) => onlineStep(d),
  };

  // ---------------------------------------------------------------- next
  /**
   * next: ts-pattern's exhaustive match over the groups of steps, each group
   * a table with one handler per action type (exhaustive too: STEP_GROUP and
   * the tables are typed by the action union). One flat match over the 40
   * step types cost a fifth of every step.
   */
  const run = <K extends BalloonAction['type']>(table: Steps<K>, d: DS, x: BalloonAction): void =>
    (table[x.type as K] as (d: DS, x: BalloonAction) => void)(d, x);
  const next = (s: S, a: BalloonAction): S => {
    K = null;
    baseK = s.k;
    const r = produce(s, (d) => {
      match(STEP_GROUP[a.type])
        .with('env', () => run(envSteps, d, a))
        .with('thread', () => run(threadSteps, d, a))
        .with('alloc', () => run(allocSteps, d, a))
        .with('free', () => run(freeSteps, d, a))
        .with('oomDisable', () => run(oomDisableSteps, d, a))
        .with('hotplug', () => run(hotplugSteps, d, a))
        .exhaustive();
    });
    return K === null ? r : { ...r, k: K as KernelState };
  };

  /**
   * Fairness (liveness, B7): §4's events are the environment, which
   * eventually stops; so is an allocation that fails although a page is
   * free (`allocFail`: "with enough free memory" — eventually one succeeds).
   * A failure with no page to take, or A1 stopping at a failed trylock or a
   * hotplug, is the context's own step. Ticks are T's steps: a sleep ends.
   */
  const fairness = (a: BalloonAction, s: S): string | null => {
    if (STEP_GROUP[a.type] === 'env') return null;
    const failed = (a.type === 'A1' && !a1Stops(s)) || a.type === 'A4' || a.type === 'G5';
    if (failed && a.pb === null && allocatablePbs(s, g, c).length > 0) return null;
    return describe(a).ctx;
  };

  const s0 = initState(c, f);
  return {
    init: () => s0,
    actions,
    next,
    describe,
    quiescent,
    // b10 and the per-offline count feeding it are statistics no step or property reads
    view: (s) => balloonView(s, cls, false),
    // pages of one class relabelled in a canonical order (symmetry.ts)
    symmetry: (s) => balloonView(s, cls),
    livenessView,
    fairness,
    kernel: (s) => s.k,
    properties: balloonProperties(c, f, g),
  };
}

/**
 * The liveness engine's key: the whole state but the statistics (`b10`) and
 * the offline's ghost (`H.ghost`), which only B6, B9 and B10 read. No
 * symmetry: a lasso is replayed by action names.
 */
function livenessView(s: BalloonState): unknown {
  const { b10, H, ...rest } = s;
  void b10;
  return { ...rest, H: { op: H.op, cmm: H.cmm } };
}

/** A plain deep copy of the kernel slice. */
function cloneKernel(k: KernelState): KernelState {
  const locks: Record<string, LockState> = {};
  for (const name in k.locks) {
    const l = k.locks[name] as LockState;
    locks[name] = l.kind === 'rwsem' ? { ...l, readers: [...l.readers], waiters: l.waiters.map((w) => ({ ...w })) } : { ...l, waiters: [...l.waiters] };
  }
  return { locks, faults: [...k.faults] };
}

/** F2, one iteration: pop the head's last entry; an emptied head is unlinked and its page freed too. */
function popOne(d: DS, fc: Draft<FreeCall>): boolean {
  const head = d.list[0];
  if (fc.nr <= 0 || !head || head.entries.length === 0) return false;
  const p = head.entries.pop() as number;
  if (head.entries.length === 0) {
    d.list.shift();
    fc.frees.push(head.meta);
    d.pages[head.meta] = 'inflight';
  }
  fc.frees.push(p);
  d.pages[p] = 'inflight';
  d.loaned -= 1;
  d.totalram += 1;
  fc.nr -= 1;
  return true;
}

/** No context mid-flight and no hotplug request in flight. */
export function quiescent(s: BalloonState): boolean {
  return (s.T.pc === 'sleep' || s.T.pc === 'sleep_hp' || s.T.pc === 'exited') && s.O.pc === 'idle' && (s.D.pc === 'idle' || s.D.pc === 'done') && s.H.op === null;
}

const H_TEXT: Record<string, [string, string, string]> = {
  isolate: ['offline.1', 'set_migratetype_isolate', 'spin_lock(zone_lock); MOVABLE → isolate and unlock, else walk the isolation chain'],
  I1: ['I1', 'cmm_memory_isolate_cb', 'spin_lock(cmm_lock); count entries and list pages in the pageblock; unlock'],
  isolate_check: ['offline.1', 'set_migratetype_isolate', 'pages_found == immobile pages → isolate; spin_unlock(zone_lock)'],
  G1: ['G1', 'cmm_memory_cb', 'MEM_GOING_OFFLINE: mutex_lock(hotplug_mutex); G2 occurred := 1 (V1: hotplug_active := 1)'],
  G3: ['G3', 'cmm_mem_going_offline', 'spin_lock(cmm_lock); G4 unloan every entry in the range, compacting from the head'],
  G6: ['G6', 'cmm_mem_going_offline', 'spin_unlock(cmm_lock); return 0'],
  U1: ['U1', 'cmm_memory_cb', 'MEM_OFFLINE / MEM_CANCEL_OFFLINE: mutex_unlock(hotplug_mutex)'],
  scan: ['offline.3', 'offline_pages', 'migrate the LRU pages of the range'],
  check: ['offline.4', 'offline_pages', 'check_pages_isolated: every page free?'],
  offline_pages: ['offline.4', 'offline_pages', 'take the pages offline, totalram -= n'],
  undo: ['offline.5', 'undo_isolate_page_range', 'spin_lock(zone_lock); un-isolate the pageblocks'],
  online_pages: ['online.2', 'online_pages', 'online the pages, totalram += n'],
};

const pcpText = (pcp: boolean): string => (pcp ? 'per-CPU list' : 'zone_lock');

function describe(a: BalloonAction): StepInfo {
  const H = (step: string, fn: string, text: string): StepInfo => ({ ctx: 'H', step, fn, text });
  const T = (step: string, text: string, fn = 'cmm_alloc_pages'): StepInfo => ({ ctx: 'T', step, fn, text });
  switch (a.type) {
    case 'hv':
      return { ctx: 'env', step: 'hv', fn: 'h_get_mpp', text: 'loan_request := the next configured value' };
    case 'oom':
      return { ctx: 'O', step: 'O1', fn: 'cmm_oom_notify', text: 'OOM: FREE(KB2PAGES(oom_kb))' };
    case 'disable':
      return { ctx: 'D', step: 'disable', fn: 'cmm_set_disable', text: 'kthread_stop(cmm thread): stop, wait for it to exit' };
    case 'offline':
      return H('offline', 'offline_pages', `offline block ${a.b}: state_mutex, pm mutex; offline step 1 for the first pageblock`);
    case 'online':
      return H('online', 'online_pages', `online block ${a.b}: MEM_GOING_ONLINE, online the pages, totalram += n, MEM_ONLINE`);
    case 'other_alloc':
      return { ctx: 'env', step: 'other_alloc', fn: '__alloc_pages', text: `a page of pageblock ${a.pb} becomes ${a.kind}` };
    case 'other_free':
      return { ctx: 'env', step: 'other_free', fn: '__free_pages', text: `an ${a.kind} page of pageblock ${a.pb} is freed` };
    case 'T1':
      return T(
        'T1',
        'msleep(delay) ends (stop → exit); T2 mutex_trylock (fail → sleep); T3 occurred → clear, unlock, sleep hotplug_delay, else unlock; T4 cmm_get_mpp → target',
        'cmm_thread',
      );
    case 'T3_sleep':
      return T('T3', 'msleep_interruptible(hotplug_delay) ends (stop → exit)', 'cmm_thread');
    case 'T5':
      return T('T5', 'target > loaned → ALLOC; target < loaned → FREE', 'cmm_thread');
    case 'A1':
      return T('A1', `mutex_trylock; occurred → stop; A2 __get_free_page(GFP_NOIO): ${a.pb === null ? 'none (or A1 stopped)' : `pageblock ${a.pb}`}`);
    case 'A3':
      return T('A3', 'spin_lock(cmm_lock); head has room → A5 set loaned, A6 append, loaned++, totalram--, unlock');
    case 'A4':
      return T('A4', `spin_lock; list empty or head full → unlock, allocate a list page: ${a.pb === null ? 'none → free the page, stop' : `pageblock ${a.pb}`}`);
    case 'A4_lock':
      return T('A4', 'spin_lock(cmm_lock); head still empty/full → push the new array (else keep it to free); A5, A6');
    case 'A5':
      return T('A5', 'plpar_page_set_loaned fails → unlock, free the page, stop');
    case 'A6':
      return T('A6', 'plpar_page_set_loaned ok; append, loaned++, totalram--, unlock');
    case 'A_free':
      return T('A4', `free_page (${pcpText(a.pcp)})`);
    case 'F1':
      return { ctx: a.ctx, step: 'F1', fn: 'cmm_free_pages', text: 'spin_lock(cmm_lock) (reference: F2 collect every page, F3 unlock)' };
    case 'F2':
      return { ctx: a.ctx, step: 'F2', fn: 'cmm_free_pages', text: 'pop the head’s last entry, loaned--, totalram++' };
    case 'F2_free':
      return { ctx: a.ctx, step: 'F2', fn: 'cmm_free_pages', text: `free_page under cmm_lock (${pcpText(a.pcp)})` };
    case 'F3':
      return { ctx: a.ctx, step: 'F3', fn: 'cmm_free_pages', text: 'spin_unlock(cmm_lock)' };
    case 'F4':
      return { ctx: a.ctx, step: 'F4', fn: 'cmm_free_pages', text: `free a collected page (${pcpText(a.pcp)})` };
    case 'O2':
      return { ctx: 'O', step: 'O2', fn: 'cmm_oom_notify', text: 'loaned_pages_target := loaned_pages' };
    case 'O3':
      return { ctx: 'O', step: 'O3', fn: 'cmm_oom_notify', text: 'oom_freed_pages += f' };
    case 'D2':
      return { ctx: 'D', step: 'disable', fn: 'cmm_set_disable', text: 'cmm thread exited: FREE(loaned_pages)' };
    case 'cb':
      return H('offline.2', `${a.id}_memory_callback`, `MEM_GOING_OFFLINE → ${a.veto ? 'NOTIFY_BAD (veto)' : 'NOTIFY_OK'}`);
    case 'G5':
      return H('G5', 'cmm_mem_going_offline', `replace a list page in the range: ${a.pb === null ? 'allocation fails → unlock, return ENOMEM' : `new page in pageblock ${a.pb}`}`);
    case 'isolate':
    case 'I1':
    case 'isolate_check':
    case 'G1':
    case 'G3':
    case 'G6':
    case 'U1':
    case 'scan':
    case 'check':
    case 'offline_pages':
    case 'undo':
    case 'online_pages': {
      const [step, fn, text] = H_TEXT[a.type] ?? [a.type, '', ''];
      return H(step, fn, text);
    }
    default: {
      const never: never = a;
      throw new Error(`unknown action ${JSON.stringify(never)}`);
    }
  }
}

/** The balloon model (spec 02). */
export const balloon: ModelDef<BalloonState, BalloonAction, BalloonConfig> = {
  name: 'balloon',
  title: 'CMM balloon made memory-hotplug aware (seed 001)',
  spec: '02-balloon.md',
  smallConfig: SMALL,
  randomConfig: balloonRandomConfig,
  propertyNames: ['B1', 'B2', 'B3', 'B5', 'B6', 'B7', 'B8', 'B9', 'Q-inflight'],
  variants: [
    { name: 'reference', summary: 'merged v2.6.33 code with the §6b fixes of W1–W5', expect: { kind: 'holds' } },
    {
      name: 'V1',
      summary: 'v2 "hand-made lock": atomics hotplug_active/occurred; ALLOC never tests occurred, so loaning resumes right after an offline (B5)',
      expect: { kind: 'violates', property: 'B5' },
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'robert',
      summary: "Robert's claim that the in-flight page cannot be in the range: B6 without its ALLOC clause",
      expect: { kind: 'violates', property: 'B6' },
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'V2',
      summary: '1 Oct 2009 patch: list pages movable, not counted by I, not relocated (no G5): an offline fails while a list page is in the range (B6)',
      expect: { kind: 'violates', property: 'B6' },
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'V3',
      summary: 'CMM memory callback above the vetoing priority-5 callback: pages unloaned by offlines that are then cancelled (metric B10)',
      expect: { kind: 'harmless', why: 'a cancelled offline only returns pages to the allocator; T loans them again (B10 > 0, no safety property breaks)' },
    },
    {
      name: 'W1',
      summary: 'pages freed under cmm_lock while I takes cmm_lock under zone_lock: ABBA deadlock zone_lock ↔ cmm_lock (B4)',
      expect: { kind: 'violates', property: 'deadlock' },
      exploreConfig: W1_CONFIG,
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'W2',
      summary: 'G5 allocates with GFP_NOIO while holding cmm_lock: sleep in atomic (B4)',
      expect: { kind: 'violates', property: 'sleep-in-atomic' },
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'W3',
      summary: 'U1 unlocks hotplug_mutex although G1 never ran (a higher-priority callback vetoed): unlock of a mutex not owned (B3)',
      expect: { kind: 'violates', property: 'lock-discipline' },
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'W4',
      summary: 'G5 failure returns +ENOMEM: the chain stops but the offline goes on to steps 3–4 (B9)',
      expect: { kind: 'violates', property: 'B9' },
      randomConfig: balloonFocusedRandomConfig,
    },
    {
      name: 'W5',
      summary: 'G4 advances twice when the head array empties during its own scan: NULL dereference, or the next array skipped (B2, B6)',
      expect: { kind: 'violates', property: 'B2' },
      randomConfig: balloonW5RandomConfig,
    },
  ],
  parseConfig: parseBalloonConfig,
  machine: balloonMachine,
};

/** The balloon model with its types erased, for the registry. */
export const balloonModel = erase(balloon);
