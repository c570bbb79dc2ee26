/**
 * State, actions and configuration of the CMM balloon model (spec 02 §2–§4):
 * arch/powerpc/platforms/pseries/cmm.c v2.6.33 made memory-hotplug aware.
 *
 * Pages are numbered 0…n-1; page `p` lies in pageblock `⌊p / pagesPerPageblock⌋`,
 * pageblock `pb` in memory block `⌊pb / pageblocksPerBlock⌋`.
 */
import type { HotplugOp, MemBlockState } from '../kernel/hotplug.js';
import type { NotifierChain } from '../kernel/notifier.js';
import type { KernelState } from '../kernel/state.js';

/** Per-page state of §2. Pages of a block whose pages are offline stay `free` (the block is not `present`). */
export type PageState = 'free' | 'other_movable' | 'other_pinned' | 'inflight' | 'loaned' | 'meta';

/** One `struct cmm_page_array`: its own page (`meta`) and the loaned pages it lists. */
export interface PageArray {
  readonly meta: number;
  readonly entries: readonly number[];
}

/** A memory block: its sysfs state and whether its pages are online (counted in totalram, allocatable). */
export interface Block {
  readonly state: MemBlockState;
  readonly present: boolean;
}

/** `cmm_free_pages` in flight (spec 02 §3 FREE). F4 frees what F2 collected (W1 fix). */
export interface FreeCall {
  readonly pc: 'F1' | 'F2' | 'F2_free' | 'F3' | 'F4';
  readonly nr: number;
  /** Pages taken off the list and not yet freed (state `inflight`). */
  readonly frees: readonly number[];
}

/** Where ALLOC goes once its pending frees are done. */
export type AllocThen = 'A5' | 'loop' | 'exit';

/**
 * `cmm_alloc_pages` in flight (spec 02 §3 ALLOC). `A1` takes A1 and A2, `A3`
 * takes A3 with A4's test (and A6 when the head has room, or A4's unlock and
 * list-page allocation), `A4_lock` A4's relock (and A6), `A5` waits for the
 * set-loaned outcome (only with `hvErrors`, or after W1's free under the lock).
 */
export interface AllocCall {
  readonly pc: 'A1' | 'A2' | 'A3' | 'A4_lock' | 'A5' | 'A_free';
  readonly nr: number;
  /** The page being loaned (A2…A6). */
  readonly p: number | null;
  /** A list page allocated in A4 and not (yet) linked. */
  readonly m: number | null;
  /** Pages to free, then continue with `then`. */
  readonly frees: readonly number[];
  readonly then: AllocThen;
}

/** Program counter of the cmm thread T: asleep in T1 or T3, about to run T5, in ALLOC or FREE. */
export type TPc = 'sleep' | 'T3' | 'T4' | 'sleep_hp' | 'T5' | 'alloc' | 'free' | 'exited';

/** The cmm thread: its step, the call it is in, and B7's ghost. */
export interface Thread {
  readonly pc: TPc;
  readonly alloc: AllocCall | null;
  readonly free: FreeCall | null;
}

/** The OOM notifier (O1 = FREE, then O2, O3). */
export interface Oom {
  readonly pc: 'idle' | 'free' | 'O2' | 'O3';
  readonly free: FreeCall | null;
  /** O1's `f`: pages the FREE released. */
  readonly f: number;
}

/** The `disable` writer: kthread_stop, then FREE(loaned). */
export interface Disable {
  readonly pc: 'idle' | 'D2' | 'free' | 'done';
  readonly free: FreeCall | null;
}

/** CMM's memory-chain callback in the hotplug task (spec 02 §3 M). */
export interface CmmCallback {
  readonly pc: 'G1' | 'G3' | 'G4_occurred' | 'G5' | 'G6' | 'U1' | null;
  /** W3 fix: the callback took the mutex in G1 of this offline (also B3's ghost). */
  readonly holds: boolean;
  /** Pages unloaned or replaced in G4/G5, freed after G6's unlock (W1 fix). */
  readonly frees: readonly number[];
}

/** Ghosts of the offline in flight, for B6, B9 and B10. */
export interface OpGhost {
  /** ALLOC listed a page of the block (A4's list page, A6's entry) after the offline began: an iteration between A2 and A6 during it (B6's clause). */
  readonly lateA6: boolean;
  /** Which memory callback failed GOING_OFFLINE (any errno sign), if one did: B9. */
  readonly cbFailed: 'none' | 'veto' | 'cmm';
  /** Pages G4 unloaned in this offline (B10; not part of the exhaustive view). */
  readonly unloaned: number;
  /**
   * B3's ghost: G1 of this offline took hotplug_mutex and its U1 has not run
   * yet. Written at G1 and U1 for B3 only; the W3 fix keeps its own flag
   * (`CmmCallback.holds`), which B3 must not trust.
   */
  readonly betweenG1U1: boolean;
}

/** The hotplug task H: the online/offline request in flight and CMM's callback state. */
export interface Hotplug {
  readonly op: HotplugOp | null;
  readonly cmm: CmmCallback;
  readonly ghost: OpGhost;
}

/** B5's ghost: where we are relative to an offline's pause of loaning. */
export interface PauseGhost {
  /** `held` G1…U1; `after` a successful U1 until T3 consumes `occurred`; `delay` T's hotplug_delay sleep. */
  readonly phase: 'none' | 'held' | 'after' | 'delay';
  /** The one in-flight A6 allowed: its iteration's A1 preceded G1. */
  readonly allowance: boolean;
  /** Witness: T's hotplug_delay sleep ended after a successful offline and no A6 has happened since. */
  readonly resumable: boolean;
}

