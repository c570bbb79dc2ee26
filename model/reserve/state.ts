/**
 * State, actions and configuration of the reserve-accounting model (spec 04
 * §2–§4). Sizes are the spec's §7 units: PAGE = 4 units, KMALLOC_MIN = 2;
 * limits, usage and charges are in units, `pages` in pages, and
 * `var_free_kbytes` in kB of a 4 KiB page.
 */
import type { KernelState } from '../kernel/state.js';
import type { Zone } from '../kernel/allocator.js';

/** Reserve nodes of the model: the root ("total reserve") and the swap reserve `r`. */
export type NodeId = 'root' | 'r';

/**
 * A reserve node (mm/reserve.c `struct mem_reserve`). `own`/`ownLimit` are
 * ghosts: what setters put on this node itself, read only by R5.
 */
export interface ReserveNode {
  readonly parent: NodeId | null;
  readonly pages: number;
  readonly limit: number;
  readonly usage: number;
  readonly own: number;
  readonly ownLimit: number;
}

/**
 * Program counter of an allocator context: idle, or the next step of
 * kmalloc_reserve (§3 K). K0–K2 run in the `alloc` step itself and K4 in K3
 * (failed attempts change nothing, so no interleaving is lost).
 */
export type AllocPc = 'idle' | 'K3' | 'K5' | 'K6' | 'K7';

/**
 * One allocator context (§4 `alloc(ctx, size, may_wait, r)`) in flight. The
 * request is kept as the kernel uses it: its cache (ksize) and its charge.
 */
export interface AllocCtx {
  readonly pc: AllocPc;
  readonly cache: number;
  /** Units CHARGE(r, +size) takes for this request. */
  readonly amount: number;
  /** Units this context has charged and not yet handed to an object or uncharged (R2). */
  readonly charged: number;
  /** In K5 and asleep on r's wait queue: only a wake-up makes it runnable. */
  readonly asleep: boolean;
  /** Allocation requests this context may still make (`null`: unbounded). */
  readonly left: number | null;
}

/**
 * Outstanding kmalloc objects with equal fields, counted. `cache` is the
 * object size (ksize), `pool` whether it sits on a page taken from the
 * emergency pool, `charged` the units charged for it (0 unless `emerg`).
 */
export interface ObjGroup {
  readonly cache: number;
  readonly emerg: boolean;
  readonly pool: boolean;
  readonly res: NodeId | null;
  readonly charged: number;
  readonly n: number;
}

/** What a reserve-tree operation does: a setter, swapon (set then connect) or swapoff (disconnect). */
export type TreeOpKind = 'set' | 'swapon' | 'swapoff';

/** Program counter of a tree operation (§3 ADD, connect, disconnect, ADJ). */
export type TreePc =
  | 'idle'
  | 'M0' // mutex_lock(mem_reserve_mutex) contended: retry, then read the node for the setter
  | 'A1'
  | 'A2' // δ; ADJ: mutex_lock(var_free_mutex), var_free_kbytes += δ, recompute the zone
  | 'ADJ1' // mutex_lock(var_free_mutex) contended: retry, then as A2
  | 'ADJ3' // V5 only: the write of var_free_kbytes read at A2
  | 'ADJ4' // δ > 0: one GFP_KERNEL page allocation; failure undoes; unlock
  | 'A2u' // ADJ failed: subtract dp again along the path
  | 'A3'
  | 'CN' // connect: -EEXIST or link
  | 'UL'; // unlink (disconnect success, or connect failure)

/** Which ADD of an operation is running: the setter's ADD on r, or the connect/disconnect ADD on the parent. */
export type TreePhase = 'set' | 'link';

