/**
 * Slab allocators honouring the reserve (spec 05, seeds 003 and 004): once a
 * slab page had to come from the emergency reserve, its objects may go only to
 * contexts entitled to the reserve (S1), and reserve pages must not stay
 * pinned (S2). The designs P0–P5 of §3 are policies over one slab model
 * (`designs.ts`): slab pages with their reserve flag, per-CPU slabs (SLUB) or
 * per-CPU arrays (SLAB), partial/full/free lists, held objects and the page
 * allocator of spec 00 §5 (`kernel/allocator.ts`) with a pressure toggle.
 *
 * **Reference.** The v3.6 SLUB paths (P5) with `pfmemalloc_match(page, ctx)`
 * also on the lockless fast path: a per-page flag, set by `new_slab` from the
 * page allocator's answer and never cleared, tested on every path that hands
 * out an object (fast path, CPU page freelist, partial list). It is Daniel
 * Phillips' "per slabpage flag" (seed 004) made complete: P1–P3 track the
 * reserve in the cache or the CPU, so the flag is lost once a page changes
 * place (V1, V2, V3); P5 has the flag but skips it on the fast path (W1); P4
 * clears flags under conditions and keeps a global hint (W2). Testing the
 * flag everywhere costs one branch on the fast path and needs no lock.
 *
 * Decisions where the spec leaves room:
 * - "The flag" of S1/S1r is the page's own reserve flag (page->reserve, v3.6
 *   PageSlabPfmemalloc). P0–P3 never clear it (their own tracking — reserve
 *   slab, CPU bit, cache flag — is separate), so for them S1r adds nothing to
 *   S1. Only P4 clears page flags; S1 (strict) is not checked for P4 designs,
 *   whose forced-refill clearing hands out a reserve object by design: S1r is
 *   their property. A step is "where a plain page allocation has just
 *   succeeded" if the acting call (or this step) got a non-reserve page.
 * - Contexts allocate with GFP_ATOMIC (entitled: | __GFP_MEMALLOC), so a
 *   failed page allocation is final and nothing sleeps. P3's "block in the
 *   page allocator" is therefore a failure (the spec: "GFP_ATOMIC plain
 *   callers just fail").
 * - An allocation runs with interrupts off on its CPU: while one is in
 *   flight, no other context of that CPU moves and neither `shrink` nor
 *   `node_mismatch` touches that CPU. Other CPUs interleave between steps.
 *   Only idle contexts migrate.
 * - Steps: P1 and P2 take the spec's numbered steps (a1–a3, b1–b4), each
 *   atomic (spec 00 §6). P0, P3 and P5 have no numbered steps: a call is one
 *   step whose type names the path it takes (`slab_alloc` fast path,
 *   `deactivate_slab` of a non-matching CPU slab then on, `__slab_alloc`
 *   CPU page freelist or get_partial, `new_slab`). The kernel drops the
 *   list lock between get_partial and new_slab; the interleavings lost are
 *   another CPU's step in that window. A free there has the effect it has
 *   right after the call (or, if it returns a page, right before it); an
 *   allocation there can leave this grow without a page while a partial
 *   page now exists, a NULL that S3/S4 allow (no page at that step). No
 *   property tells them apart, and S1 is about which page hands out an
 *   object, which the window does not change. SLAB (P4)
 *   keeps `cache_alloc_refill`, `cache_grow` and the retry or `ac_get_obj`
 *   as steps: there the window matters (another CPU can empty slabs_free
 *   before a forced `ac_get_obj`).
 * - SLUB's min_partial is scaled to 0: an empty slab leaving the CPU, or
 *   emptied by a free, goes back to the page allocator. v3.6 per-CPU partial
 *   lists are omitted. Partial lists are FIFO (add to tail, take from head).
 * - P1: `reserve_lock` is held only inside one step (a2), so it is not a
 *   lock of the model; a reserve slab that runs out of objects goes back to
 *   the normal lists (the May 2007 precursor), and a normal grow releases it.
 * - P2 uses the 2008 rules (b3 keeps the old bit; b4 flushes the old CPU
 *   slab); while the bit is set the per-CPU fast paths are off (frees go to
 *   the page). Deactivation leaves the bit with the CPU.
 * - P4 is non-NUMA v3.6 SLAB with memalloc sockets present: array limit 2k,
 *   batchcount k, free_limit = (1 + cpus)·batch + k. `shrink` drains every
 *   array and frees the empty slabs (kmem_cache_shrink); P4 has no CPU slab,
 *   so `node_mismatch` is not offered for it.
 * - S2's "+ number of CPUs" counts one CPU slab per CPU and cache: CPUs ×
 *   caches.
 * - §7's "≤ 3 allocations each": the exhaustive run drops the budget
 *   (`allocs: null`). Without it there are fewer states (25,312 against
 *   more than 600,000: the four counters multiply the space) and every
 *   schedule of the bounded configuration is still covered; the 2 pages
 *   bound what can be held. The pressure toggle is unbounded there too.
 *   Random configurations keep budgets (1–3 allocations, 1–3 toggles) so
 *   that runs end. `migrate` is off in §7 (each context on its own CPU, as
 *   the spec lists them) and on in the random configurations.
 * - S2 is the spec's formula. It cannot fail in §7 (2 pages, 2 CPU slabs of
 *   slack). Read literally it also counts fragmentation: an entitled
 *   context that frees out of order leaves partly used reserve pages, so
 *   even the reference exceeds ⌈held/k⌉ + CPUs after five allocations on one
 *   CPU (tested); within §7's three allocations per context it holds (full
 *   BFS on one CPU with three pages), and the random configurations stay
 *   within three. v3.6 SLAB's per-CPU arrays pin reserve slabs beyond it.
 * - V5 (Neil Brown's bitfield worry): the per-CPU word written by the slow
 *   path is computed in one step and stored in a later `load_freelist` step,
 *   a read-modify-write; a store over a change made in between would lose a
 *   page (S5). Nothing can run on that CPU in between, hence harmless.
 *
 * Left out: V4 (the SLOB hunk does not compile); P2's 2007 rule that drops a
 * new normal page and keeps the old CPU slab; NUMA (SLAB's
 * `____cache_alloc_node` fallback, which rescues the allocation S4 sees
 * fail in non-NUMA SLAB, and per-node lists); memalloc sockets are always
 * present (without them v3.6 SLAB neither tags nor checks).
 *
 * W2 is confirmed: in two caches on one CPU (W2_CONFIG) the exhaustive
 * engine finds S1r in 13 steps, the §6b scenario; the same configuration with
 * a recheck over every cache (`globalRecheck`) explores completely with no
 * violation, so the one-cache recheck is the cause.
 */
