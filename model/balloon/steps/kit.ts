/**
 * What the rules of every context share: the lock names, the per-machine
 * kit (flags, configuration, geometry, the allocation choices and the plain
 * kernel slice of the step in progress), and the small helpers that read or
 * write a context's call (ALLOC, FREE, the hotplug operation).
 */
import { castDraft, type Draft } from 'immer';
import type { HotplugOp } from '../../kernel/hotplug.js';
import { canProceed, spinLock, spinUnlock } from '../../kernel/locks.js';
import type { KernelState, LockState } from '../../kernel/state.js';
import { kernelState } from '../../kernel/state.js';
import type { BalloonFlags } from '../flags.js';
import { allocatablePbs, isolatedPb, type Geometry } from '../geometry.js';
import type { AllocCall, BalloonConfig, BalloonState, FreeCall, FreeCtx, PageArray, PageState } from '../state.js';
import { oneChoicePerClass, type PageClasses } from '../symmetry.js';

/** The state, and its immer draft as a rule's `apply` gets it. */
export type S = BalloonState;
export type DS = Draft<BalloonState>;

export const CMM_LOCK = 'cmm_lock';
export const ZONE_LOCK = 'zone_lock';
export const HOTPLUG_MUTEX = 'hotplug_mutex';
export const PM_MUTEX = 'pm_mutex';
export const stateMutex = (b: number): string => `state_mutex${b}`;

/** What every context's rules of one machine read: its variant, its configuration and the step's kernel slice. */
export interface Kit {
  readonly f: BalloonFlags;
  readonly c: BalloonConfig;
  readonly g: Geometry;
  /** One pageblock per class of interchangeable ones, or every one when the machine is built without symmetry. */
  choices(pbs: readonly number[]): number[];
  /** Allocation choices: a pageblock per symmetry class, or `null` (failure) when allocations may fail or nothing is free. */
  allocChoices(s: S): (number | null)[];
  /**
   * The kernel slice of the step in progress: a plain copy, not part of the
   * immer draft. The lock helpers walk every lock (mightSleep, waitingOn);
   * through immer's proxies that was a quarter of a hotplug step.
   */
  k(): Draft<KernelState>;
  /** Takes one step with {@link Kit.k} fresh, and puts the copied slice (if a rule wrote it) into the new state. */
  step(s: S, next: () => S): S;
}

/** The kit of one machine. */
export function makeKit(f: BalloonFlags, c: BalloonConfig, g: Geometry, cls: PageClasses, symmetry: boolean): Kit {
  const choices = symmetry ? (pbs: readonly number[]): number[] => oneChoicePerClass(pbs, cls) : (pbs: readonly number[]): number[] => [...pbs];
  let K: Draft<KernelState> | null = null;
  let baseK: KernelState = kernelState({});
  return {
    f,
    c,
    g,
    choices,
    allocChoices: (s) => {
      const pbs: (number | null)[] = choices(allocatablePbs(s, g, c));
      if (c.allocFail || pbs.length === 0) pbs.push(null);
      return pbs;
    },
    k: () => (K ??= castDraft(cloneKernel(baseK))),
    step: (s, next) => {
      K = null;
      baseK = s.k;
      const r = next();
      return K === null ? r : { ...r, k: K as KernelState };
    },
  };
}

/** A plain deep copy of the kernel slice. */
function cloneKernel(k: KernelState): KernelState {
  const locks: Record<string, LockState> = {};
  for (const name in k.locks) {
    const l = k.locks[name] as LockState;
    locks[name] = l.kind === 'rwsem' ? { ...l, readers: [...l.readers], waiters: l.waiters.map((w) => ({ ...w })) } : { ...l, waiters: [...l.waiters] };
  }
  // the weak memory is immutable data: its operations return new memories
  return k.mem ? { locks, faults: [...k.faults], mem: k.mem } : { locks, faults: [...k.faults] };
}

