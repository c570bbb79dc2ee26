/**
 * Memory-block online/offline (spec 00 §4; drivers/base/memory.c,
 * mm/memory_hotplug.c, mm/page_isolation.c, mm/page_alloc.c, v2.6.33) as a
 * stepwise sequence that a model drives.
 *
 * The operation in flight is data ({@link HotplugOp}) in the hotplug
 * context's locals. Its `phase` says what the next step is; each exported
 * step function checks the phase, takes exactly one atomic step and moves to
 * the next phase. The model supplies everything the kernel learns from
 * memory (is a pageblock MOVABLE, how many pages are pinned, what a migration
 * pass achieved, are all pages free, how many pages came online) and runs
 * the notifier callbacks: in a walk phase `op.call` is a {@link ChainCall}
 * that the model drives with notifier.ts (callEnter / callNext / callReturn /
 * callExit) and then hands back with {@link hotplugCallDone}.
 *
 * Phases, online: lock-state → going-online → online-pages → notify-online →
 * unlock-state → done; a GOING_ONLINE veto or an online failure goes
 * through cancel-online.
 *
 * Phases, offline: lock-state → lock-pm → (isolate [→ isolate-chain →
 * isolate-check]) per pageblock → going-offline → repeat ⇄ drain ⇄ scan →
 * drain → check → offline-pages → undo → notify-offline → unlock-pm →
 * unlock-state → done. A refused isolation goes undo → unlock-pm (no memory
 * chain event); a GOING_OFFLINE veto, a timeout, a signal, the 5th failed
 * migration pass or busy pages go cancel-offline → undo → unlock-pm.
 *
 * Locks (state_mutex, the pm mutex of lock_system_sleep, zone->lock) are
 * taken through locks.ts when the configuration names them; an omitted lock
 * is simply not modelled.
 */
import type { Draft } from 'immer';
import { EAGAIN, EBUSY, EINTR, EINVAL } from './errno.js';
import type { Acquire } from './locks.js';
import { mutexLock, mutexUnlock, spinLock, spinUnlock } from './locks.js';
import type { ChainCall } from './notifier.js';
import { callBegin, callDone, notifierToErrno } from './notifier.js';
import type { KernelState } from './state.js';

type K = Draft<KernelState>;

/** Memory chain event: the block is online. Also the block state value in sysfs. */
export const MEM_ONLINE = 1 << 0;
/** Memory chain event: offline starting (callbacks may veto). */
export const MEM_GOING_OFFLINE = 1 << 1;
/** Memory chain event: the block is offline. */
export const MEM_OFFLINE = 1 << 2;
/** Memory chain event: online starting (callbacks may veto). */
export const MEM_GOING_ONLINE = 1 << 3;
/** Memory chain event: the online failed or was vetoed. */
export const MEM_CANCEL_ONLINE = 1 << 4;
/** Memory chain event: the offline failed after GOING_OFFLINE; sent to the whole chain. */
export const MEM_CANCEL_OFFLINE = 1 << 5;
/**
 * Isolation chain event (include/linux/memory.h, v2.6.33): count the pages of
 * the pageblock that the callback owns. It is `(1<<0)`, like MEM_ONLINE,
 * because it lives on its own chain (memory_isolate_chain).
 */
export const MEM_ISOLATE_COUNT = 1 << 0;
/** Memory-chain priority of the slab allocators. Higher runs first. */
export const SLAB_CALLBACK_PRI = 1;
/** Memory-chain priority of the IPC callback. */
export const IPC_CALLBACK_PRI = 10;
/** offline_pages: failed migration passes (`ret < 0`) allowed before giving up. */
export const OFFLINE_RETRY_MAX = 5;

/** A memory block's state (MEM_GOING_OFFLINE only during an offline). */
export type MemBlockState = 'online' | 'going-offline' | 'offline';

/** The part of a model's memory block the sequence reads and writes. */
export interface MemBlockRef {
  state: MemBlockState;
}

/** memory_block_change_state: only OFFLINE→ONLINE and ONLINE→OFFLINE are accepted, else -EINVAL. */
export function stateChangeCheck(state: MemBlockState, to: 'online' | 'offline'): 0 | -22 {
  return state === (to === 'online' ? 'offline' : 'online') ? 0 : (-EINVAL as -22);
}