import { produce } from '../kernel/immer.js';
import { match, P } from 'ts-pattern';
import type { Machine, ModelDef, StepInfo } from '../contract.js';
import { erase } from '../contract.js';
import { oneZone } from '../kernel/allocator.js';
import { kernelState } from '../kernel/state.js';
import { parseSlabConfig, slabRandomConfig, slabW2RandomConfig, SMALL, W2_CONFIG } from './config.js';
import type { SlabFlags } from './designs.js';
import { allocStep, deactivate, freePath, freeStep, shrink, startStep } from './designs.js';
import { slabProperties } from './properties.js';
import type { AllocStep, CpuCache, Ctx, SlabAction, SlabConfig, SlabState } from './state.js';
import { ALLOC_STEPS } from './state.js';

/** The flags of each variant. */
export const VARIANT_FLAGS: Record<string, SlabFlags> = {
  reference: { design: 'P5', fastPathCheck: true, globalRecheck: false, splitStore: false },
  V0: { design: 'P0', fastPathCheck: false, globalRecheck: false, splitStore: false },
  V1: { design: 'P1', fastPathCheck: false, globalRecheck: false, splitStore: false },
  V2: { design: 'P2', fastPathCheck: false, globalRecheck: false, splitStore: false },
  V3: { design: 'P3', fastPathCheck: false, globalRecheck: false, splitStore: false },
  V5: { design: 'P5', fastPathCheck: true, globalRecheck: false, splitStore: true },
  W1: { design: 'P5', fastPathCheck: false, globalRecheck: false, splitStore: false },
  W2: { design: 'P4', fastPathCheck: false, globalRecheck: false, splitStore: false },
};

/** Watermark that puts the zone under pressure: above every free count even after ALLOC_HIGH|ALLOC_HARDER. */
function pressureMark(c: SlabConfig): number {
  return 4 * (c.pages + 1);
}

/** Context ids of a configuration: `E<cpu>` and `P<cpu>` per CPU. */
export function ctxIds(c: SlabConfig): string[] {
  const out: string[] = [];
  for (let cpu = 0; cpu < c.cpus; cpu++) out.push(`E${cpu}`, `P${cpu}`);
  return out;
}

