/**
 * Page-allocator watermarks (spec 00 §5; mm/page_alloc.c, mm/internal.h,
 * include/linux/gfp.h, v2.6.33 and v3.6.5) as pure arithmetic, plus the
 * one-zone abstraction the mechanism models allocate from.
 *
 * All divisions are the kernel's integer divisions on non-negative values.
 */
import type { Draft } from 'immer';

/** May sleep (direct reclaim). */
export const __GFP_WAIT = 0x10;
/** May use the emergency half of the reserve (becomes ALLOC_HIGH). */
export const __GFP_HIGH = 0x20;
/** May start physical I/O. */
export const __GFP_IO = 0x40;
/** May call into the filesystem (required for the OOM killer). */
export const __GFP_FS = 0x80;
/** No failure warning. */
export const __GFP_NOWARN = 0x200;
/** Do not retry or OOM-kill. */
export const __GFP_NORETRY = 0x1000;
/** v3.6: may use all reserves (ALLOC_NO_WATERMARKS). */
export const __GFP_MEMALLOC = 0x2000;
/** Never use the PF_MEMALLOC / TIF_MEMDIE reserves (v3.6: not even ALLOC_HARDER). */
export const __GFP_NOMEMALLOC = 0x10000;
/** `__GFP_HIGH`: may not sleep. */
export const GFP_ATOMIC = __GFP_HIGH;
/** `__GFP_WAIT` alone: **may sleep**, just no I/O. */
export const GFP_NOIO = __GFP_WAIT;
/** WAIT | IO | FS. */
export const GFP_KERNEL = __GFP_WAIT | __GFP_IO | __GFP_FS;

/** Check against the min watermark (index 0). */
export const ALLOC_WMARK_MIN = 0;
/** Check against the low watermark (index 1). */
export const ALLOC_WMARK_LOW = 1;
/** Check against the high watermark (index 2). */
export const ALLOC_WMARK_HIGH = 2;
/** Ignore watermarks entirely. */
export const ALLOC_NO_WATERMARKS = 0x04;
/** Bits selecting the watermark. */
export const ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
/** Try harder: mark -= mark/4. */
export const ALLOC_HARDER = 0x10;
/** `__GFP_HIGH`: mark -= mark/2. */
export const ALLOC_HIGH = 0x20;
/** Respect cpusets (no effect in these models). */
export const ALLOC_CPUSET = 0x40;

/** Kernel version whose gfp_to_alloc_flags applies. */
export type KernelVersion = 'v2.6.33' | 'v3.6';