/** Which chains and locks the sequence uses, by name. */
export interface HotplugConfig {
  /** The memory chain (blocking). */
  readonly memoryChain: string;
  /** The isolation chain (atomic); needed for offline only. */
  readonly isolateChain?: string | null;
  /** This block's state_mutex (mutex). */
  readonly stateMutex?: string | null;
  /** pm_mutex of lock_system_sleep (mutex); serializes offlines. */
  readonly pmMutex?: string | null;
  /** zone->lock (spinlock), held across each pageblock's isolation and its chain walk. */
  readonly zoneLock?: string | null;
}

/** Where an operation is; see the module comment for the order. */
export type HotplugPhase =
  | 'lock-state'
  | 'going-online'
  | 'online-pages'
  | 'notify-online'
  | 'cancel-online'
  | 'lock-pm'
  | 'isolate'
  | 'isolate-chain'
  | 'isolate-check'
  | 'going-offline'
  | 'repeat'
  | 'drain'
  | 'scan'
  | 'check'
  | 'offline-pages'
  | 'notify-offline'
  | 'cancel-offline'
  | 'undo'
  | 'unlock-pm'
  | 'unlock-state'
  | 'done';

/** Phases in which `op.call` is a walk the model drives. */
export const WALK_PHASES: readonly HotplugPhase[] = [
  'going-online',
  'notify-online',
  'cancel-online',
  'isolate-chain',
  'going-offline',
  'notify-offline',
  'cancel-offline',
];

/** One online or offline request in flight. */
export interface HotplugOp {
  readonly op: 'online' | 'offline';
  /** The model's index of the memory block. */
  readonly block: number;
  readonly phase: HotplugPhase;
  readonly memoryChain: string;
  readonly isolateChain: string | null;
  readonly stateMutex: string | null;
  readonly pmMutex: string | null;
  readonly zoneLock: string | null;
  /** Pages in the block (memory_notify's nr_pages). */
  readonly nrPages: number;
  /** Pageblocks in the block (offline). */
  readonly pageblocks: number;
  /** Pageblock being isolated. */
  readonly pageblock: number;
  /** Per pageblock: isolated (MIGRATE_ISOLATE) now. Never serves allocations. */
  readonly isolated: readonly boolean[];
  /** memory_isolate_notify.pages_found of the pageblock being isolated; callbacks add to it. */
  readonly pagesFound: number;
  /** offline_pages' `drain`: drain and flush before the next scan. */
  readonly drain: boolean;
  /** Where a drain phase leads. */
  readonly afterDrain: 'scan' | 'check';
  /** offline_pages' `retry_max`. */
  readonly retries: number;
  /** Pages onlined (online). */
  readonly onlined: number;
  /** The state-change request passed the check (else -EINVAL, state untouched). */
  readonly accepted: boolean;
  /** 0 or a negative errno: the request's result once done. */
  readonly ret: number;
  /** The walk in progress, in a walk phase and in isolate-check. */
  readonly call: ChainCall | null;
}

function begin(op: 'online' | 'offline', block: number, nrPages: number, pageblocks: number, cfg: HotplugConfig): HotplugOp {
  return {
    op,
    block,
    phase: 'lock-state',
    memoryChain: cfg.memoryChain,
    isolateChain: cfg.isolateChain ?? null,
    stateMutex: cfg.stateMutex ?? null,
    pmMutex: cfg.pmMutex ?? null,
    zoneLock: cfg.zoneLock ?? null,
    nrPages,
    pageblocks,
    pageblock: 0,
    isolated: Array.from({ length: pageblocks }, () => false),
    pagesFound: 0,
    drain: false,
    afterDrain: 'scan',
    retries: OFFLINE_RETRY_MAX,
    onlined: 0,
    accepted: false,
    ret: 0,
    call: null,
  };
}

/** A request to online `block` (`nrPages` pages); no step taken yet. */
export function startOnline(block: number, nrPages: number, cfg: HotplugConfig): HotplugOp {
  return begin('online', block, nrPages, 0, cfg);
}

/** A request to offline `block` (`nrPages` pages in `pageblocks` pageblocks); no step taken yet. */
export function startOffline(block: number, nrPages: number, pageblocks: number, cfg: HotplugConfig): HotplugOp {
  if (!cfg.isolateChain) throw new Error('offline needs the isolation chain');
  return begin('offline', block, nrPages, pageblocks, cfg);
}