function initState(c: SlabConfig): SlabState {
  const mark = c.pressure ? pressureMark(c) : 0;
  const cpuCache: CpuCache = { page: null, lockless: 0, bit: false, ac: [] };
  const ctxs: Record<string, Ctx> = {};
  for (const id of ctxIds(c))
    ctxs[id] = { cpu: Number(id.slice(1)), entitled: id.startsWith('E'), allocs: c.allocs, held: [], pc: 'idle', cache: 0, force: false, grew: false, pending: null };
  return {
    k: kernelState({}),
    zone: oneZone(c.pages, { min: mark, low: mark, high: mark }),
    pages: Array.from({ length: c.pages }, () => null),
    caches: Array.from({ length: c.caches }, () => ({ partial: [], full: [], free: [], reserveSlab: null, flag: false })),
    cpus: Array.from({ length: c.cpus }, () => Array.from({ length: c.caches }, () => cpuCache)),
    ctxs,
    pfmemallocActive: false,
    togglesLeft: c.toggles,
    shrinksLeft: c.shrinks,
    mismatchesLeft: c.mismatches,
    migrationsLeft: c.migrations,
  };
}

function actions(s: SlabState, c: SlabConfig, f: SlabFlags, ids: readonly string[]): SlabAction[] {
  const out: SlabAction[] = [];
  if (s.togglesLeft === null || s.togglesLeft > 0) out.push({ type: 'pressure', on: s.zone.min === 0 });
  // an allocation in flight keeps interrupts off on its CPU
  const busy: boolean[] = Array.from({ length: c.cpus }, () => false);
  for (const id of ids) {
    const x = s.ctxs[id];
    if (x && x.pc !== 'idle') busy[x.cpu] = true;
  }
  if (s.shrinksLeft > 0 && !busy.includes(true)) out.push({ type: 'shrink' });
  if (s.mismatchesLeft > 0 && f.design !== 'P4')
    for (let cpu = 0; cpu < c.cpus; cpu++)
      if (!busy[cpu]) for (let cache = 0; cache < c.caches; cache++) if (s.cpus[cpu]?.[cache]?.page != null) out.push({ type: 'node_mismatch', cpu, cache });
  for (const id of ids) {
    const ctx = s.ctxs[id];
    if (!ctx) continue;
    if (ctx.pc !== 'idle') {
      out.push({ type: ctx.pc, ctx: id, cache: ctx.cache });
      continue;
    }
    if (s.migrationsLeft > 0) for (let cpu = 0; cpu < c.cpus; cpu++) if (cpu !== ctx.cpu) out.push({ type: 'migrate', ctx: id, cpu });
    if (busy[ctx.cpu]) continue;
    if (ctx.allocs === null || ctx.allocs > 0) for (let cache = 0; cache < c.caches; cache++) out.push({ type: startStep(s, f, id, cache), ctx: id, cache });
    let last = -1;
    for (const p of ctx.held) {
      if (p === last) continue;
      last = p;
      out.push({ type: freePath(s, f, id, p), ctx: id, page: p });
    }
  }
  return out;
}

function next(s: SlabState, a: SlabAction, c: SlabConfig, f: SlabFlags): SlabState {
  return produce(s, (d) => {
    match(a)
      .with({ type: P.union(...ALLOC_STEPS) }, (x) => {
        const ctx = d.ctxs[x.ctx];
        if (!ctx) throw new Error(`no context ${x.ctx}`);
        if (ctx.pc === 'idle') {
          const want = startStep(s, f, x.ctx, x.cache);
          if (want !== x.type) throw new Error(`${x.ctx} would start with ${want}, not ${x.type}`);
          if (ctx.allocs !== null) ctx.allocs -= 1;
          ctx.cache = x.cache;
        } else if (ctx.pc !== x.type || ctx.cache !== x.cache) throw new Error(`${x.ctx} is at ${ctx.pc}, not ${x.type}`);
        allocStep(d, s, c, f, x.type, x.ctx);
      })
      .with({ type: 'pressure' }, ({ on }) => {
        const mark = on ? pressureMark(c) : 0;
        if (d.togglesLeft !== null) d.togglesLeft -= 1;
        d.zone.min = mark;
        d.zone.low = mark;
        d.zone.high = mark;
      })
      .with({ type: 'shrink' }, () => {
        d.shrinksLeft -= 1;
        shrink(d, c, f);
      })
      .with({ type: 'node_mismatch' }, ({ cpu, cache }) => {
        d.mismatchesLeft -= 1;
        deactivate(d, c, cpu, cache);
      })
      .with({ type: 'migrate' }, ({ ctx, cpu }) => {
        const x = d.ctxs[ctx];
        if (!x || x.pc !== 'idle') throw new Error(`${ctx} cannot migrate now`);
        x.cpu = cpu;
        d.migrationsLeft -= 1;
      })
      .with({ type: 'slab_free' }, { type: '__slab_free' }, { type: 'kmem_cache_free' }, (x) => freeStep(d, s, c, f, x.type, x.ctx, x.page))
      .exhaustive();
  });
}

