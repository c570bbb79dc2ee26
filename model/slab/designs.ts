/**
 * The allocation and free paths of the six designs of spec 05 §3 as policies
 * over one slab model. `startStep` says which path an idle context's next
 * allocation takes (so that traces name it); `allocStep` and `freeStep`
 * execute a step on an immer draft.
 *
 * SLUB skeleton (P0, P1, P2, P3, P5, reference): per CPU a CPU slab whose
 * free objects sit on the lockless list; a miss goes to `__slab_alloc`
 * (the CPU page's own freelist, then the partial list), then to `new_slab`
 * (the page allocator). SLAB (P4): per-CPU arrays of tagged object refs
 * refilled from the slab lists by `cache_alloc_refill`.
 */
import type { Draft } from 'immer';
import { original } from '../kernel/immer.js';
import type { AllocClass } from '../kernel/allocator.js';
import { __GFP_MEMALLOC, allocClass, allocPage, freePage, GFP_ATOMIC } from '../kernel/allocator.js';
import type { AllocStep, CacheState, CpuCache, Ctx, FreeStep, Page, Ref, SlabConfig, SlabState } from './state.js';

/** The designs of spec 05 §3; P5 is the v3.6 SLUB skeleton that `reference` also uses. */
export type Design = 'P0' | 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/** Behaviour switches of one variant. */
export interface SlabFlags {
  readonly design: Design;
  /** P5: `pfmemalloc_match` also on the lockless fast path (the reference; W1 lacks it). */
  readonly fastPathCheck: boolean;
  /** P4: `recheck_pfmemalloc_active` scans every cache, not only the current one (W2 lacks it). */
  readonly globalRecheck: boolean;
  /** V5: a slow-path step computes the per-CPU word and a later step stores it (read-modify-write). */
  readonly splitStore: boolean;
}

/** An entitled context: GFP_ATOMIC | __GFP_MEMALLOC, so ALLOC_NO_WATERMARKS (spec 00 §5, v3.6). */
export const ENTITLED: AllocClass = allocClass(GFP_ATOMIC | __GFP_MEMALLOC, {}, 'v3.6');
/** A plain context: GFP_ATOMIC (may not sleep, so a failure is final). */
export const PLAIN: AllocClass = allocClass(GFP_ATOMIC, {}, 'v3.6');

type D = Draft<SlabState>;
type DCtx = Draft<Ctx>;

// ---------------------------------------------------------------- helpers

function page(d: D, id: number): Draft<Page> {
  const p = d.pages[id];
  if (!p) throw new Error(`page ${id} is not a slab page`);
  return p;
}

function cpuCache(d: D, cpu: number, cache: number): Draft<CpuCache> {
  const x = d.cpus[cpu]?.[cache];
  if (!x) throw new Error(`no cpu cache ${cpu}/${cache}`);
  return x;
}

function cacheOf(d: D, cache: number): Draft<CacheState> {
  const cs = d.caches[cache];
  if (!cs) throw new Error(`no cache ${cache}`);
  return cs;
}

function ctxOf(d: D, id: string): DCtx {
  const c = d.ctxs[id];
  if (!c) throw new Error(`no context ${id}`);
  return c;
}

/** The context receives one object of page `id`. */
function give(ctx: DCtx, id: number): void {
  // a step changes a context's holdings at most once: build the new array from the
  // base one (cheaper than editing the draft array)
  const base = original(ctx)?.held ?? ctx.held;
  const i = base.findIndex((x) => x > id);
  ctx.held = i < 0 ? [...base, id] : [...base.slice(0, i), id, ...base.slice(i)];
}

/** The allocation call returns (with or without an object). */
function finish(ctx: DCtx): void {
  ctx.pc = 'idle';
  ctx.cache = 0;
  ctx.force = false;
  ctx.grew = false;
}

function without(list: Draft<number[]>, id: number): void {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
}

function removeFromLists(d: D, id: number): void {
  const cs = cacheOf(d, page(d, id).cache);
  without(cs.partial, id);
  without(cs.full, id);
  without(cs.free, id);
}

function addFull(cs: Draft<CacheState>, id: number): void {
  const i = cs.full.findIndex((x) => x > id);
  if (i < 0) cs.full.push(id);
  else cs.full.splice(i, 0, id);
}

/** The page goes back to the page allocator. */
function discard(d: D, id: number): void {
  removeFromLists(d, id);
  d.pages[id] = null;
  freePage(d.zone);
}