/** A tree operation in flight (context `S1`, `S2` for sets, `W` for swapon/swapoff). */
export interface TreeOp {
  readonly kind: TreeOpKind;
  readonly pc: TreePc;
  readonly phase: TreePhase;
  /** The value written: pages for a pages setter, units for a kmalloc setter. */
  readonly value: number;
  /** ADD frame: target node, deltas, whether the deltas are the target's own (setter). */
  readonly target: NodeId;
  readonly dp: number;
  readonly dl: number;
  /** root.pages sampled at A1. */
  readonly old: number;
  /** δ computed at A2 (V6: the absolute target). */
  readonly delta: number;
  /** var_free_kbytes as read at ADJ2. */
  readonly tmp: number;
  /** ADJ failed (-ENOMEM). */
  readonly err: boolean;
  readonly result: 'ok' | 'ENOMEM' | 'EEXIST' | null;
}

/** Model state. */
export interface ReserveState {
  readonly k: KernelState;
  readonly nodes: { readonly [id in NodeId]: ReserveNode };
  readonly varFreeKb: number;
  readonly zone: Zone;
  /** Pages held by other users (taken by `pressure`, returned by `reclaim`). */
  readonly others: number;
  readonly objs: readonly ObjGroup[];
  readonly ctx: { readonly [id: string]: AllocCtx };
  readonly tree: { readonly [id: string]: TreeOp };
  readonly pressureUsed: number;
  readonly reclaimUsed: number;
  readonly swaponsLeft: number;
  readonly swapoffsLeft: number;
}

/** A static allocator context of the configuration. */
export interface AllocatorSpec {
  readonly id: string;
  /** gfp mask (include/linux/gfp.h v2.6.33 values). */
  readonly gfp: number;
  /** PF_MEMALLOC / `__GFP_MEMALLOC`: may use ALLOC_NO_WATERMARKS (§3 K2). */
  readonly entitled: boolean;
  /** Allocation requests this context makes at most (`null`: unbounded). */
  readonly allocs: number | null;
}

/** How the `set` event sizes the reserve (§2 setters). */
export type SetKind = 'pages' | 'kmalloc';

/** Configuration (spec 04 §7 for the small one). */
export interface ReserveConfig {
  /** Zone pages, all free at the start. */
  readonly free: number;
  /** The zone's min watermark without the pool. */
  readonly min: number;
  /** Pages of r at the start (its limit is pages × PAGE); 0 with `connected` false. */
  readonly pages: number;
  /** r starts connected under root (swap is on). */
  readonly connected: boolean;
  readonly sizes: readonly number[];
  readonly allocators: readonly AllocatorSpec[];
  readonly setKind: SetKind;
  readonly setValues: readonly number[];
  /** Set events (each its own context, S1, S2, …). */
  readonly sets: number;
  readonly pressures: readonly number[];
  readonly reclaims: readonly number[];
  readonly swapons: number;
  readonly swapoffs: number;
  /** Pages swapon sets r to before connecting it. */
  readonly swaponPages: number;
  /**
   * Units of sizes, charges and limits: §7's scaled units (PAGE = 4,
   * KMALLOC_MIN = 2, power-of-two caches; the default), or bytes with the
   * real SLUB kmalloc size classes of estimate.ts (4096-byte pages,
   * KMALLOC_MIN_SIZE 8, and the 96- and 192-byte caches, whose objects are
   * charged roundup_pow_of_two(ksize) = 128 and 256 bytes).
   */
  readonly units?: 'scaled' | 'bytes';
}

/** Every action: environment events, allocator steps, tree-operation steps, frees. */
export type ReserveAction =
  | { readonly type: 'alloc'; readonly ctx: string; readonly size: number }
  | { readonly type: 'K3' | 'K5' | 'K6' | 'K7'; readonly ctx: string }
  | { readonly type: 'F'; readonly cache: number; readonly emerg: boolean; readonly pool: boolean; readonly res: NodeId | null; readonly charged: number }
  | { readonly type: 'pressure'; readonly k: number }
  | { readonly type: 'reclaim'; readonly k: number }
  | { readonly type: 'set'; readonly ctx: string; readonly value: number }
  | { readonly type: 'swapon' }
  | { readonly type: 'swapoff' }
  | { readonly type: Exclude<TreePc, 'idle'>; readonly ctx: string };