const FN: Record<AllocStep, [string, string]> = {
  slab_alloc: ['slab_alloc', 'fast path: take from the lockless list'],
  deactivate_slab: ['deactivate_slab', '__slab_alloc: the CPU slab does not match the caller, deactivate it; then get_partial, else new_slab'],
  __slab_alloc: ['__slab_alloc', 'slow path: the CPU page freelist, else get_partial'],
  new_slab: ['new_slab', 'slow path found nothing: a page from the page allocator becomes the CPU slab; take one'],
  load_freelist: ['__slab_alloc', 'load_freelist: store the per-CPU word computed earlier'],
  a1: ['__slab_alloc', 'ordinary CPU/partial path'],
  a2: ['__slab_alloc', 'reserve_lock: reserve_slab if it has objects, else grow'],
  a3: ['new_slab', 'grow: reserve page → reserve_slab; normal page → release reserve_slab, CPU slab'],
  b1: ['__slab_alloc', 'reserve bit set, caller not entitled → b4 grow'],
  b2: ['__slab_alloc', 'reserve bit set: one object from the page, no lockless list'],
  b3: ['__slab_alloc', 'CPU page, else a partial page keeping the bit, else b4'],
  b4: ['new_slab', 'grow: bit := reserve, old CPU slab flushed'],
  ____cache_alloc: ['____cache_alloc', 'ac_get_obj from the per-CPU array'],
  cache_alloc_refill: ['cache_alloc_refill', 'refill the array from slabs_partial/slabs_free, then ac_get_obj'],
  cache_grow: ['cache_grow', 'kmem_getpages: new slab on slabs_free'],
  ac_get_obj: ['ac_get_obj', 'after the grow: take from the array (force_refill may clear a page flag)'],
};

function describeWith(f: SlabFlags) {
  return (a: SlabAction): StepInfo =>
    match(a)
      .with({ type: 'pressure' }, ({ on }) => ({ ctx: 'env', step: 'pressure', fn: 'zone watermarks', text: on ? 'pressure on: plain page allocations fail' : 'pressure off' }))
      .with({ type: 'shrink' }, () => ({ ctx: 'env', step: 'shrink', fn: 'kmem_cache_shrink', text: f.design === 'P4' ? 'drain every array, free empty slabs' : 'flush every CPU slab' }))
      .with({ type: 'node_mismatch' }, ({ cpu, cache }) => ({ ctx: 'env', step: 'node_mismatch', fn: 'deactivate_slab', text: `node mismatch on cpu ${cpu}: deactivate its slab of cache ${cache}` }))
      .with({ type: 'migrate' }, ({ ctx, cpu }) => ({ ctx: 'env', step: 'migrate', fn: 'set_task_cpu', text: `${ctx} moves to cpu ${cpu}` }))
      .with({ type: 'slab_free' }, ({ ctx, page }) => ({ ctx, step: 'free', fn: 'slab_free', text: `fast path: object of page ${page} onto the lockless list` }))
      .with({ type: '__slab_free' }, ({ ctx, page }) => ({ ctx, step: 'free', fn: '__slab_free', text: `object back to page ${page}` }))
      .with({ type: 'kmem_cache_free' }, ({ ctx, page }) => ({ ctx, step: 'free', fn: '__cache_free', text: `object of page ${page} into the array (cache_flusharray if full)` }))
      .with({ type: P.union(...ALLOC_STEPS) }, (x) => {
        const [fn, text] = FN[x.type];
        const step = x.type === 'slab_alloc' && f.design === 'P1' ? 'a1' : x.type === 'slab_alloc' && f.design === 'P2' ? 'b3' : x.type;
        const p3 = f.design === 'P3' && x.type === 'new_slab' ? ' (s->reserve: set on a reserve page, cleared on a normal one)' : '';
        return { ctx: x.ctx, step, fn, text: `cache ${x.cache}: ${text}${p3}` };
      })
      .exhaustive();
}

/**
 * The exhaustive engine's state key: an injective compact text of the whole
 * state (nothing is dropped), much shorter than canonical JSON.
 */