/**
 * A SLUB page that stops being a CPU slab (or P1's reserve slab): an empty
 * one is returned to the page allocator (min_partial scaled to 0), one with
 * free objects goes to the tail of the partial list, a full one to `full`.
 */
function place(d: D, c: SlabConfig, id: number): void {
  const p = page(d, id);
  removeFromLists(d, id);
  const cs = cacheOf(d, p.cache);
  if (p.free === c.k) discard(d, id);
  else if (p.free > 0) cs.partial.push(id);
  else addFull(cs, id);
}

/** deactivate_slab: the lockless objects go back to the page, which leaves the CPU. */
export function deactivate(d: D, c: SlabConfig, cpu: number, cache: number): void {
  const x = cpuCache(d, cpu, cache);
  if (x.page === null) return;
  const id = x.page;
  page(d, id).free += x.lockless;
  x.lockless = 0;
  x.page = null;
  place(d, c, id);
}

/** The page allocator (spec 00 §5) for the context's class; a new slab page of `k` free objects. */
function allocSlabPage(d: D, s: SlabState, c: SlabConfig, cache: number, ctx: DCtx): number | null {
  const r = allocPage(d.zone, ctx.entitled ? ENTITLED : PLAIN);
  if (!r.ok) return null;
  // prefer a slot that was free before this step; only when the step itself returned the
  // last free page (a deactivated empty slab) is that slot used again
  let id = s.pages.indexOf(null);
  if (id < 0 || d.pages[id] !== null) id = d.pages.findIndex((x) => x === null);
  if (id < 0) throw new Error('page allocator and slab pages disagree');
  // fromReserve: the allocator's answer, kept for the properties whatever the design does with its flag
  d.pages[id] = { cache, reserve: r.reserve, fromReserve: r.reserve, free: c.k };
  if (!r.reserve) ctx.grew = true;
  return id;
}

/** Whether the page's objects may go to the context (v3.6 `pfmemalloc_match`). */
function pfmemallocMatch(p: Page, ctx: Ctx): boolean {
  return !p.reserve || ctx.entitled;
}

/**
 * Page `id` (off every list) becomes the CPU slab with all its free objects on
 * the lockless list, and the context takes one (`load_freelist`). An other
 * CPU slab is flushed first. V5 stores the per-CPU word in a later step.
 */
function loadCpu(d: D, c: SlabConfig, f: SlabFlags, ctx: DCtx, cache: number, id: number): void {
  const x = cpuCache(d, ctx.cpu, cache);
  const p = page(d, id);
  const n = p.free + (x.page === id ? x.lockless : 0) - 1;
  p.free = 0;
  if (f.splitStore) {
    // the object is handed out with the store
    ctx.pending = { page: id, lockless: n };
    ctx.pc = 'load_freelist';
    return;
  }
  give(ctx, id);
  if (x.page !== null && x.page !== id) deactivate(d, c, ctx.cpu, cache);
  x.page = id;
  x.lockless = n;
  finish(ctx);
}

// ---------------------------------------------------------------- which path

/** The first step an idle context's allocation in `cache` takes. */
export function startStep(s: SlabState, f: SlabFlags, id: string, cache: number): AllocStep {
  const ctx = s.ctxs[id];
  const x = ctx ? s.cpus[ctx.cpu]?.[cache] : undefined;
  if (!ctx || !x) throw new Error(`no context ${id} or cache ${cache}`);
  const cpuPage = x.page !== null ? s.pages[x.page] : null;
  switch (f.design) {
    case 'P4':
      return x.ac.length > 0 ? '____cache_alloc' : 'cache_alloc_refill';
    case 'P1':
      return x.lockless > 0 ? 'slab_alloc' : 'a1';
    case 'P2':
      if (!x.bit && x.lockless > 0) return 'slab_alloc';
      if (x.bit) return ctx.entitled ? 'b2' : 'b1';
      return 'b3';
    case 'P0':
    case 'P3':
    case 'P5': {
      if (f.design === 'P3' && s.caches[cache]?.flag && !ctx.entitled) return 'new_slab';
      const m = (p: Page | null | undefined): boolean => f.design !== 'P5' || !p || pfmemallocMatch(p, ctx);
      if (x.lockless > 0 && (m(cpuPage) || !f.fastPathCheck)) return 'slab_alloc';
      if (cpuPage && !m(cpuPage)) return 'deactivate_slab';
      if (cpuPage && cpuPage.free + x.lockless > 0) return '__slab_alloc';
      return (s.caches[cache]?.partial ?? []).some((pid) => m(s.pages[pid])) ? '__slab_alloc' : 'new_slab';
    }
  }
}