function expect(op: HotplugOp | Draft<HotplugOp>, phase: HotplugPhase, fn: string): void {
  if (op.phase !== phase) throw new Error(`${fn} on ${op.op} of block ${op.block} at phase ${op.phase}, expected ${phase}`);
}

function walk(op: Draft<HotplugOp>, phase: HotplugPhase, chain: string, val: number): void {
  op.phase = phase;
  op.call = callBegin(chain, val);
}

function cancelOffline(op: Draft<HotplugOp>, ret: number): void {
  op.ret = ret;
  walk(op, 'cancel-offline', op.memoryChain, MEM_CANCEL_OFFLINE);
}

function nextPageblock(op: Draft<HotplugOp>): void {
  op.pageblock += 1;
  if (op.pageblock < op.pageblocks) op.phase = 'isolate';
  else walk(op, 'going-offline', op.memoryChain, MEM_GOING_OFFLINE);
}

// undo_isolate_page_range, then: success → MEM_OFFLINE; failure → release the pm mutex
function enterUndo(op: Draft<HotplugOp>): void {
  if (op.isolated.some((x) => x)) op.phase = 'undo';
  else afterUndo(op);
}

function afterUndo(op: Draft<HotplugOp>): void {
  if (op.ret === 0) walk(op, 'notify-offline', op.memoryChain, MEM_OFFLINE);
  else op.phase = 'unlock-pm';
}

/**
 * Step `lock-state`: mutex_lock(state_mutex), then the request check. A
 * rejected request (-EINVAL) leaves the state alone and goes to unlock-state.
 * Offline: state := GOING_OFFLINE. Online: starts the GOING_ONLINE walk.
 */
export function hotplugLockState(k: K, op: Draft<HotplugOp>, ctx: string, mem: MemBlockRef): Acquire {
  expect(op, 'lock-state', 'hotplugLockState');
  if (op.stateMutex !== null && mutexLock(k, op.stateMutex, ctx) === 'waiting') return 'waiting';
  const r = stateChangeCheck(mem.state, op.op);
  if (r !== 0) {
    op.ret = r;
    op.phase = 'unlock-state';
    return 'acquired';
  }
  op.accepted = true;
  if (op.op === 'offline') {
    mem.state = 'going-offline';
    op.phase = 'lock-pm';
  } else walk(op, 'going-online', op.memoryChain, MEM_GOING_ONLINE);
  return 'acquired';
}

/**
 * A walk phase ended (`op.call` is done): act on its result.
 * GOING_ONLINE / GOING_OFFLINE: a nonzero `notifierToErrno` cancels
 * (CANCEL_ONLINE / CANCEL_OFFLINE to the whole chain). Isolation: on to
 * isolate-check (the result is read there). CANCEL_OFFLINE: undo isolation.
 * Not a step of its own: call it in the step that exits the walk.
 */
export function hotplugCallDone(op: Draft<HotplugOp>): void {
  const call = op.call;
  if (call === null || !callDone(call as ChainCall)) throw new Error(`hotplugCallDone at phase ${op.phase} without a finished walk`);
  const err = notifierToErrno(call.ret);
  switch (op.phase) {
    case 'going-online':
      if (err !== 0) {
        op.ret = err;
        walk(op, 'cancel-online', op.memoryChain, MEM_CANCEL_ONLINE);
      } else {
        op.call = null;
        op.phase = 'online-pages';
      }
      return;
    case 'cancel-online':
    case 'notify-online':
      op.call = null;
      op.phase = 'unlock-state';
      return;
    case 'isolate-chain':
      op.phase = 'isolate-check';
      return;
    case 'going-offline':
      if (err !== 0) cancelOffline(op, err);
      else {
        op.call = null;
        op.phase = 'repeat';
      }
      return;
    case 'cancel-offline':
      op.call = null;
      enterUndo(op);
      return;
    case 'notify-offline':
      op.call = null;
      op.phase = 'unlock-pm';
      return;
    default:
      throw new Error(`hotplugCallDone at non-walk phase ${op.phase}`);
  }
}

/**
 * Step `online-pages`: the model onlined `onlined` pages (and added them to
 * totalram and the zone, recomputing watermarks, in this same step), or
 * failed with `err` < 0 → CANCEL_ONLINE. With no page onlined there is no
 * MEM_ONLINE event.
 */