export function slabKey(s: SlabState, ids: readonly string[]): string {
  let out = `${s.zone.min > 0 ? 'P' : 'p'}${s.zone.free}|${s.pfmemallocActive ? 'A' : 'a'}${s.togglesLeft ?? '*'},${s.shrinksLeft},${s.mismatchesLeft},${s.migrationsLeft}|`;
  for (const p of s.pages) out += p ? `${p.cache}${p.reserve ? 'r' : 'n'}${p.free};` : '-;';
  for (const cs of s.caches) out += `|${cs.partial.join('.')}/${cs.full.join('.')}/${cs.free.join('.')}/${cs.reserveSlab ?? '-'}/${cs.flag ? 1 : 0}`;
  for (const row of s.cpus) for (const x of row) out += `|${x.page ?? '-'},${x.lockless},${x.bit ? 1 : 0},${x.ac.map((r) => `${r.page}${r.tag ? 't' : ''}`).join('.')}`;
  for (const id of ids) {
    const x = s.ctxs[id];
    if (!x) continue;
    out += `|${x.cpu},${x.allocs ?? '*'},${x.held.join('.')},${x.pc},${x.cache},${x.force ? 1 : 0}${x.grew ? 1 : 0},${x.pending ? `${x.pending.page}.${x.pending.lockless}` : '-'}`;
  }
  if (s.k.faults.length || Object.keys(s.k.locks).length) out += `|${JSON.stringify(s.k)}`;
  return out;
}

/** Builds the machine of one variant. */
export function slabMachine(variant: string, c: SlabConfig): Machine<SlabState, SlabAction> {
  const f = VARIANT_FLAGS[variant];
  if (!f) throw new Error(`unknown variant '${variant}' of model 'slab'`);
  return slabMachineFor(f, c);
}

/** Builds a machine from explicit flags (tests use it for designs that are no variant, e.g. P4 with a recheck over every cache). */
export function slabMachineFor(f: SlabFlags, c: SlabConfig): Machine<SlabState, SlabAction> {
  const ids = ctxIds(c);
  return {
    init: () => initState(c),
    actions: (s) => actions(s, c, f, ids),
    next: (s, a) => next(s, a, c, f),
    describe: describeWith(f),
    quiescent: (s) => ids.every((id) => s.ctxs[id]?.pc === 'idle'),
    view: (s) => slabKey(s, ids),
    kernel: (s) => s.k,
    properties: slabProperties(c, f),
  };
}

/** The slab-reserve model (spec 05). */
export const slab: ModelDef<SlabState, SlabAction, SlabConfig> = {
  name: 'slab',
  title: 'slab allocators honouring the reserve (seeds 003, 004)',
  spec: '05-slab-reserve.md',
  smallConfig: SMALL,
  randomConfig: slabRandomConfig,
  propertyNames: ['S1', 'S1r', 'S2', 'S3', 'S4', 'S5'],
  variants: [
    { name: 'reference', summary: 'v3.6 SLUB with pfmemalloc_match on every path, the fast path included', expect: { kind: 'holds' } },
    { name: 'V0', summary: 'P0, no tracking: a plain context takes a reserve slab’s objects through the fast path', expect: { kind: 'violates', property: 'S1' } },
    { name: 'V1', summary: 'P1 per-cache reserve_slab: released to the normal lists when any context grows a normal page', expect: { kind: 'violates', property: 'S1' } },
    { name: 'V2', summary: 'P2 per-CPU reserve bit: the flag is lost once the page leaves the CPU (partial list)', expect: { kind: 'violates', property: 'S1' } },
    { name: 'V3', summary: 'P3 seed-003 text: one per-cache flag, cleared when a normal page is added', expect: { kind: 'violates', property: 'S1' } },
    {
      name: 'V5',
      summary: 'Neil Brown’s bitfield worry: the per-CPU word stored by a read-modify-write over two steps',
      expect: { kind: 'harmless', why: 'per-CPU data is written with interrupts off: nothing else runs on that CPU between the load and the store' },
      // §7 on one CPU: the other writers of the per-CPU word (the CPU's other context, shrink,
      // node_mismatch) are all there; a second CPU never writes it and only multiplies states
      exploreConfig: { ...SMALL, cpus: 1 },
    },
    { name: 'W1', summary: 'v3.6 SLUB: the lockless fast path does not test pfmemalloc_match', expect: { kind: 'violates', property: 'S1' } },
    {
      name: 'W2',
      summary: 'v3.6 SLAB: recheck_pfmemalloc_active scans one cache, then untagged refs of another cache’s reserve slab reach plain contexts',
      expect: { kind: 'violates', property: 'S1r' },
      exploreConfig: W2_CONFIG,
      randomConfig: slabW2RandomConfig,
    },
  ],
  parseConfig: parseSlabConfig,
  machine: slabMachine,
};

/** The slab model with its types erased, for the registry. */
export const slabModel = erase(slab);