/** The path a free of an object of page `pageId` by context `id` takes. */
export function freePath(s: SlabState, f: SlabFlags, id: string, pageId: number): FreeStep {
  if (f.design === 'P4') return 'kmem_cache_free';
  const ctx = s.ctxs[id];
  const p = s.pages[pageId];
  const x = ctx && p ? s.cpus[ctx.cpu]?.[p.cache] : undefined;
  if (!x) throw new Error(`no context ${id} or page ${pageId}`);
  return x.page === pageId && !(f.design === 'P2' && x.bit) ? 'slab_free' : '__slab_free';
}

// ---------------------------------------------------------------- allocation steps

/**
 * Executes one allocation step of context `id` (already started: `allocs`
 * taken, `cache` set) on draft `d` of state `s`. Reads that the step cannot
 * have changed go to `s`, which is much cheaper than reading the draft.
 */
export function allocStep(d: D, s: SlabState, c: SlabConfig, f: SlabFlags, step: AllocStep, id: string): void {
  const ctx = ctxOf(d, id);
  const cache = ctx.cache;
  const x = cpuCache(d, ctx.cpu, cache);
  const cs = cacheOf(d, cache);
  // page reserve flags change only in P4's ac_get_obj, which does not match
  const match = (pid: number): boolean => f.design !== 'P5' || ctx.entitled || !s.pages[pid]?.reserve;

  switch (step) {
    case 'slab_alloc': {
      // lockless fast path: only "list non-empty" is tested (plus the match in the reference)
      if (x.page === null || x.lockless === 0) throw new Error('fast path on an empty lockless list');
      x.lockless -= 1;
      give(ctx, x.page);
      finish(ctx);
      return;
    }
    case 'deactivate_slab':
    case '__slab_alloc':
    case 'new_slab':
    case 'a1':
    case 'b3': {
      // P0, P3, P5: the whole slow path is this one step, its type the path startStep predicted
      // (deactivate_slab of a non-matching CPU slab, then the CPU page freelist, get_partial, new_slab)
      const whole = step !== 'a1' && step !== 'b3';
      // P3: while s->reserve is set a plain context gets nothing from any page
      const blocked = f.design === 'P3' && cs.flag && !ctx.entitled;
      if (!blocked) {
        if (x.page !== null) {
          const p = page(d, x.page);
          if (!match(x.page)) deactivate(d, c, ctx.cpu, cache);
          else if (p.free > 0 || x.lockless > 0) return loadCpu(d, c, f, ctx, cache, x.page);
          else {
            // get_freelist found nothing: the page is full and leaves the CPU
            const full = x.page;
            x.page = null;
            place(d, c, full);
          }
        }
        const got = cs.partial.find(match);
        if (got !== undefined) {
          without(cs.partial, got);
          return loadCpu(d, c, f, ctx, cache, got);
        }
      }
      if (!whole) {
        ctx.pc = step === 'a1' ? (ctx.entitled ? 'a2' : 'a3') : 'b4';
        return;
      }
      const got = allocSlabPage(d, s, c, cache, ctx);
      if (got === null) return finish(ctx);
      if (f.design === 'P3') cs.flag = page(d, got).reserve; // set on a reserve page, cleared on a normal one
      return loadCpu(d, c, f, ctx, cache, got);
    }
    case 'load_freelist': {
      // V5: store the word computed earlier, whatever the CPU structure holds now
      const w = ctx.pending;
      if (!w) throw new Error('load_freelist without a pending store');
      x.page = w.page;
      x.lockless = w.lockless;
      ctx.pending = null;
      give(ctx, w.page);
      return finish(ctx);
    }
    case 'a2': {
      // reserve_lock: the reserve slab if it has objects, else grow (lock held only inside the step)
      const rs = cs.reserveSlab;
      if (rs !== null && page(d, rs).free > 0) {
        page(d, rs).free -= 1;
        give(ctx, rs);
        if (page(d, rs).free === 0) releaseReserve(d, c, cache); // out of objects: back to the normal lists
        return finish(ctx);
      }
      return growP1(d, s, c, f, ctx, cache);
    }
    case 'a3':
      return growP1(d, s, c, f, ctx, cache);
    case 'b2': {
      // reserve bit set, entitled: one object at a time from the page's own freelist
      if (x.page !== null) {
        const p = page(d, x.page);
        if (p.free > 0) {
          p.free -= 1;
          give(ctx, x.page);
          return finish(ctx);
        }
        const full = x.page;
        x.page = null;
        place(d, c, full);
      }
      const got = cs.partial[0];
      if (got !== undefined) {
        // a partial page becomes the CPU slab, keeping the old reserve bit (2008)
        without(cs.partial, got);
        x.page = got;
        page(d, got).free -= 1;
        give(ctx, got);
        return finish(ctx);
      }
      ctx.pc = 'b4';
      return;
    }
    case 'b1':
    case 'b4': {
      // b1: bit set and ctx not entitled → grow without deactivating; b4: grow
      const got = allocSlabPage(d, s, c, cache, ctx);
      if (got === null) return finish(ctx);
      deactivate(d, c, ctx.cpu, cache); // 2008: the old CPU slab is flushed to the lists
      x.bit = page(d, got).reserve;
      if (x.bit) {
        x.page = got;
        page(d, got).free -= 1;
        give(ctx, got);
        return finish(ctx);
      }
      return loadCpu(d, c, f, ctx, cache, got);
    }
    case '____cache_alloc': {
      const obj = acGetObj(d, f, ctx, cache, false);
      if (obj !== null) {
        give(ctx, obj);
        return finish(ctx);
      }
      ctx.force = true; // every ref is tagged: force_refill
      ctx.pc = 'cache_grow';
      return;
    }
    case 'cache_alloc_refill': {
      refill(d, c, ctx.cpu, cache);
      if (x.ac.length === 0) {
        ctx.pc = 'cache_grow'; // must_grow
        return;
      }
      // non-NUMA: a NULL here is the allocation's result
      const obj = acGetObj(d, f, ctx, cache, false);
      if (obj !== null) give(ctx, obj);
      return finish(ctx);
    }
    case 'cache_grow': {
      const got = allocSlabPage(d, s, c, cache, ctx);
      if (got === null) return finish(ctx); // x == 0 with avail == 0 or force_refill: NULL
      if (page(d, got).reserve) d.pfmemallocActive = true; // kmem_getpages
      cs.free.push(got);
      ctx.pc = !ctx.force && x.ac.length === 0 ? 'cache_alloc_refill' : 'ac_get_obj';
      return;
    }
    case 'ac_get_obj': {
      const obj = acGetObj(d, f, ctx, cache, ctx.force);
      if (obj !== null) give(ctx, obj);
      return finish(ctx);
    }
  }
}

