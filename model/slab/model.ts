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
 * What each property reads is listed in properties.ts's header: S1 and S2
 * judge reserve-ness by the ghost `Page.fromReserve` (the page allocator's
 * answer when the slab grew), not by the designs' flag, except for P4 whose
 * flag clearing is S1r's subject (issue 15). The ghost enters the state key
 * only where it differs from the flag, so the counts of designs that never
 * clear flags are unchanged; P4's grow (W2 with a global recheck: 7,022 →
 * 8,302 states).
 *
 * Flattening reviewed (issue 15): §7's k = 2 makes "one object left on the
 * CPU slab" and "the slab is half used" coincide; the family has k = 1 (no
 * lockless list at all) and k = 3 (Peter's scenario). One cache hid every
 * cross-cache effect (W2 needs two); the family has two caches on one CPU
 * and a migrating context on two CPUs. Pages 0, 1 and 3 put the zone on
 * each side of "one reserve page". Kept: one node (no NUMA, see above).
 * The family is model/slab/family.ts.
 *
 * W2 is confirmed: in two caches on one CPU (W2_CONFIG) the exhaustive
 * engine finds S1r in 13 steps, the §6b scenario; the same configuration with
 * a recheck over every cache (`globalRecheck`) explores completely with no
 * violation, so the one-cache recheck is the cause.
 *
 * Declared with `defineModel` (variants once) and one rule per step or path
 * of §3–§4 (`machineFromRules` makes `actions`, `next` and `describe`); the
 * one thing rules do not say, the order context by context in which steps
 * are offered, is kept in {@link contextOrder}.
 * - Data races (spec 06 §5, `mmcheck races slab`, issue 19): every step is
 *   one of the allocator's atomic sections, under locks the kernel slice
 *   does not hold between steps (slab_lock, list_lock, interrupts off on the
 *   CPU, zone->lock); SLAB_RACE_EXEMPT leaves out the structures they guard
 *   (pages, lists, per-CPU state, V5's pending store) and v3.6 SLAB's
 *   `pfmemalloc_active`, read on the allocation path with no lock by design
 *   (unmarked in the kernel; under LKMM its publication through list_lock
 *   orders it: test/litmus/seeds/Slab+pfmemallocactive+listlock, Never). No race is
 *   left on any variant.
 */
import { original } from '../kernel/immer.js';
import type { Machine } from '../contract.js';
import { erase } from '../contract.js';
import { defineModel } from '../define.js';
import type { Rule, RuleAction } from '../rules.js';
import { machineFromRules, rulesFor, when } from '../rules.js';
import { oneZone } from '../kernel/allocator.js';
import { kernelState } from '../kernel/state.js';
import { slabConfigSchema, slabRandomConfig, slabW2RandomConfig, SMALL, W2_CONFIG } from './config.js';
import type { SlabFlags } from './designs.js';
import { allocStep, deactivate, freePath, freeStep, shrink, startStep } from './designs.js';
import { slabProperties } from './properties.js';
import { slabFamily } from './family.js';
import type { AllocStep, CpuCache, Ctx, FreeStep, SlabConfig, SlabState } from './state.js';
import { ALLOC_STEPS } from './state.js';

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

/** The CPUs with an allocation in flight: it keeps interrupts off there, so nothing else of that CPU moves. */
function busyCpus(s: SlabState, c: SlabConfig, ids: readonly string[]): boolean[] {
  const busy: boolean[] = Array.from({ length: c.cpus }, () => false);
  for (const id of ids) {
    const x = s.ctxs[id];
    if (x && x.pc !== 'idle') busy[x.cpu] = true;
  }
  return busy;
}

/** An allocation step of a context: the context and the cache the allocation is in. */
type AllocArgs = { ctx: string; cache: number };
/** A free by a context of one object of `page`. */
type FreeArgs = { ctx: string; page: number };

/**
 * Every context's next allocation step in `s`, context by context: the step
 * at its pc when an allocation is in flight, else, when its CPU is free and
 * its budget allows, the path `startStep` says a new allocation in each
 * cache takes (one step type per path, so traces name it).
 */
function nextAllocSteps(s: SlabState, c: SlabConfig, f: SlabFlags, ids: readonly string[]): { type: AllocStep; args: AllocArgs }[] {
  const busy = busyCpus(s, c, ids);
  const out: { type: AllocStep; args: AllocArgs }[] = [];
  for (const id of ids) {
    const ctx = s.ctxs[id];
    if (!ctx) continue;
    if (ctx.pc !== 'idle') out.push({ type: ctx.pc, args: { ctx: id, cache: ctx.cache } });
    else if (!busy[ctx.cpu] && (ctx.allocs === null || ctx.allocs > 0))
      for (let cache = 0; cache < c.caches; cache++) out.push({ type: startStep(s, f, id, cache), args: { ctx: id, cache } });
  }
  return out;
}

/** Every idle context's frees (one per page it holds objects of), each with the path `freePath` says it takes. */
function nextFrees(s: SlabState, c: SlabConfig, f: SlabFlags, ids: readonly string[]): { type: FreeStep; args: FreeArgs }[] {
  const busy = busyCpus(s, c, ids);
  const out: { type: FreeStep; args: FreeArgs }[] = [];
  for (const id of ids) {
    const ctx = s.ctxs[id];
    if (!ctx || ctx.pc !== 'idle' || busy[ctx.cpu]) continue;
    let last = -1;
    for (const p of ctx.held) {
      // held is sorted: one free per page
      if (p === last) continue;
      last = p;
      out.push({ type: freePath(s, f, id, p), args: { ctx: id, page: p } });
    }
  }
  return out;
}

/** One state's answer at a time: the rules of every path ask the same question of the same state. */
function lastOf<T>(fn: (s: SlabState) => T): (s: SlabState) => T {
  let state: SlabState | undefined;
  let value: T | undefined;
  return (s) => {
    if (s !== state) {
      state = s;
      value = fn(s);
    }
    return value as T;
  };
}

const rule = rulesFor<SlabState>();

// Stryker disable all: trace text only (step and function names); no property reads it and the model declares no eventually-property (the only reader of lanes as fairness)
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
const FREE: Record<FreeStep, [string, (page: number) => string]> = {
  slab_free: ['slab_free', (page) => `fast path: object of page ${page} onto the lockless list`],
  __slab_free: ['__slab_free', (page) => `object back to page ${page}`],
  kmem_cache_free: ['__cache_free', (page) => `object of page ${page} into the array (cache_flusharray if full)`],
};
/** The spec's name of a step: P1 and P2 call the fast path a1 and b3. */
function stepName(f: SlabFlags, type: AllocStep): string {
  return type === 'slab_alloc' && f.design === 'P1' ? 'a1' : type === 'slab_alloc' && f.design === 'P2' ? 'b3' : type;
}
// Stryker restore all

/** §4's environment events: pressure, shrink, node_mismatch, migrate. */
function events(c: SlabConfig, f: SlabFlags, ids: readonly string[]): Rule<SlabState>[] {
  return [
    rule({
      step: 'pressure',
      fn: 'zone watermarks',
      enabled: (s) => (s.togglesLeft === null || s.togglesLeft > 0 ? [{ on: s.zone.min === 0 }] : []),
      ctx: 'env',
      apply: (d, { on }) => {
        const mark = on ? pressureMark(c) : 0;
        if (d.togglesLeft !== null) d.togglesLeft -= 1;
        d.zone.min = mark;
        d.zone.low = mark;
        d.zone.high = mark;
      },
      // Stryker disable next-line all: trace text only
      text: (_, { on }) => (on ? 'pressure on: plain page allocations fail' : 'pressure off'),
    }),
    rule({
      step: 'shrink',
      fn: 'kmem_cache_shrink',
      enabled: (s) => when(s.shrinksLeft > 0 && !busyCpus(s, c, ids).includes(true)),
      ctx: 'env',
      apply: (d) => {
        d.shrinksLeft -= 1;
        shrink(d, c, f);
      },
      // Stryker disable next-line all: trace text only
      text: () => (f.design === 'P4' ? 'drain every array, free empty slabs' : 'flush every CPU slab'),
    }),
    rule({
      step: 'node_mismatch',
      fn: 'deactivate_slab',
      // P4 has no CPU slab to deactivate
      enabled: (s) => {
        if (s.mismatchesLeft <= 0 || f.design === 'P4') return [];
        const busy = busyCpus(s, c, ids);
        const out: { cpu: number; cache: number }[] = [];
        for (let cpu = 0; cpu < c.cpus; cpu++) if (!busy[cpu]) for (let cache = 0; cache < c.caches; cache++) if (s.cpus[cpu]?.[cache]?.page != null) out.push({ cpu, cache });
        return out;
      },
      ctx: 'env',
      apply: (d, { cpu, cache }) => {
        d.mismatchesLeft -= 1;
        deactivate(d, c, cpu, cache);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { cpu, cache }) => `node mismatch on cpu ${cpu}: deactivate its slab of cache ${cache}`,
    }),
    rule({
      step: 'migrate',
      fn: 'set_task_cpu',
      // only idle contexts migrate
      enabled: (s) => (s.migrationsLeft > 0 ? ids.flatMap((ctx) => (s.ctxs[ctx]?.pc !== 'idle' ? [] : Array.from({ length: c.cpus }, (_, cpu) => ({ ctx, cpu })).filter(({ cpu }) => cpu !== s.ctxs[ctx]?.cpu))) : []),
      ctx: 'env',
      apply: (d, { ctx, cpu }) => {
        const x = d.ctxs[ctx];
        if (!x || x.pc !== 'idle') throw new Error(`${ctx} cannot migrate now`);
        x.cpu = cpu;
        d.migrationsLeft -= 1;
      },
      // Stryker disable next-line all: trace text only
      text: (_, { ctx, cpu }) => `${ctx} moves to cpu ${cpu}`,
    }),
  ];
}

/**
 * One rule per allocation step (§3's paths of P0–P5, `designs.ts`): a
 * context takes the step at its pc, or starts an allocation with it when
 * that is the path `startStep` predicts.
 */
function allocations(c: SlabConfig, f: SlabFlags, ids: readonly string[]): Rule<SlabState>[] {
  const steps = lastOf((s) => nextAllocSteps(s, c, f, ids));
  return ALLOC_STEPS.map((type) =>
    rule({
      name: type,
      step: stepName(f, type),
      fn: FN[type][0],
      enabled: (s): AllocArgs[] => steps(s).filter((x) => x.type === type).map((x) => x.args),
      ctx: (a) => a.ctx,
      apply: (d, { ctx: id, cache }) => {
        // the state before the step: reads the step cannot have changed are cheaper there (designs.ts)
        const s = original(d) as SlabState;
        const ctx = d.ctxs[id];
        if (!ctx) throw new Error(`no context ${id}`);
        if (ctx.pc === 'idle') {
          const want = startStep(s, f, id, cache);
          if (want !== type) throw new Error(`${id} would start with ${want}, not ${type}`);
          if (ctx.allocs !== null) ctx.allocs -= 1;
          ctx.cache = cache;
        } else if (ctx.pc !== type || ctx.cache !== cache) throw new Error(`${id} is at ${ctx.pc}, not ${type}`);
        allocStep(d, s, c, f, type, id);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { cache }) => `cache ${cache}: ${FN[type][1]}${f.design === 'P3' && type === 'new_slab' ? ' (s->reserve: set on a reserve page, cleared on a normal one)' : ''}`,
    }),
  );
}

/** One rule per free path: SLUB's fast path onto the CPU's lockless list, the slow path to the page, SLAB's array. */
function frees(c: SlabConfig, f: SlabFlags, ids: readonly string[]): Rule<SlabState>[] {
  const paths = lastOf((s) => nextFrees(s, c, f, ids));
  return (['slab_free', '__slab_free', 'kmem_cache_free'] as const).map((type) =>
    rule({
      name: type,
      step: 'free',
      fn: FREE[type][0],
      enabled: (s): FreeArgs[] => paths(s).filter((x) => x.type === type).map((x) => x.args),
      ctx: (a) => a.ctx,
      apply: (d, { ctx, page }) => freeStep(d, original(d) as SlabState, c, f, type, ctx, page),
      // Stryker disable next-line all: trace text only
      text: (_, { page }) => FREE[type][1](page),
    }),
  );
}

/**
 * What rules cannot state yet (reported on issue 17), kept here: steps are
 * offered as before the rules, the events first, then context by context
 * (its migrations, its allocation step or starts by cache, its frees by
 * page), since random schedules, fast-check replay paths and the shortest
 * counterexamples the exhaustive engine finds first all follow this order.
 */
function contextOrder(m: Machine<SlabState, RuleAction>, ids: readonly string[]): Machine<SlabState, RuleAction> {
  const index = new Map(ids.map((id, i) => [id, i]));
  const ENV = new Set(['pressure', 'shrink', 'node_mismatch']);
  const key = (a: RuleAction): [number, number, number] => {
    if (ENV.has(a.type)) return [0, 0, 0];
    const ctx = 1 + (index.get(String(a.ctx)) ?? 0);
    if (a.type === 'migrate') return [ctx, 0, 0];
    return typeof a.page === 'number' ? [ctx, 2, a.page] : [ctx, 1, Number(a.cache)];
  };
  const before = (a: RuleAction, b: RuleAction): number => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  };
  return { ...m, actions: (s) => [...m.actions(s)].sort(before) };
}

/**
 * The exhaustive engine's state key: an injective compact text of the whole
 * state (nothing is dropped), much shorter than canonical JSON.
 */
export function slabKey(s: SlabState, ids: readonly string[]): string {
  let out = `${s.zone.min > 0 ? 'P' : 'p'}${s.zone.free}|${s.pfmemallocActive ? 'A' : 'a'}${s.togglesLeft ?? '*'},${s.shrinksLeft},${s.mismatchesLeft},${s.migrationsLeft}|`;
  // the ghost shows only where it differs from the flag (P4 clears flags), so other designs' keys are unchanged
  for (const p of s.pages) out += p ? `${p.cache}${p.reserve ? 'r' : 'n'}${p.fromReserve !== p.reserve ? 'g' : ''}${p.free};` : '-;';
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

/**
 * What the race check (spec 06 §5) leaves out of the slab model, and why:
 * every step is one of the allocator's atomic sections, and the locks that
 * make it one (slab_lock, list_lock, interrupts off on the CPU, zone->lock)
 * are not in the kernel slice, since no step can see them held.
 */
const SLAB_RACE_EXEMPT: Readonly<Record<string, string>> = {
  pages: "slab pages (free objects, cache, reserve flag): each step changes a page whole, under slab_lock(page) or on the CPU that has it as its CPU slab with interrupts off, as SLUB does",
  caches: "each cache's partial and full lists: changed within one step, under the node's list_lock (add_partial, remove_partial)",
  cpus: 'per-CPU slab state: only the contexts of its CPU touch it, each step with interrupts off there (local_irq_save); the events that flush it run on that CPU (IPI)',
  'zone.free': "the page allocator's free count: every allocator operation is one atomic step, under zone->lock in the kernel",
  'zone.min': 'the watermark the pressure events move: the allocator reads it without a lock, as zone_watermark_ok() does',
  'ctxs.*.pending': "V5's per-CPU word between its load and its store, kept with the context: per-CPU data, touched only with interrupts off on its CPU (as cpus)",
  pfmemallocActive:
    "v3.6 SLAB's global pfmemalloc_active: set when a reserve page is grown, cleared by the recheck under list_lock, read by the allocation path with no lock by design (a __read_mostly flag whose stale value the slow path corrects); the kernel leaves the access unmarked",
};

/** Builds a machine from a design's flags (tests use it for designs that are no variant, e.g. P4 with a recheck over every cache). */
export function slabMachineFor(f: SlabFlags, c: SlabConfig): Machine<SlabState, RuleAction> {
  const ids = ctxIds(c);
  return contextOrder(
    machineFromRules<SlabState>({
      init: () => initState(c),
      rules: [...events(c, f, ids), ...allocations(c, f, ids), ...frees(c, f, ids)],
      quiescent: (s) => ids.every((id) => s.ctxs[id]?.pc === 'idle'),
      view: (s) => slabKey(s, ids),
      kernel: (s) => s.k,
      properties: slabProperties(c, f),
      raceExempt: SLAB_RACE_EXEMPT,
    }),
    ids,
  );
}

/** The flags of a variant that changes nothing but the design: no fast-path check, no global recheck, one store. */
const design = (d: SlabFlags['design']): SlabFlags => ({ design: d, fastPathCheck: false, globalRecheck: false, splitStore: false });

/** The slab-reserve model (spec 05). */
export const slab = defineModel({
  // the exhaustive engines take its steps on plain copies (issue 18); properties/fastpath.test.ts checks them against immer
  fastPath: true,
  name: 'slab',
  title: 'slab allocators honouring the reserve (seeds 003, 004)',
  spec: '05-slab-reserve.md',
  smallConfig: SMALL,
  family: slabFamily(SMALL),
  randomConfig: slabRandomConfig,
  configSchema: slabConfigSchema,
  variants: {
    reference: { flags: { ...design('P5'), fastPathCheck: true }, summary: 'v3.6 SLUB with pfmemalloc_match on every path, the fast path included', expect: { kind: 'holds' } },
    V0: { flags: design('P0'), summary: 'P0, no tracking: a plain context takes a reserve slab’s objects through the fast path', expect: { kind: 'violates', property: 'S1' } },
    V1: { flags: design('P1'), summary: 'P1 per-cache reserve_slab: released to the normal lists when any context grows a normal page', expect: { kind: 'violates', property: 'S1' } },
    V2: { flags: design('P2'), summary: 'P2 per-CPU reserve bit: the flag is lost once the page leaves the CPU (partial list)', expect: { kind: 'violates', property: 'S1' } },
    V3: { flags: design('P3'), summary: 'P3 seed-003 text: one per-cache flag, cleared when a normal page is added', expect: { kind: 'violates', property: 'S1' } },
    V5: {
      flags: { ...design('P5'), fastPathCheck: true, splitStore: true },
      summary: 'Neil Brown’s bitfield worry: the per-CPU word stored by a read-modify-write over two steps',
      expect: { kind: 'harmless', why: 'per-CPU data is written with interrupts off: nothing else runs on that CPU between the load and the store' },
      // §7 on one CPU: the other writers of the per-CPU word (the CPU's other context, shrink,
      // node_mismatch) are all there; a second CPU never writes it and only multiplies states
      exploreConfig: { ...SMALL, cpus: 1 },
    },
    W1: { flags: design('P5'), summary: 'v3.6 SLUB: the lockless fast path does not test pfmemalloc_match', expect: { kind: 'violates', property: 'S1' } },
    W2: {
      flags: design('P4'),
      summary: 'v3.6 SLAB: recheck_pfmemalloc_active scans one cache, then untagged refs of another cache’s reserve slab reach plain contexts',
      expect: { kind: 'violates', property: 'S1r' },
      exploreConfig: W2_CONFIG,
      randomConfig: slabW2RandomConfig,
    },
  },
  machine: (f: SlabFlags, c: SlabConfig) => slabMachineFor(f, c),
});

/** The slab model with its types erased, for the registry. */
export const slabModel = erase(slab);
