/**
 * State, actions and configuration of the slab-reserve model (spec 05 §2–§4).
 *
 * Objects are anonymous: an object is known by the slab page it was carved
 * from, which is all that S1–S5 read. A page lives in exactly one place (a
 * CPU slab, a list of its cache, P1's reserve slab); its free objects are on
 * its own freelist (`Page.free`), on the lockless list of the CPU whose slab
 * it is (`CpuCache.lockless`), in a per-CPU array (`CpuCache.ac`, P4), or
 * held by a context.
 */
import type { KernelState } from '../kernel/state.js';
import type { Zone } from '../kernel/allocator.js';

/** A slab page. `reserve` is the page's own flag (page->reserve, v3.6 PageSlabPfmemalloc). */
export interface Page {
  readonly cache: number;
  readonly reserve: boolean;
  /**
   * Ghost, read only by the properties: the page allocator served this page
   * from the reserve (its answer when the slab grew, never changed). The
   * designs' own flag is `reserve`; S1 and S2 judge by this instead, so a
   * design that sets or keeps its flag wrongly cannot agree with itself.
   */
  readonly fromReserve: boolean;
  /** Objects on the page's own freelist. */
  readonly free: number;
}

/** A reference to an object in a SLAB per-CPU array, with its pfmemalloc tag (P4). */
export interface Ref {
  readonly page: number;
  readonly tag: boolean;
}

/** Per CPU and cache (`kmem_cache_cpu`, or SLAB's `array_cache`). */
export interface CpuCache {
  /** The CPU slab (SLUB designs). */
  readonly page: number | null;
  /** Objects on `c->freelist`, all from `page`. */
  readonly lockless: number;
  /** P2's reserve bit. */
  readonly bit: boolean;
  /** P4's array cache, bottom first (the top is the last element). */
  readonly ac: readonly Ref[];
}

/** Per cache (one node). */
export interface CacheState {
  /** Partial list, head first. */
  readonly partial: readonly number[];
  /** Full slabs, sorted (SLUB keeps no such list; kept so that every page has a place). */
  readonly full: readonly number[];
  /** P4's slabs_free, head first. */
  readonly free: readonly number[];
  /** P1's `reserve_slab`. */
  readonly reserveSlab: number | null;
  /** P3's per-cache `s->reserve` flag. */
  readonly flag: boolean;
}

/**
 * The next step of a context: `idle` between calls, otherwise the action type
 * of its next step (see {@link AllocStep}).
 */
export type Pc = 'idle' | AllocStep;

/** V5: the per-CPU word computed by a slow-path step and not yet stored, and the object to hand out with it. */
export interface PendingStore {
  readonly page: number;
  readonly lockless: number;
}

/** An allocating context (spec 05 §4: entitled or plain, on a CPU). */
export interface Ctx {
  readonly cpu: number;
  readonly entitled: boolean;
  /** Allocations it may still start (`null`: no budget). */
  readonly allocs: number | null;
  /** Pages of the objects it holds, sorted. */
  readonly held: readonly number[];
  readonly pc: Pc;
  /** Cache of the allocation in flight (0 when idle). */
  readonly cache: number;
  /** P4: the refill in flight is forced (`force_refill`). */
  readonly force: boolean;
  /** This call's page allocation returned a non-reserve page (read by S1r). */
  readonly grew: boolean;
  /** V5 only. */
  readonly pending: PendingStore | null;
}

/** Model state. */
export interface SlabState {
  readonly k: KernelState;
  /** The page allocator (spec 00 §5 abstraction); pressure = watermarks above every free count. */
  readonly zone: Zone;
  /** Slab pages by id; `null` slots are pages in the page allocator. */
  readonly pages: readonly (Page | null)[];
  readonly caches: readonly CacheState[];
  /** `cpus[cpu][cache]`. */
  readonly cpus: readonly (readonly CpuCache[])[];
  /** Contexts by id (`E<cpu>`, `P<cpu>`). */
  readonly ctxs: { readonly [id: string]: Ctx };
  /** P4's global `pfmemalloc_active`. */
  readonly pfmemallocActive: boolean;
  /** Pressure toggles left (`null`: unbounded). */
  readonly togglesLeft: number | null;
  readonly shrinksLeft: number;
  readonly mismatchesLeft: number;
  readonly migrationsLeft: number;
}

/** Configuration (spec 05 §7 for the small one). */
export interface SlabConfig {
  /** Objects per slab. */
  readonly k: number;
  readonly cpus: number;
  readonly caches: number;
  /** Pages in the page allocator. */
  readonly pages: number;
  /** Initial pressure. */
  readonly pressure: boolean;
  /** Pressure toggles (`null`: unbounded). */
  readonly toggles: number | null;
  /** Allocations each context may start (`null`: no budget). */
  readonly allocs: number | null;
  readonly shrinks: number;
  readonly mismatches: number;
  readonly migrations: number;
  /** SLAB array cache (P4): refill batch and limit. */
  readonly batch: number;
  readonly limit: number;
}

/**
 * Steps of an allocation, each named by the allocator path it models: SLUB
 * (P0, P3, P5, reference), P1's a1–a3, P2's b1–b4, SLAB (P4).
 */
export const ALLOC_STEPS = [
  'slab_alloc', 'deactivate_slab', '__slab_alloc', 'new_slab', 'load_freelist',
  'a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'b4',
  '____cache_alloc', 'cache_alloc_refill', 'cache_grow', 'ac_get_obj',
] as const;

/** One allocation step type. */
export type AllocStep = (typeof ALLOC_STEPS)[number];

/** Free paths. */
export type FreeStep = 'slab_free' | '__slab_free' | 'kmem_cache_free';

/** Every action: allocation and free steps of a context, then the environment events of §4. */
export type SlabAction =
  | { readonly type: AllocStep; readonly ctx: string; readonly cache: number }
  | { readonly type: FreeStep; readonly ctx: string; readonly page: number }
  | { readonly type: 'pressure'; readonly on: boolean }
  | { readonly type: 'migrate'; readonly ctx: string; readonly cpu: number }
  | { readonly type: 'node_mismatch'; readonly cpu: number; readonly cache: number }
  | { readonly type: 'shrink' };

/** Whether an action is a step of an allocation. */
export function isAllocStep(a: SlabAction | undefined): a is Extract<SlabAction, { type: AllocStep }> {
  return a !== undefined && (ALLOC_STEPS as readonly string[]).includes(a.type);
}
