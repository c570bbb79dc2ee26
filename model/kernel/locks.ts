/**
 * Spinlock, mutex and rwsem (spec 00 §2) as operations on an immer draft of
 * the kernel slice. A contended acquire is two steps, as in the kernel: the
 * attempt queues the context on the lock (`'waiting'`), and a later step by
 * the same context takes it once {@link canProceed} says it may. The queue is
 * what the deadlock check reads.
 *
 * Every operation that can sleep first calls {@link mightSleep}, which records
 * a sleep-in-atomic fault if the context holds a spinlock.
 */
import { castDraft, type Draft } from 'immer';
import { current } from './immer.js';
import { noteAcquired } from './footprint.js';
import { lock as lockView, unlock as unlockView, type WeakMemory } from './lkmm.js';
import type { KernelState, LockState, MutexState, RwsemState, SpinState } from './state.js';
import { heldBy, waitingOn } from './state.js';

type K = Draft<KernelState>;

/**
 * A lock taken is noted for the race check's footprint of the step under
 * way (a step may take and drop a lock within itself). Under `lkmm` (a
 * `mem` in the slice), the ordering of a lock operation
 * (spec 06 §2): taking a lock acquires the view of its last release,
 * releasing it publishes the context's view. Under SC there is no `mem`
 * and nothing happens.
 */
function order(k: K, name: string, ctx: string, op: 'lock' | 'unlock', shared = false): void {
  if (op === 'lock') noteAcquired(name, ctx, shared);
  if (!k.mem) return;
  const m = current(k.mem) as WeakMemory;
  k.mem = castDraft(op === 'lock' ? lockView(m, ctx, name) : unlockView(m, ctx, name));
}

/** Result of an acquire attempt. */
export type Acquire = 'acquired' | 'waiting';

function lockOf<T extends LockState['kind']>(k: K, name: string, kind: T): Draft<Extract<LockState, { kind: T }>> {
  const l = k.locks[name];
  if (!l) throw new Error(`no lock named '${name}'`);
  if (l.kind !== kind) throw new Error(`lock '${name}' is a ${l.kind}, not a ${kind}`);
  return l as Draft<Extract<LockState, { kind: T }>>;
}

function fault(k: K, kind: KernelState['faults'][number]['kind'], ctx: string, what: string, detail: string): void {
  k.faults.push({ kind, ctx, what, detail });
}

/**
 * Marks a step that may sleep (mutex_lock, down_*, an allocation with
 * `__GFP_WAIT`, a sleep): records sleep-in-atomic if `ctx` holds a spinlock.
 */
export function mightSleep(k: K, ctx: string, what: string): void {
  const spins = heldBy(k as KernelState, ctx).filter((n) => k.locks[n]?.kind === 'spin');
  if (spins.length) fault(k, 'sleep-in-atomic', ctx, what, `${ctx} may sleep in ${what} while holding spinlock ${spins.join(', ')}`);
}

function queued(l: Draft<SpinState | MutexState>, ctx: string): boolean {
  return l.waiters.includes(ctx);
}

/** spin_lock: takes a free lock, otherwise queues `ctx` to spin. */
export function spinLock(k: K, name: string, ctx: string): Acquire {
  const l = lockOf(k, name, 'spin');
  if (l.owner === ctx) throw new Error(`${ctx} takes spinlock ${name} it already holds`);
  if (l.owner === null && (l.waiters.length === 0 || l.waiters[0] === ctx)) {
    if (queued(l, ctx)) l.waiters.shift();
    l.owner = ctx;
    order(k, name, ctx, 'lock');
    return 'acquired';
  }
  if (!queued(l, ctx)) l.waiters.push(ctx);
  return 'waiting';
}

/** spin_unlock: only the owner may release (a fault otherwise). */
export function spinUnlock(k: K, name: string, ctx: string): void {
  const l = lockOf(k, name, 'spin');
  if (l.owner !== ctx) {
    fault(k, l.owner === null ? 'unlock-free' : 'unlock-non-owner', ctx, name, `${ctx} unlocks spinlock ${name} owned by ${l.owner ?? 'nobody'}`);
    return;
  }
  l.owner = null;
  order(k, name, ctx, 'unlock');
}

/** mutex_lock: may sleep; enters while the counter is ≥ 1 (so twice after a corrupting unlock). */
export function mutexLock(k: K, name: string, ctx: string): Acquire {
  mightSleep(k, ctx, `mutex_lock(${name})`);
  const l = lockOf(k, name, 'mutex');
  if (l.count >= 1 && (l.waiters.length === 0 || l.waiters[0] === ctx)) {
    if (queued(l, ctx)) l.waiters.shift();
    l.count -= 1;
    l.owner = ctx;
    order(k, name, ctx, 'lock');
    return 'acquired';
  }
  if (!queued(l, ctx)) l.waiters.push(ctx);
  return 'waiting';
}