/** Takes the lowest free page of pageblock `pb`, now in state `as`. */
export function takePage(d: DS, g: Geometry, pb: number, as: PageState): number {
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
export function zoneFreeable(k: KernelState): boolean {
  const l = spinOf(k, ZONE_LOCK);
  return l.owner === null && l.waiters.length === 0;
}

/** A spin_lock by `ctx` would take `name` now (free, and `ctx` is not behind another waiter). */
export function spinFreeFor(k: KernelState, name: string, ctx: string): boolean {
  const l = spinOf(k, name);
  return l.owner === null && (l.waiters.length === 0 || l.waiters[0] === ctx);
}

/**
 * free_page by T, O or D: through the per-CPU list (`pcp`, no lock) unless the
 * list is full or the pageblock is isolated, then under zone_lock.
 */
export function freePage(d: DS, x: Kit, ctx: string, page: number, pcp: boolean): 'done' | 'waiting' {
  const needZone = !pcp || isolatedPb(d, x.g, x.g.pbOf(page), x.c);
  if (needZone) {
    if (spinLock(x.k(), ZONE_LOCK, ctx) === 'waiting') return 'waiting';
    d.pages[page] = 'free';
    spinUnlock(x.k(), ZONE_LOCK, ctx);
  } else d.pages[page] = 'free';
  return 'done';
}

/** Frees the first of the pages a call collected (`frees`, on the draft): `done` when it was the last, `waiting` when queued on zone_lock. */
export function freeFirst(d: DS, x: Kit, ctx: string, frees: number[], pcp: boolean): 'done' | 'more' | 'waiting' {
  const p = frees[0];
  if (p === undefined) throw new Error(`${ctx} frees a page with none collected`);
  if (freePage(d, x, ctx, p, pcp) === 'waiting') return 'waiting';
  frees.shift();
  return frees.length === 0 ? 'done' : 'more';
}

/** The `pcp` choices a free of `page` by `ctx` offers now (see the model's header). */
export function freeChoices(s: S, x: Kit, ctx: string, page: number | undefined): boolean[] {
  if (page === undefined || !canProceed(s.k, ctx)) return [];
  const queued = spinOf(s.k, ZONE_LOCK).waiters.includes(ctx);
  if (queued || zoneFreeable(s.k) || isolatedPb(s, x.g, x.g.pbOf(page), x.c)) return [false];
  return [false, true];
}

/** Trace text of a page free: through the per-CPU list or under zone_lock. */
// Stryker disable next-line all: trace text only
export const pcpText = (pcp: boolean): string => (pcp ? 'per-CPU list' : 'zone_lock');

/** The head array is full, or there is none: ALLOC needs a new list page. */
export const headFullOrNone = (list: readonly PageArray[], nr: number): boolean => list.length === 0 || (list[0]?.entries.length ?? 0) >= nr;

/** ALLOC's iteration has passed A1 and not reached A6. */
export function iterationOpen(a: AllocCall | null): boolean {
  if (!a || a.pc === 'A1') return false;
  return !(a.pc === 'A_free' && a.then !== 'A5');
}

/** `ctx`'s FREE call, on the draft. */
export function freeOf(d: DS, ctx: FreeCtx): Draft<FreeCall> {
  const fc = ctx === 'T' ? d.T.free : ctx === 'O' ? d.O.free : d.D.free;
  if (!fc) throw new Error(`${ctx} is not in cmm_free_pages`);
  return fc;
}

/** `ctx`'s FREE call, if it is in one. */
export function freeCallOf(s: S, ctx: FreeCtx): FreeCall | null {
  if (ctx === 'T') return s.T.pc === 'free' ? s.T.free : null;
  if (ctx === 'O') return s.O.pc === 'free' ? s.O.free : null;
  return s.D.pc === 'free' ? s.D.free : null;
}

/** T's ALLOC call, on the draft. */
export function allocOf(d: DS): Draft<AllocCall> {
  if (!d.T.alloc) throw new Error('T is not in cmm_alloc_pages');
  return d.T.alloc;
}

/** The hotplug operation in flight, on the draft. */
export function opOf(d: DS): Draft<HotplugOp> {
  if (!d.H.op) throw new Error('no hotplug operation in flight');
  return d.H.op;
}

/** T's round ends: back to T1's sleep. */
export function toSleep(d: DS): void {
  d.T.pc = 'sleep';
  d.T.alloc = null;
  d.T.free = null;
}