function releaseReserve(d: D, c: SlabConfig, cache: number): void {
  const cs = cacheOf(d, cache);
  const rs = cs.reserveSlab;
  if (rs === null) return;
  cs.reserveSlab = null;
  place(d, c, rs);
}

/** P1 a3: a reserve page becomes the reserve slab; a normal one releases it and becomes the CPU slab. */
function growP1(d: D, s: SlabState, c: SlabConfig, f: SlabFlags, ctx: DCtx, cache: number): void {
  const got = allocSlabPage(d, s, c, cache, ctx);
  if (got === null) return finish(ctx);
  const cs = cacheOf(d, cache);
  const p = page(d, got);
  if (p.reserve) {
    releaseReserve(d, c, cache);
    cs.reserveSlab = got;
    p.free -= 1;
    give(ctx, got);
    return finish(ctx);
  }
  releaseReserve(d, c, cache); // "pressure lifted"
  return loadCpu(d, c, f, ctx, cache, got);
}

// ---------------------------------------------------------------- SLAB (P4)

function acTag(d: D, id: number): boolean {
  return d.pfmemallocActive && page(d, id).reserve;
}

/** ac_get_obj / __ac_get_obj (v3.6, memalloc sockets present). Returns the object's page or null. */
function acGetObj(d: D, f: SlabFlags, ctx: DCtx, cache: number, force: boolean): number | null {
  const ac = cpuCache(d, ctx.cpu, cache).ac;
  const top = ac.pop();
  if (!top) throw new Error('ac_get_obj on an empty array');
  if (!top.tag || ctx.entitled) return top.page;
  const i = ac.findIndex((r) => !r.tag);
  if (i >= 0) {
    const obj = (ac[i] as Ref).page;
    ac[i] = top; // swap: the tagged ref takes the untagged one's slot
    return obj;
  }
  const cs = cacheOf(d, cache);
  if (cs.free.length > 0 && force) {
    page(d, top.page).reserve = false; // ClearPageSlabPfmemalloc
    recheck(d, f, cache);
    return top.page;
  }
  ac.push(top);
  return null;
}