export function onlinePages(op: Draft<HotplugOp>, onlined: number, err = 0): void {
  expect(op, 'online-pages', 'onlinePages');
  if (err !== 0) {
    op.ret = err;
    walk(op, 'cancel-online', op.memoryChain, MEM_CANCEL_ONLINE);
    return;
  }
  op.onlined = onlined;
  if (onlined > 0) walk(op, 'notify-online', op.memoryChain, MEM_ONLINE);
  else op.phase = 'unlock-state';
}

/** Step `lock-pm`: lock_system_sleep (mutex; serializes offlines). */
export function hotplugLockPm(k: K, op: Draft<HotplugOp>, ctx: string): Acquire {
  expect(op, 'lock-pm', 'hotplugLockPm');
  if (op.pmMutex !== null && mutexLock(k, op.pmMutex, ctx) === 'waiting') return 'waiting';
  op.pageblock = 0;
  if (op.pageblocks > 0) op.phase = 'isolate';
  else walk(op, 'going-offline', op.memoryChain, MEM_GOING_OFFLINE);
  return 'acquired';
}

/**
 * Step `isolate` (set_migratetype_isolate, first part) for pageblock
 * `op.pageblock`: spin_lock(zone->lock). A MOVABLE pageblock (or one in
 * ZONE_MOVABLE) is isolated at once and the lock released in this step.
 * Otherwise `pagesFound := 0` and the isolation-chain walk with
 * MEM_ISOLATE_COUNT starts, under the zone lock; its callbacks add to
 * `pagesFound` ({@link isolateAddFound}).
 */
export function isolateBegin(k: K, op: Draft<HotplugOp>, ctx: string, movable: boolean): Acquire {
  expect(op, 'isolate', 'isolateBegin');
  if (op.zoneLock !== null && spinLock(k, op.zoneLock, ctx) === 'waiting') return 'waiting';
  if (movable) {
    op.isolated[op.pageblock] = true;
    if (op.zoneLock !== null) spinUnlock(k, op.zoneLock, ctx);
    nextPageblock(op);
  } else {
    if (op.isolateChain === null) throw new Error('offline without an isolation chain');
    op.pagesFound = 0;
    walk(op, 'isolate-chain', op.isolateChain, MEM_ISOLATE_COUNT);
  }
  return 'acquired';
}

/** An isolation callback reports `n` pages of the pageblock as its own. */
export function isolateAddFound(op: Draft<HotplugOp>, n: number): void {
  expect(op, 'isolate-chain', 'isolateAddFound');
  op.pagesFound += n;
}

/**
 * Step `isolate-check` (set_migratetype_isolate, end): the model counts
 * `immobile`, the pages of the pageblock with a nonzero refcount that are
 * not on an LRU. Isolated iff the chain result decodes to 0, `pagesFound > 0`
 * and `pagesFound === immobile` (so a non-MOVABLE pageblock whose chain
 * reports nothing is refused even if all free). Releases the zone lock.
 * Refusal: -EBUSY, undo the pageblocks isolated so far, no memory-chain
 * event. Returns whether the pageblock was isolated.
 */
export function isolateFinish(k: K, op: Draft<HotplugOp>, ctx: string, immobile: number): boolean {
  expect(op, 'isolate-check', 'isolateFinish');
  const err = op.call ? notifierToErrno(op.call.ret) : 0;
  const ok = err === 0 && op.pagesFound > 0 && op.pagesFound === immobile;
  op.call = null;
  if (op.zoneLock !== null) spinUnlock(k, op.zoneLock, ctx);
  if (ok) {
    op.isolated[op.pageblock] = true;
    nextPageblock(op);
  } else {
    op.ret = -EBUSY;
    enterUndo(op);
  }
  return ok;
}

/**
 * Step `repeat` (top of offline_pages' loop): give up on `'timeout'`
 * (-EAGAIN) or `'signal'` (-EINTR) → CANCEL_OFFLINE; else drain first if a
 * previous pass asked for it, then scan.
 */
export function offlineRepeat(op: Draft<HotplugOp>, giveUp: 'timeout' | 'signal' | null = null): void {
  expect(op, 'repeat', 'offlineRepeat');
  if (giveUp === 'timeout') return cancelOffline(op, -EAGAIN);
  if (giveUp === 'signal') return cancelOffline(op, -EINTR);
  if (op.drain) {
    op.phase = 'drain';
    op.afterDrain = 'scan';
  } else op.phase = 'scan';
}

/**
 * End of step(s) `drain`: lru_add_drain_all, flush_scheduled_work and
 * drain_all_pages are done. The model does them before calling this (the
 * flush blocks: see workqueue.ts `flushScheduledWork`).
 */