/** mutex_trylock: compare-and-swap 1→0; never blocks. Returns whether it took the mutex. */
export function mutexTrylock(k: K, name: string, ctx: string): boolean {
  const l = lockOf(k, name, 'mutex');
  if (l.count !== 1) return false;
  l.count = 0;
  l.owner = ctx;
  order(k, name, ctx, 'lock');
  return true;
}

/**
 * mutex_unlock. By a non-owner of a held mutex: a lock-discipline fault. Of a
 * free mutex: the counter rises to 2 and the mutex is `corrupt` (spec 00 §2).
 */
export function mutexUnlock(k: K, name: string, ctx: string): void {
  const l = lockOf(k, name, 'mutex');
  if (l.count >= 1) {
    l.count += 1;
    l.corrupt = true;
    fault(k, 'unlock-free', ctx, name, `${ctx} unlocks mutex ${name}, which is not locked (count becomes ${l.count})`);
    return;
  }
  if (l.owner !== ctx) fault(k, 'unlock-non-owner', ctx, name, `${ctx} unlocks mutex ${name} owned by ${l.owner ?? 'nobody'}`);
  l.count += 1;
  l.owner = null;
  order(k, name, ctx, 'unlock');
}

function rwsemGrantable(l: Draft<RwsemState>, ctx: string, mode: 'read' | 'write'): boolean {
  const head = l.waiters[0];
  const first = l.waiters.length === 0 || head?.ctx === ctx;
  if (!first) return false;
  return mode === 'read' ? l.writer === null : l.writer === null && l.readers.length === 0;
}

function rwsemAcquire(k: K, name: string, ctx: string, mode: 'read' | 'write'): Acquire {
  mightSleep(k, ctx, `${mode === 'read' ? 'down_read' : 'down_write'}(${name})`);
  const l = lockOf(k, name, 'rwsem');
  const i = l.waiters.findIndex((w) => w.ctx === ctx);
  if (rwsemGrantable(l, ctx, mode)) {
    if (i === 0) l.waiters.shift();
    if (mode === 'read') l.readers.push(ctx);
    else l.writer = ctx;
    order(k, name, ctx, 'lock', mode === 'read');
    return 'acquired';
  }
  if (i < 0) l.waiters.push({ ctx, mode });
  return 'waiting';
}

/** down_read: shares with readers, but queues behind any waiting writer (FIFO). */
export function downRead(k: K, name: string, ctx: string): Acquire {
  return rwsemAcquire(k, name, ctx, 'read');
}

/** down_write: exclusive. */
export function downWrite(k: K, name: string, ctx: string): Acquire {
  return rwsemAcquire(k, name, ctx, 'write');
}

/** up_read. */
export function upRead(k: K, name: string, ctx: string): void {
  // a reader's release would have to join the other readers' views (lkmm.ts's unlock replaces the lock's view)
  if (k.mem) throw new Error(`weak memory: up_read(${name}) has no ordering rule yet`);
  const l = lockOf(k, name, 'rwsem');
  const i = l.readers.indexOf(ctx);
  if (i < 0) {
    fault(k, 'unlock-non-owner', ctx, name, `${ctx} calls up_read(${name}) without holding it for read`);
    return;
  }
  l.readers.splice(i, 1);
}

/** up_write. */
export function upWrite(k: K, name: string, ctx: string): void {
  const l = lockOf(k, name, 'rwsem');
  if (l.writer !== ctx) {
    fault(k, 'unlock-non-owner', ctx, name, `${ctx} calls up_write(${name}) held for write by ${l.writer ?? 'nobody'}`);
    return;
  }
  l.writer = null;
  order(k, name, ctx, 'unlock');
}

/**
 * Whether a context may take its next step: true unless it is queued on a
 * lock that cannot yet be granted to it. Models call this in `actions` for
 * each context, and retry the same acquire when it becomes true.
 */
export function canProceed(k: KernelState, ctx: string): boolean {
  const name = waitingOn(k, ctx);
  if (name === undefined) return true;
  const l = k.locks[name];
  if (!l) return true;
  if (l.kind === 'rwsem') {
    const w = l.waiters.find((x) => x.ctx === ctx);
    return w !== undefined && rwsemGrantable(l as Draft<RwsemState>, ctx, w.mode);
  }
  if (l.waiters[0] !== ctx) return false;
  return l.kind === 'spin' ? l.owner === null : l.count >= 1;
}
