/**
 * State, actions and configuration of the memcg `shrink_in_bytes` model
 * (spec 03 §2–§4). Sizes are bytes, as in the kernel; PAGE_SIZE is 4096.
 */
import type { KernelState } from '../kernel/state.js';

/** A charged page is reclaimable or pinned (spec 03 §2). */
export type PageKind = 'reclaimable' | 'pinned';
/** Writers: the shrink writer S, the limit writer L and a second limit writer L2 (W3). */
export type WriterId = 'S' | 'L' | 'L2';

/** Program counter of a writer; `CB1`/`CB2` are V2's shrink_usage callback. */
export type WriterPc = 'P1' | 'P3' | 'P2' | 'P4' | 'P5' | 'CB1' | 'CB2' | 'done';
/** A write's return value. */
export type WriteResult = 'ok' | 'EINVAL' | 'E2BIG' | 'EINTR' | 'EBUSY';

/** One `memory.shrink_in_bytes` or `memory.limit_in_bytes` write in flight (spec 03 §3 S, L). */
export interface Writer {
  readonly pc: WriterPc;
  readonly input: string;
  readonly val: number;
  readonly retry: number;
  /** Smallest usage seen in this write (the v2.6.33 progress rule). */
  readonly minUsage: number;
  readonly signal: boolean;
  readonly result: WriteResult | null;
  /**
   * Ghosts for M3 and L1/L1+: rounds without progress (counted by the
   * property side's rule, `roundWithoutProgress` in properties.ts, from what
   * each round observed — not by the loop's own `retry` bookkeeping), own
   * steps, own step bound.
   */
  readonly noProgress: number;
  /** Ghost for M3: the smallest usage this write has observed (at S1 and after each reclaim). */
  readonly seenMin: number;
  readonly steps: number;
  readonly bound: number;
}

/** Program counter of the charger C (spec 03 §3). */
export type ChargerPc = 'C1' | 'C2' | 'C3' | 'C4' | 'C5' | 'done';

/** The charger's one-page charge in flight. */
export interface Charger {
  readonly pc: ChargerPc;
  readonly retries: number;
  readonly result: 'ok' | 'ENOMEM' | null;
}

/** Model state. */
export interface MemcgState {
  readonly k: KernelState;
  readonly usage: number;
  readonly max_usage: number;
  readonly failcnt: number;
  readonly limit: number;
  readonly reclaimable: number;
  readonly pinned: number;
  readonly writers: { readonly S?: Writer; readonly L?: Writer; readonly L2?: Writer };
  readonly charger: Charger | null;
  /** Charges the environment may still start (`null`: unbounded). */
  readonly chargesLeft: number | null;
  readonly unchargesLeft: number;
  readonly togglesLeft: number;
  /** An OOM kill happened; the victim's pages are still charged. */
  readonly oomPending: boolean;
}

/** Configuration (spec 03 §7 for the small one). Sizes in pages. */
export interface MemcgConfig {
  /** Initial limit in pages; `null` is the kernel's LLONG_MAX. */
  readonly limitPages: number | null;
  readonly reclaimable: number;
  readonly pinned: number;
  /** SWAP_CLUSTER_MAX: 32 in the kernel, scaled to 1. */
  readonly swapClusterMax: number;
  /** MEM_CGROUP_RECLAIM_RETRIES: 5 in the kernel, scaled to 2. */
  readonly retries: number;
  /** Largest number of pages one reclaim call may free. */
  readonly reclaimMax: number;
  /** Charges the charger may make; `null` for a charger without budget (V3). */
  readonly charges: number | null;
  /** Whether the charger's gfp mask has `__GFP_WAIT`. */
  readonly chargerWait: boolean;
  readonly uncharges: number;
  /** pin/unpin events the environment may fire. */
  readonly toggles: number;
  /** Strings the shrink writer may write; empty: no shrink write. */
  readonly shrinkInputs: readonly string[];
  /** Strings the limit writers may write; empty: no limit write. */
  readonly limitInputs: readonly string[];
  /** 1, or 2 for W3's concurrent limit writers. */
  readonly limitWriters: number;
  /** Whether `signal(writer)` events may fire. */
  readonly signals: boolean;
}

/** Every action of the model: environment events, then the steps of S, L and C. `P0` is a write(2): it starts the writer and parses. */
export type MemcgAction =
  | { readonly type: 'P0'; readonly w: WriterId; readonly input: string }
  | { readonly type: 'charge' }
  | { readonly type: 'uncharge'; readonly kind: PageKind }
  | { readonly type: 'pin' }
  | { readonly type: 'unpin' }
  | { readonly type: 'signal'; readonly w: WriterId }
  | { readonly type: 'oom_victim_exits'; readonly kind: PageKind | null }
  | { readonly type: 'P1' | 'P2' | 'P3' | 'P4' | 'CB1'; readonly w: WriterId }
  | { readonly type: 'P5' | 'CB2'; readonly w: WriterId; readonly r: number }
  | { readonly type: 'C1'; readonly kind: PageKind | null }
  | { readonly type: 'C2' | 'C4' | 'C5' }
  | { readonly type: 'C3'; readonly r: number };