/** Model state. */
export interface BalloonState {
  readonly k: KernelState;
  readonly pages: readonly PageState[];
  readonly blocks: readonly Block[];
  /** Head first. */
  readonly list: readonly PageArray[];
  readonly loaned: number;
  readonly target: number;
  readonly oomFreed: number;
  readonly totalram: number;
  readonly loanRequest: number;
  /** The mutex version's `hotplug_occurred` (reference), or V1's atomic `hotplug_occurred`. */
  readonly occurred: number;
  /** V1's atomic `hotplug_active`. */
  readonly active: number;
  /** kthread_should_stop(). */
  readonly stop: boolean;
  readonly memory: NotifierChain;
  readonly isolate: NotifierChain;
  readonly T: Thread;
  readonly O: Oom;
  readonly D: Disable;
  readonly H: Hotplug;
  /** Event budgets. */
  readonly oomLeft: number;
  readonly offlineLeft: number;
  readonly onlineLeft: number;
  readonly otherLeft: number;
  readonly disableLeft: number;
  readonly pause: PauseGhost;
  /** W5: G4 followed a NULL array link (kernel oops); no step is taken after it. */
  readonly oops: string | null;
  /** Metric B10: pages unloaned by offlines that ended cancelled (not part of the exhaustive view). */
  readonly b10: number;
}

/** Configuration (spec 02 §7 for the small one). Sizes in pages. */
export interface BalloonConfig {
  readonly blocks: number;
  readonly pageblocksPerBlock: number;
  readonly pagesPerPageblock: number;
  /** Per pageblock: MIGRATE_MOVABLE. */
  readonly movable: readonly boolean[];
  /** Initial per-page states (only `free`, `other_movable`, `other_pinned`). */
  readonly initial: readonly PageState[];
  /**
   * The page list as earlier T rounds left it, head first: each array is
   * `[meta, ...entries]` over `free` pages; non-head arrays full. Empty in §7
   * (the balloon starts empty); random configurations draw one.
   */
  readonly preload: readonly (readonly number[])[];
  /** CMM_NR_PAGES: entries per array (510 in the kernel, scaled to 2). */
  readonly cmmNrPages: number;
  /** Values `hv` sets `loan_request` to, in turn (it starts at 0). */
  readonly loanRequests: readonly number[];
  /** min_mem_mb in pages (scaled to 2). */
  readonly minMem: number;
  /** KB2PAGES(oom_kb) (scaled to 1). */
  readonly oomPages: number;
  readonly oomEvents: number;
  /** Blocks that `offline(b)` may target, and how many offline / online requests may be made. */
  readonly offlineBlocks: readonly number[];
  readonly offlineEvents: number;
  readonly onlineEvents: number;
  /** The priority-5 memory callback is registered and may veto GOING_OFFLINE. */
  readonly vetoCallback: boolean;
  /** The priority-0 callback (ehca/ehea) may veto GOING_OFFLINE too. */
  readonly veto0: boolean;
  /** Any page allocation may fail (A2, A4, G5, migration targets). */
  readonly allocFail: boolean;
  /** plpar_page_set_loaned may fail (A5). */
  readonly hvErrors: boolean;
  /** other_alloc / other_free events the environment may fire. */
  readonly otherEvents: number;
  /** Whether `disable` may fire. */
  readonly disable: boolean;
  /**
   * The memory model of the marked locations (spec 06): V1's atomics
   * `hotplug_active` and `hotplug_occurred` under `lkmm`; absent or `sc`,
   * sequentially consistent. Every other variant has no marked location.
   */
  readonly memory?: 'sc' | 'lkmm';
}

/** Lanes: T the cmm thread (runs ALLOC and FREE), O the OOM notifier, D the disable writer, H the hotplug task (runs I and M). */
export type Ctx = 'T' | 'O' | 'D' | 'H';
/** Contexts that run FREE. */
export type FreeCtx = 'T' | 'O' | 'D';

/** Every action: environment events, then the steps of T (ALLOC, FREE), O, D and H. */
export type BalloonAction =
  | { readonly type: 'hv' }
  | { readonly type: 'oom' }
  | { readonly type: 'disable' }
  | { readonly type: 'offline'; readonly b: number }
  | { readonly type: 'online'; readonly b: number }
  | { readonly type: 'other_alloc'; readonly pb: number; readonly kind: 'other_movable' | 'other_pinned' }
  | { readonly type: 'other_free'; readonly pb: number; readonly kind: 'other_movable' | 'other_pinned' }
  | { readonly type: 'T1'; readonly rd?: number }
  | { readonly type: 'T3_sleep' | 'T4' | 'T5' }
  | { readonly type: 'T3'; readonly rmw?: number; readonly fails?: boolean }
  | { readonly type: 'A1'; readonly pb?: number | null; readonly rd?: number }
  | { readonly type: 'A2' | 'A4'; readonly pb: number | null }
  | { readonly type: 'A3' | 'A4_lock' | 'A5' | 'A6' }
  | { readonly type: 'A_free'; readonly pcp: boolean }
  | { readonly type: 'F1' | 'F2' | 'F3'; readonly ctx: FreeCtx }
  | { readonly type: 'F2_free' | 'F4'; readonly ctx: FreeCtx; readonly pcp: boolean }
  | { readonly type: 'O2' | 'O3' | 'D2' }
  | { readonly type: 'isolate' | 'I1' | 'isolate_check' }
  | { readonly type: 'cb'; readonly id: string; readonly veto: boolean }
  | { readonly type: 'G1' | 'G3' | 'G4_occurred' | 'G6' | 'U1' }
  | { readonly type: 'G5'; readonly pb: number | null }
  | { readonly type: 'scan' | 'check' | 'offline_pages' | 'undo' | 'online_pages' };

/** A FREE call at F1. */
export function freeCall(nr: number): FreeCall {
  return { pc: 'F1', nr, frees: [] };
}