/** int_sqrt: floor of the square root. */
export function isqrt(n: number): number {
  if (n < 0 || !Number.isSafeInteger(n)) throw new Error(`isqrt of ${n}`);
  let r = Math.floor(Math.sqrt(n));
  // correct the float estimate so r*r <= n < (r+1)*(r+1)
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

/** init_per_zone_wmark_min: `isqrt(lowmem_kbytes * 16)` clamped to [128, 65536]. */
export function minFreeKbytes(lowmemKbytes: number): number {
  return Math.min(65536, Math.max(128, isqrt(lowmemKbytes * 16)));
}

/** `pages_min = min_free_kbytes >> (PAGE_SHIFT - 10)`. */
export function pagesMin(minFreeKb: number, pageSize = 4096): number {
  return Math.floor(minFreeKb / (pageSize / 1024));
}

/** A zone's three watermarks, in pages. */
export interface Watermarks {
  readonly min: number;
  readonly low: number;
  readonly high: number;
}

/**
 * setup_per_zone_wmarks for one lowmem zone: its share
 * `tmp = pagesMin * zonePresent / lowmemPresent`; min = tmp, low = min + tmp/4,
 * high = min + tmp/2.
 */
export function zoneWatermarks(pagesMinTotal: number, zonePresent: number, lowmemPresent: number): Watermarks {
  const tmp = Math.floor((pagesMinTotal * zonePresent) / lowmemPresent);
  return { min: tmp, low: tmp + Math.floor(tmp / 4), high: tmp + Math.floor(tmp / 2) };
}

/** The mark after the ALLOC_HIGH (−½) and ALLOC_HARDER (−¼) reductions, in that order. */
export function adjustedMark(mark: number, flags: number): number {
  let m = mark;
  if (flags & ALLOC_HIGH) m -= Math.floor(m / 2);
  if (flags & ALLOC_HARDER) m -= Math.floor(m / 4);
  return m;
}

/**
 * zone_watermark_ok (v2.6.33): with `f = free - 2^order + 1` and `m` the
 * {@link adjustedMark}, fails if `f <= m + lowmemReserve`; then for each
 * lower order `o` the pages of that order leave `f`, `m` halves, and it
 * fails if `f <= m`. `freeArea[o]` is the number of free blocks of order `o`
 * (only read when `order > 0`).
 */
export function watermarkOk(free: number, order: number, mark: number, flags: number, lowmemReserve = 0, freeArea: readonly number[] = []): boolean {
  let m = adjustedMark(mark, flags);
  let f = free - 2 ** order + 1;
  if (f <= m + lowmemReserve) return false;
  for (let o = 0; o < order; o++) {
    f -= (freeArea[o] ?? 0) * 2 ** o;
    m = Math.floor(m / 2);
    if (f <= m) return false;
  }
  return true;
}

/** The allocating task: where it runs and its flags. */
export interface TaskCtx {
  /** `process`, or inside an interrupt (`softirq` is in_serving_softirq; both are in_interrupt). */
  readonly where?: 'process' | 'softirq' | 'hardirq';
  /** PF_MEMALLOC: the task is reclaiming memory. */
  readonly pfMemalloc?: boolean;
  /** TIF_MEMDIE: the task was chosen by the OOM killer. */
  readonly tifMemdie?: boolean;
  /** rt_task(current). */
  readonly rt?: boolean;
}

/**
 * gfp_to_alloc_flags. Start WMARK_MIN | CPUSET; `__GFP_HIGH` adds ALLOC_HIGH;
 * no `__GFP_WAIT` adds ALLOC_HARDER (and drops CPUSET), as does an RT task;
 * without `__GFP_NOMEMALLOC`, PF_MEMALLOC or TIF_MEMDIE outside interrupts
 * adds ALLOC_NO_WATERMARKS.
 *
 * v3.6 differences: `__GFP_NOMEMALLOC` also suppresses the HARDER of an
 * atomic request; an RT task gets HARDER only outside interrupts;
 * `__GFP_MEMALLOC` gives NO_WATERMARKS; so does PF_MEMALLOC while serving a
 * softirq.
 */
export function gfpToAllocFlags(gfp: number, task: TaskCtx = {}, version: KernelVersion = 'v2.6.33'): number {
  const inInterrupt = (task.where ?? 'process') !== 'process';
  const wait = (gfp & __GFP_WAIT) !== 0;
  const noMemalloc = (gfp & __GFP_NOMEMALLOC) !== 0;
  let flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  if (gfp & __GFP_HIGH) flags |= ALLOC_HIGH;
  if (!wait) {
    if (version === 'v2.6.33' || !noMemalloc) flags |= ALLOC_HARDER;
    flags &= ~ALLOC_CPUSET;
  } else if (task.rt && (version === 'v2.6.33' || !inInterrupt)) flags |= ALLOC_HARDER;
  if (!noMemalloc) {
    if (version === 'v3.6' && gfp & __GFP_MEMALLOC) flags |= ALLOC_NO_WATERMARKS;
    else if (version === 'v3.6' && task.where === 'softirq' && task.pfMemalloc) flags |= ALLOC_NO_WATERMARKS;
    else if (!inInterrupt && (task.pfMemalloc || task.tifMemdie)) flags |= ALLOC_NO_WATERMARKS;
  }
  return flags;
}

/** How a context allocates in the one-zone abstraction: its alloc flags and whether a failure may block for reclaim. */
export interface AllocClass {
  readonly flags: number;
  /**
   * The slow path goes on to direct reclaim (`__GFP_WAIT`, not PF_MEMALLOC,
   * not TIF_MEMDIE) instead of failing: the model may block the context if it
   * has a reclaimer.
   */
  readonly mayWait: boolean;
}

/** The {@link AllocClass} of a gfp mask and task. */
export function allocClass(gfp: number, task: TaskCtx = {}, version: KernelVersion = 'v2.6.33'): AllocClass {
  return {
    flags: gfpToAllocFlags(gfp, task, version),
    mayWait: (gfp & __GFP_WAIT) !== 0 && !task.pfMemalloc && !task.tifMemdie,
  };
}

/**
 * The one-zone model (spec 00 §5 "Model abstraction"). `emerg` is an extra
 * floor on top of the adjusted min (the strict pool of spec 04; 0 otherwise);
 * `lowmemReserve` is 0 in every model.
 */
export interface Zone {
  readonly free: number;
  readonly min: number;
  readonly low: number;
  readonly high: number;
  readonly emerg: number;
  readonly lowmemReserve: number;
}

/** A one-zone model with the given free pages and watermarks. */
export function oneZone(free: number, wm: Watermarks, emerg = 0): Zone {
  return { free, min: wm.min, low: wm.low, high: wm.high, emerg, lowmemReserve: 0 };
}

/**
 * An order-0 allocation: succeeds from normal memory, succeeds from the
 * reserve (`reserve: true`, v3.6 `page->pfmemalloc`), or fails; a failure
 * says whether the context may block for reclaim instead.
 */
export type AllocOutcome = { readonly ok: true; readonly reserve: boolean } | { readonly ok: false; readonly mayWait: boolean };

/**
 * alloc: if `free > adjustedMark(min, flags) + emerg` succeed normally (the
 * fast path at `low` and the slow path at the adjusted `min` together come
 * to this, since adjusted min ≤ low); else with ALLOC_NO_WATERMARKS and a
 * free page succeed from the reserve; else fail.
 */
export function alloc(zone: Zone, cls: AllocClass): AllocOutcome {
  if (zone.free > adjustedMark(zone.min, cls.flags) + zone.emerg + zone.lowmemReserve) return { ok: true, reserve: false };
  if (cls.flags & ALLOC_NO_WATERMARKS && zone.free > 0) return { ok: true, reserve: true };
  return { ok: false, mayWait: cls.mayWait };
}

/** {@link alloc}, taking the page from the zone on success. */
export function allocPage(zone: Draft<Zone>, cls: AllocClass): AllocOutcome {
  const r = alloc(zone, cls);
  if (r.ok) zone.free -= 1;
  return r;
}

/** Frees one page into the zone. */
export function freePage(zone: Draft<Zone>): void {
  zone.free += 1;
}
