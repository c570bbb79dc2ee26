/**
 * The kernel-primitive slice every model keeps in its state (spec 00 §2, §6):
 * the locks with their holders and waiters, and the faults that the
 * primitives record when a context breaks a locking rule. The built-in
 * checks (`checks.ts`) read only this slice, so they work for every model.
 */

import type { WeakMemory } from './lkmm.js';

/** A spinlock: one owner, contexts spinning on it in arrival order. */
export interface SpinState {
  readonly kind: 'spin';
  readonly owner: string | null;
  readonly waiters: readonly string[];
}

/**
 * A mutex with the kernel's counter: 1 free, 0 locked. An unlock of a free
 * mutex raises the count to 2 and sets `corrupt` (spec 00 §2): the next two
 * `lock` callers both enter, `trylock` (compare-and-swap 1→0) fails at 2.
 */
export interface MutexState {
  readonly kind: 'mutex';
  readonly count: number;
  readonly owner: string | null;
  readonly waiters: readonly string[];
  readonly corrupt: boolean;
}

/** A reader/writer semaphore with FIFO fairness: once a writer waits, later readers queue behind it. */
export interface RwsemState {
  readonly kind: 'rwsem';
  readonly readers: readonly string[];
  readonly writer: string | null;
  readonly waiters: readonly { readonly ctx: string; readonly mode: 'read' | 'write' }[];
}

/** Any lock. */
export type LockState = SpinState | MutexState | RwsemState;

/** A broken rule, recorded in the state by the primitive that saw it. */
export interface Fault {
  readonly kind: 'unlock-non-owner' | 'unlock-free' | 'sleep-in-atomic';
  readonly ctx: string;
  /** The lock involved, or for sleep-in-atomic the blocking operation. */
  readonly what: string;
  readonly detail: string;
}

/** Locks by name, and faults seen so far. */
export interface KernelState {
  readonly locks: { readonly [name: string]: LockState };
  readonly faults: readonly Fault[];
  /**
   * The weak memory of the model's marked (lockless) locations, when it runs
   * under `lkmm` (spec 06); absent under SC. Every lock operation of
   * `locks.ts` then also carries its ordering (unlock a release, lock an
   * acquire of the last unlock's view).
   */
  readonly mem?: WeakMemory;
}

/** A kernel slice with the given locks, all free. */
export function kernelState(locks: Record<string, LockState['kind']>): KernelState {
  const out: Record<string, LockState> = {};
  for (const [name, kind] of Object.entries(locks)) {
    out[name] =
      kind === 'spin'
        ? { kind, owner: null, waiters: [] }
        : kind === 'mutex'
          ? { kind, count: 1, owner: null, waiters: [], corrupt: false }
          : { kind, readers: [], writer: null, waiters: [] };
  }
  return { locks: out, faults: [] };
}

/** Names of the locks `ctx` holds (a reader of an rwsem holds it too). */
export function heldBy(k: KernelState, ctx: string): string[] {
  const out: string[] = [];
  for (const [name, l] of Object.entries(k.locks)) {
    if (l.kind === 'rwsem' ? l.writer === ctx || l.readers.includes(ctx) : l.owner === ctx) out.push(name);
  }
  return out;
}

/** The lock `ctx` is queued on, if any. */
export function waitingOn(k: KernelState, ctx: string): string | undefined {
  for (const [name, l] of Object.entries(k.locks)) {
    if (l.kind === 'rwsem' ? l.waiters.some((w) => w.ctx === ctx) : l.waiters.includes(ctx)) return name;
  }
  return undefined;
}

/** Holders of a lock (owner, writer or readers). */
export function holdersOf(l: LockState): string[] {
  if (l.kind === 'rwsem') return l.writer !== null ? [l.writer] : [...l.readers];
  return l.owner !== null ? [l.owner] : [];
}