/** recheck_pfmemalloc_active: cleared unless a flagged slab is on the lists (of this cache only, in v3.6). */
function recheck(d: D, f: SlabFlags, cache: number): void {
  if (!d.pfmemallocActive) return;
  const scan = f.globalRecheck ? d.caches : [cacheOf(d, cache)];
  for (const cs of scan) for (const id of [...cs.full, ...cs.partial, ...cs.free]) if (page(d, id).reserve) return;
  d.pfmemallocActive = false;
}

/** cache_alloc_refill's loop: up to `batch` objects from slabs_partial, then slabs_free, into the array. */
function refill(d: D, c: SlabConfig, cpu: number, cache: number): void {
  const cs = cacheOf(d, cache);
  const ac = cpuCache(d, cpu, cache).ac;
  let batch = c.batch;
  while (batch > 0) {
    const id = cs.partial[0] ?? cs.free[0];
    if (id === undefined) break;
    const p = page(d, id);
    while (p.free > 0 && batch > 0) {
      p.free -= 1;
      batch -= 1;
      ac.push({ page: id, tag: acTag(d, id) });
    }
    removeFromLists(d, id);
    if (p.free === 0) addFull(cs, id);
    else cs.partial.unshift(id);
  }
}

/** free_block: objects back to their slabs; an empty slab goes to slabs_free, or is destroyed above free_limit. */
function freeBlock(d: D, c: SlabConfig, refs: readonly Ref[]): void {
  for (const r of refs) {
    const p = page(d, r.page);
    const cs = cacheOf(d, p.cache);
    removeFromLists(d, r.page);
    p.free += 1;
    if (p.free === c.k) {
      const freeObjects = d.pages.reduce((n, q) => n + (q && q.cache === p.cache ? q.free : 0), 0);
      const freeLimit = (1 + c.cpus) * c.batch + c.k;
      if (freeObjects > freeLimit) discard(d, r.page);
      else cs.free.unshift(r.page);
    } else cs.partial.push(r.page);
  }
}

// ---------------------------------------------------------------- frees and events

/** A free of one object of page `pageId` by context `id`. */
export function freeStep(d: D, s: SlabState, c: SlabConfig, f: SlabFlags, step: FreeStep, id: string, pageId: number): void {
  const ctx = ctxOf(d, id);
  const held = s.ctxs[id]?.held ?? [];
  const i = held.indexOf(pageId);
  if (i < 0) throw new Error(`${id} holds no object of page ${pageId}`);
  ctx.held = [...held.slice(0, i), ...held.slice(i + 1)];
  const p = page(d, pageId);
  const x = cpuCache(d, ctx.cpu, p.cache);
  switch (step) {
    case 'kmem_cache_free': {
      // __cache_free: cache_flusharray when the array is full, then ac_put_obj
      if (x.ac.length >= c.limit) freeBlock(d, c, x.ac.splice(0, Math.min(c.batch, x.ac.length)));
      x.ac.push({ page: pageId, tag: acTag(d, pageId) });
      return;
    }
    case 'slab_free':
      x.lockless += 1;
      return;
    case '__slab_free': {
      p.free += 1;
      const cs = cacheOf(d, p.cache);
      // frozen: a CPU slab, P1's reserve slab, or being loaded (V5); the free changed none of these
      const frozen =
        s.cpus.some((row) => row[p.cache]?.page === pageId) ||
        s.caches[p.cache]?.reserveSlab === pageId ||
        (f.splitStore && Object.values(s.ctxs).some((o) => o.pending?.page === pageId));
      if (frozen) return;
      if (p.free === c.k) discard(d, pageId);
      else if (cs.full.includes(pageId)) {
        without(cs.full, pageId);
        cs.partial.push(pageId);
      }
      return;
    }
  }
}

/** `shrink` (kmem_cache_shrink): flush every CPU slab; P4 drains every array and frees the empty slabs. */
export function shrink(d: D, c: SlabConfig, f: SlabFlags): void {
  for (let cpu = 0; cpu < c.cpus; cpu++)
    for (let cache = 0; cache < c.caches; cache++) {
      if (f.design === 'P4') {
        const x = cpuCache(d, cpu, cache);
        freeBlock(d, c, x.ac.splice(0, x.ac.length));
      } else deactivate(d, c, cpu, cache);
    }
  if (f.design === 'P4') for (const cs of d.caches) for (const id of [...cs.free]) discard(d, id);
}