export function offlineDrained(op: Draft<HotplugOp>): void {
  expect(op, 'drain', 'offlineDrained');
  op.phase = op.afterDrain;
}

/**
 * Outcome of one scan-and-migrate pass, as the model decides it:
 * `none` — no LRU page left in the range; `migrated` — do_migrate_range
 * returned 0; `busy` — it returned > 0 (some pages not migrated, not counted
 * as a failure); `error` — it returned < 0 (a failed pass).
 */
export type MigratePass = 'none' | 'migrated' | 'busy' | 'error';

/**
 * Step `scan`. `none` → final drain, then check. `migrated` / `busy` →
 * repeat with drain. `error` → the 5th one cancels (-EBUSY), else repeat.
 */
export function offlineScan(op: Draft<HotplugOp>, pass: MigratePass): void {
  expect(op, 'scan', 'offlineScan');
  if (pass === 'none') {
    op.phase = 'drain';
    op.afterDrain = 'check';
    return;
  }
  if (pass === 'error') {
    op.retries -= 1;
    if (op.retries === 0) return cancelOffline(op, -EBUSY);
  }
  op.drain = true;
  op.phase = 'repeat';
}

/** Step `check` (check_pages_isolated): not every page of the range free → -EBUSY, CANCEL_OFFLINE. */
export function offlineCheck(op: Draft<HotplugOp>, allFree: boolean): void {
  expect(op, 'check', 'offlineCheck');
  if (allFree) op.phase = 'offline-pages';
  else cancelOffline(op, -EBUSY);
}

/**
 * Step `offline-pages`: the model takes the range's pages offline and does
 * `totalram -= nrPages` and the watermark update in this same step (the
 * kernel does the accounting after undoing isolation; the pages are already
 * off the free lists, so nobody can tell). No rollback from here on.
 */
export function offlinePages(op: Draft<HotplugOp>): void {
  expect(op, 'offline-pages', 'offlinePages');
  enterUndo(op);
}

/**
 * Step `undo` (unset_migratetype_isolate): under zone->lock, return the first
 * still-isolated pageblock to service. After the last: MEM_OFFLINE on
 * success, else release the pm mutex.
 */
export function undoStep(k: K, op: Draft<HotplugOp>, ctx: string): Acquire {
  expect(op, 'undo', 'undoStep');
  if (op.zoneLock !== null && spinLock(k, op.zoneLock, ctx) === 'waiting') return 'waiting';
  const i = op.isolated.indexOf(true);
  if (i >= 0) op.isolated[i] = false;
  if (op.zoneLock !== null) spinUnlock(k, op.zoneLock, ctx);
  if (!op.isolated.includes(true)) afterUndo(op);
  return 'acquired';
}

/** Step `unlock-pm`: unlock_system_sleep. */
export function hotplugUnlockPm(k: K, op: Draft<HotplugOp>, ctx: string): void {
  expect(op, 'unlock-pm', 'hotplugUnlockPm');
  if (op.pmMutex !== null) mutexUnlock(k, op.pmMutex, ctx);
  op.phase = 'unlock-state';
}

/**
 * Step `unlock-state`: an accepted request sets the block state (the target
 * on success, the original state on failure) and releases state_mutex.
 */
export function hotplugUnlockState(k: K, op: Draft<HotplugOp>, ctx: string, mem: MemBlockRef): void {
  expect(op, 'unlock-state', 'hotplugUnlockState');
  if (op.accepted) {
    const to: MemBlockState = op.op;
    const from: MemBlockState = op.op === 'online' ? 'offline' : 'online';
    mem.state = op.ret === 0 ? to : from;
  }
  if (op.stateMutex !== null) mutexUnlock(k, op.stateMutex, ctx);
  op.phase = 'done';
}

/** Whether `op.call` is a walk the model must drive now. */
export function hotplugWalking(op: HotplugOp): boolean {
  return op.call !== null && WALK_PHASES.includes(op.phase) && !callDone(op.call);
}

/** Whether the request is finished; its result is `op.ret`. */
export function hotplugDone(op: HotplugOp): boolean {
  return op.phase === 'done';
}

/** Whether pageblock `pb` of the op's block is isolated now (it must not serve allocations). */
export function pageblockIsolated(op: HotplugOp, pb: number): boolean {
  return op.isolated[pb] === true;
}
