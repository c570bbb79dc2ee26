/**
 * slab's mutation check, second part (`npm run mutation -- slab`; the first
 * is mutation.check.ts): what each allocation path does, judged from spec 05
 * §3 and the model header's decisions, on the small members and on states a
 * scripted prefix leads to (objects freed from another CPU, a second reserve
 * slab in one SLAB cache, empty slabs above SLAB's free_limit), which the
 * bounded explorations of the first part never reach.
 */
import { expect, test } from 'vitest';
import { slab, slabModel } from './model.js';
import { SMALL, W2_CONFIG } from './config.js';
import type { SlabAction, SlabConfig, SlabState } from './state.js';
import { isAllocStep } from './state.js';
import type { Machine, Property, Transition } from '../contract.js';
import { actionLabel } from '../contract.js';
import { explore } from '../../properties/explore.js';

type T = Transition<SlabState, SlabAction>;
type M = Machine<SlabState, SlabAction>;

/** A variant's machine, its actions typed as what they are: the rules build exactly state.ts's SlabActions. */
const machine = (variant: string, c: SlabConfig): M => slab.machine(variant, c) as unknown as M;

const member = (name: string): SlabConfig => {
  const m = slabModel.family?.find((x) => x.name === name);
  if (!m) throw new Error(`slab paths check: no family member '${name}'`);
  return m.config as SlabConfig;
};

/** The design of §3 each variant runs (model header), and whether its fast path tests pfmemalloc_match. */
const DESIGN: Readonly<Record<string, { design: 'P0' | 'P1' | 'P2' | 'P3' | 'P4' | 'P5'; fastCheck: boolean }>> = {
  reference: { design: 'P5', fastCheck: true },
  V5: { design: 'P5', fastCheck: true },
  W1: { design: 'P5', fastCheck: false },
  V0: { design: 'P0', fastCheck: false },
  V1: { design: 'P1', fastCheck: false },
  V2: { design: 'P2', fastCheck: false },
  V3: { design: 'P3', fastCheck: false },
  W2: { design: 'P4', fastCheck: false },
};

/**
 * The judge of an allocation step's name, from what §3 says each path is for
 * and does (not from the model's startStep): the fast path takes one object
 * off a non-empty lockless list (P2: only with the bit clear; the reference:
 * only from a page that matches the caller) and allocates no page;
 * deactivate_slab is P5's only (pfmemalloc_match) and leaves the CPU slab
 * that did not match a plain caller; __slab_alloc returns an object without
 * a page; new_slab allocates one or returns NULL; P1's a1 and P2's b3 are
 * the slow path, entered with an empty lockless list; b1 and b2 run with the
 * bit set (plain and entitled), and b2 takes its object off the CPU page
 * while that page has one; SLAB's ____cache_alloc starts on a non-empty
 * array, cache_alloc_refill on an empty one, and only a refill being forced
 * (after its grow) clears a page flag.
 */
function stepJudge(variant: string): (t: T) => string | undefined {
  const d = DESIGN[variant];
  if (!d) throw new Error(`slab paths check: no design for ${variant}`);
  return (t) => {
    const a = t.action;
    if (!t.prev || !isAllocStep(a)) return undefined;
    const before = t.prev.ctxs[a.ctx];
    const after = t.next.ctxs[a.ctx];
    if (!before || !after) return `${a.ctx} is no context`;
    const was = t.prev.cpus[before.cpu]?.[a.cache];
    const now = t.next.cpus[before.cpu]?.[a.cache];
    if (!was || !now) return `no CPU ${before.cpu} cache ${a.cache}`;
    const start = before.pc === 'idle';
    const got = after.held.length > before.held.length;
    // a grow shows as a page taken from the allocator, or, where the step also gave an empty slab
    // back, as the object's page being no slab page before the step
    const rest = [...before.held];
    const gotPage = after.held.find((p) => {
      const i = rest.indexOf(p);
      if (i < 0) return true;
      rest.splice(i, 1);
      return false;
    });
    const grew = t.next.zone.free < t.prev.zone.free || (gotPage !== undefined && !t.prev.pages[gotPage]);
    const cpuPage = was.page === null ? undefined : t.prev.pages[was.page];
    const plainOnReserve = cpuPage?.reserve === true && !before.entitled;
    const wrong = (why: string): string => `${a.ctx}'s ${a.type} in cache ${a.cache}: ${why}`;
    // SLAB clears a page flag only for a refill being forced, after its grow (§3 P4)
    if (d.design === 'P4' && !before.force && t.prev.pages.some((p, i) => p?.reserve === true && t.next.pages[i]?.reserve === false)) return wrong('a page flag cleared with no refill forced');
    switch (a.type) {
      case 'slab_alloc':
        if (!start || was.lockless === 0) return wrong('the fast path with an empty lockless list');
        if (d.design === 'P2' && was.bit) return wrong('the fast path with the reserve bit set');
        if (d.fastCheck && plainOnReserve) return wrong('the fast path hands a plain caller a reserve page');
        return got && !grew && now.page === was.page && now.lockless === was.lockless - 1 ? undefined : wrong('did not take one lockless object');
      case 'deactivate_slab':
        if (d.design !== 'P5') return wrong(`${d.design} has no pfmemalloc_match`);
        // (an empty one is given back, and the page a new slab gets may take its slot)
        return start && plainOnReserve && (now.page === null || t.next.pages[now.page]?.reserve === false) ? undefined : wrong('no non-matching CPU slab left the CPU');
      case '__slab_alloc':
        // (V5 hands the object out with the store, a later step)
        return start && (got || after.pc === 'load_freelist') && !grew ? undefined : wrong('no object without a page');
      case 'new_slab':
        return start && (grew || !got) ? undefined : wrong('an object without a new page');
      case 'a1':
      case 'b3':
        if (!start || was.lockless > 0) return wrong('the slow path with objects on the lockless list');
        return a.type === 'b3' && was.bit ? wrong('b3 with the reserve bit set') : undefined;
      case 'b1':
      case 'b2':
        if (!start || !was.bit || before.entitled !== (a.type === 'b2')) return wrong('not the bit set for this caller');
        if (a.type === 'b2' && cpuPage && cpuPage.free > 0 && !(got && now.page === was.page && after.held.includes(was.page ?? -1)))
          return wrong('the CPU page had an object, not taken');
        return undefined;
      case '____cache_alloc':
      case 'cache_alloc_refill':
        if (start && (a.type === '____cache_alloc') !== was.ac.length > 0) return wrong(`array of ${was.ac.length} refs`);
        return undefined;
      default:
        return undefined;
    }
  };
}

/**
 * Every idle context with a budget, on a CPU with no allocation in flight, is
 * offered exactly one allocation per cache (§4: an allocation may start at any
 * time; the header: a call in flight keeps its CPU's interrupts off), and no
 * other context is offered a start.
 */
function offerJudge(m: M, c: SlabConfig): (t: T) => string | undefined {
  return (t) => {
    const s = t.next;
    const busy = new Set(Object.values(s.ctxs).filter((x) => x.pc !== 'idle').map((x) => x.cpu));
    const starts = m.actions(s).filter((a) => isAllocStep(a) && s.ctxs[a.ctx]?.pc === 'idle');
    for (const [id, x] of Object.entries(s.ctxs)) {
      const want = x.pc === 'idle' && !busy.has(x.cpu) && (x.allocs === null || x.allocs > 0) ? c.caches : 0;
      const offered = starts.filter((a) => isAllocStep(a) && a.ctx === id);
      const caches = new Set(offered.map((a) => (isAllocStep(a) ? a.cache : -1)));
      if (offered.length !== want || caches.size !== want) return `${id} is offered ${offered.map(actionLabel).join(' ') || 'no start'}, not one per cache`;
    }
    return undefined;
  };
}

/** Plays `labels` (each must be offered) from the initial state. */
function play(m: M, labels: readonly string[]): SlabState {
  let s = m.init();
  for (const label of labels) {
    const a = m.actions(s).find((x) => actionLabel(x) === label);
    if (!a) throw new Error(`${label} is not offered; offered: ${m.actions(s).map(actionLabel).join(' ')}`);
    s = m.next(s, a);
  }
  return s;
}

/** Explores from `from` with the model's properties and the judges; the violations found. */
function judgeFrom(variant: string, c: SlabConfig, from: SlabState | undefined, maxStates: number, offers: boolean): { complete: boolean; violated: string[] } {
  const m = machine(variant, c);
  const extra: Property<SlabState, SlabAction>[] = [{ kind: 'always', name: 'step', doc: 'a step does what its name says', check: stepJudge(variant) }];
  if (offers) extra.push({ kind: 'always', name: 'offer', doc: 'every idle context may start', check: offerJudge(m, c) });
  const judged: M = { ...m, ...(from ? { init: () => from } : {}), properties: [...m.properties, ...extra] };
  const r = explore(judged, { keepGoing: true, maxStates });
  return { complete: r.complete, violated: [...r.violated].map(([p, v]) => `${p}: ${v.message}`) };
}

// Each design's paths, explored completely on small members: the one-step SLUB designs (P0,
// P3, P5) on one page and under constant pressure, P1's a1 where a budget of one allocation
// keeps it small, P2's b1-b3 on one page, and SLAB on one cache under pressure lifted once
// (mutation.check.ts's P4_FORCE, where a plain refill meets only tagged refs with a completely
// free slab on the list).
const P4_FORCE: SlabConfig = { ...W2_CONFIG, caches: 1, batch: 1, limit: 2, pressure: true, toggles: 1 };
const JUDGED: readonly [string, string, SlabConfig | undefined][] = [
  ['reference', 'pages-one', undefined], ['reference', 'pressure-always-on', undefined], ['W1', 'pages-one', undefined], ['W1', 'pressure-always-on', undefined],
  ['V3', 'pages-one', undefined], ['V3', 'pressure-always-on', undefined], ['V0', 'pages-one', undefined], ['V1', 'allocs-one', undefined], ['V2', 'pages-one', undefined],
  ['W2', 'P4_FORCE', P4_FORCE],
];
for (const [variant, name, config] of JUDGED) {
  test(`${variant}: each step on ${name} does what its name says`, () => {
    const r = judgeFrom(variant, config ?? member(name), undefined, 2_000, false);
    expect(r.violated.filter((v) => v.startsWith('step:'))).toEqual([]);
    expect(r.complete).toBe(true);
  });
}

// Objects freed from another CPU (§4's migrate, then free): E0 takes both objects of the CPU
// slab of CPU 0, moves to CPU 1 and frees one there, to the page (the slab stays CPU 0's). From
// there the slow path of CPU 0 must reload its own page (one object on the page, the lockless
// list empty), or, once E0 freed the other too, the page with every object free: it is still
// the CPU slab, not given back. V5 then loads it in two steps, its CPU busy in between (no
// node_mismatch there, no migration of its context). A second migration stays in the budget.
const REMOTE: SlabConfig = { ...SMALL, migrations: 2 };
const REMOTE_PREFIX: Readonly<Record<string, readonly string[]>> = {
  reference: ['new_slab(cache=0,ctx="E0")', 'slab_alloc(cache=0,ctx="E0")'],
  V5: ['new_slab(cache=0,ctx="E0")', 'load_freelist(cache=0,ctx="E0")', 'slab_alloc(cache=0,ctx="E0")'],
};
for (const [variant, prefix] of Object.entries(REMOTE_PREFIX)) {
  test(`${variant}: after a free from another CPU, each step does what its name says and every idle context may start`, () => {
    const m = machine(variant, REMOTE);
    const from = play(m, [...prefix, 'migrate(cpu=1,ctx="E0")', '__slab_free(ctx="E0",page=0)']);
    // the page of CPU 0's slab got the object back, and is still that slab
    expect([from.cpus[0]?.[0]?.page, from.cpus[0]?.[0]?.lockless, from.pages[0]?.free]).toEqual([0, 0, 1]);
    expect(judgeFrom(variant, REMOTE, from, 250, true).violated).toEqual([]);
  });
}

/** One whole allocation call of `ctx` in `cache`: its start, then its own steps until it returns. */
function call(m: M, s: SlabState, ctx: string, cache = 0): SlabState {
  let next = s;
  for (let i = 0; i === 0 || next.ctxs[ctx]?.pc !== 'idle'; i++) {
    const a = m.actions(next).find((x) => isAllocStep(x) && x.ctx === ctx && x.cache === cache);
    if (!a || i > 8) throw new Error(`${ctx} cannot go on allocating in cache ${cache}`);
    next = m.next(next, a);
  }
  return next;
}
/** Frees of one object each, by context and page, in order. */
function frees(m: M, s: SlabState, list: readonly [string, number][]): SlabState {
  return list.reduce((x, [ctx, page]) => {
    const a = m.actions(x).find((y) => !isAllocStep(y) && 'page' in y && y.ctx === ctx && y.page === page);
    if (!a) throw new Error(`${ctx} cannot free an object of page ${page}`);
    return m.next(x, a);
  }, s);
}

// SLAB (P4) on one cache under pressure: E0 makes two reserve slabs (pages 0 and 1, k = 2, batch
// 2) and leaves a tagged ref of page 1 in the array; pressure lifted, P0 meets only tagged refs,
// so a refill is forced: its grow puts page 2 on slabs_free and P0 takes page 1's object, the
// flag of page 1 cleared. §3's recheck scans this cache's lists: page 0, full and still
// flagged, keeps pfmemalloc_active set.
const TWO_RESERVE: SlabConfig = { ...W2_CONFIG, caches: 1, pages: 3, allocs: 3, batch: 2, limit: 2, pressure: true, toggles: 1 };
test('W2: a forced refill clears one flag; the recheck finds the other flagged slab of the cache', () => {
  const m = machine('W2', TWO_RESERVE);
  let s = call(m, call(m, call(m, m.init(), 'E0'), 'E0'), 'E0');
  s = call(m, play({ ...m, init: () => s }, ['pressure(on=false)']), 'P0');
  expect(s.ctxs.P0?.held).toEqual([1]);
  expect([s.pages.map((p) => p?.reserve), s.caches[0]?.full, s.caches[0]?.free, s.pfmemallocActive]).toEqual([[true, false, false], [0, 1], [2], true]);
  // E0's frees flush page 0's two objects back (array limit 2): page 0, flagged and completely
  // free, heads slabs_free before page 2. P0 takes the untagged ref E0 freed last, then its
  // refill takes only page 0's tagged refs. No refill is forced there, so P0 gets no object and
  // page 0 keeps its flag.
  s = call(m, call(m, frees(m, s, [['E0', 0], ['E0', 0], ['E0', 1]]), 'P0'), 'P0');
  expect([s.ctxs.P0?.held, s.pages[0]?.reserve, s.caches[0]?.free]).toEqual([[1, 1], true, [2]]);
});

// The same on two CPUs, P0 stopped before its forced ac_get_obj: E1 on CPU 1 refills from
// slabs_free first, so the node has no completely free slab any more, and P0's forced try
// gets no object (§3: "else no object"), page 1 keeping its flag.
test('W2: a forced ac_get_obj with slabs_free emptied by another CPU returns no object', () => {
  const c: SlabConfig = { ...TWO_RESERVE, cpus: 2 };
  const m = machine('W2', c);
  const s = call(m, call(m, call(m, m.init(), 'E0'), 'E0'), 'E0');
  const t = play({ ...m, init: () => s }, ['pressure(on=false)', '____cache_alloc(cache=0,ctx="P0")', 'cache_grow(cache=0,ctx="P0")']);
  const u = play({ ...m, init: () => call(m, t, 'E1') }, ['ac_get_obj(cache=0,ctx="P0")']);
  expect([u.ctxs.P0?.pc, u.ctxs.P0?.held, u.pages[1]?.reserve, u.caches[0]?.free]).toEqual(['idle', [], true, []]);
});

// SLAB's free_limit (the model header: (1 + cpus)·batch + k): an empty slab that free_block
// (cache_flusharray) returns is given back to the page allocator only while the cache has
// more free objects than that. Six objects of three pages (k = 2) out, then freed back one by
// one into an array of limit 1 (batch 1, free_limit 4; each free flushes the one before it):
// page 1 empties with five objects free, and goes back; page 0 emptied with four, and stays on
// slabs_free. With batch 2 and limit 2
// (free_limit 6) page 1 empties with four objects free and stays.
for (const [batch, back] of [[1, true], [2, false]] as const) {
  test(`W2: free_block on batch ${batch} ${back ? 'gives back' : 'keeps'} an empty slab with ${batch === 1 ? 5 : 4} objects free`, () => {
    const c: SlabConfig = { ...W2_CONFIG, caches: 1, pages: 3, allocs: 3, batch, limit: batch, pressure: false, toggles: 0 };
    const m = machine('W2', c);
    let s = m.init();
    for (const ctx of ['E0', 'E0', 'E0', 'P0', 'P0', 'P0']) s = call(m, s, ctx);
    expect([s.ctxs.E0?.held, s.ctxs.P0?.held]).toEqual([[0, 0, 1], [1, 2, 2]]);
    const order: [string, number][] = batch === 1 ? [['E0', 0], ['E0', 1], ['P0', 2], ['E0', 0], ['P0', 1], ['P0', 2]] : [['E0', 0], ['E0', 0], ['E0', 1], ['P0', 1], ['P0', 2]];
    s = frees(m, s, order);
    expect([s.pages[1] === null, s.zone.free, s.caches[0]?.free]).toEqual(back ? [true, 1, [0]] : [false, 0, [1, 0]]);
  });
}
// free_limit counts the free objects of the slab's own cache: with two caches, cache 1 holding
// three free objects (an empty page 2, one object on page 3), page 0 of cache 0 empties with
// two objects of cache 0 free and stays on cache 0's slabs_free.
test('W2: free_block counts the free objects of the slab\'s own cache only', () => {
  const c: SlabConfig = { ...W2_CONFIG, caches: 2, pages: 4, allocs: 4, batch: 1, limit: 1, pressure: false, toggles: 0 };
  const m = machine('W2', c);
  let s = m.init();
  for (const [ctx, cache] of [['E0', 0], ['E0', 0], ['P0', 0], ['P0', 0], ['E0', 1], ['E0', 1], ['P0', 1]] as const) s = call(m, s, ctx, cache);
  expect([s.ctxs.E0?.held, s.ctxs.P0?.held]).toEqual([[0, 0, 2, 2], [1, 1, 3]]);
  s = frees(m, s, [['E0', 2], ['E0', 2], ['P0', 3], ['E0', 0], ['E0', 0], ['P0', 1]]);
  expect([s.pages.map((p) => p?.free), s.caches[1]?.free, s.caches[0]?.free, s.zone.free]).toEqual([[2, 0, 2, 1], [2], [0], 0]);
});

// P1's a2 (§3): the reserve slab serves an entitled caller while it has free objects, else the
// caller grows; a reserve slab goes back to the normal lists once it runs out (the May 2007
// precursor). Under pressure on one CPU: with k = 1 a reserve slab is out of objects at once,
// so E0's second call grows a second reserve slab (the first goes to the full list); with k = 2
// E0 frees its object back to the reserve slab and takes it again, and the slab, one object
// left, stays the reserve slab.
test('V1: the reserve slab serves while it has objects and is released only when out of them', () => {
  const one: SlabConfig = { ...member('pressure-always-on'), k: 1 };
  const m1 = machine('V1', one);
  const s1 = call(m1, call(m1, m1.init(), 'E0'), 'E0');
  expect([s1.ctxs.E0?.held, s1.pages.map((p) => p?.free), s1.caches[0]?.reserveSlab, s1.caches[0]?.full]).toEqual([[0, 1], [0, 0], 1, [0]]);
  const m2 = machine('V1', member('pressure-always-on'));
  const s2 = call(m2, frees(m2, call(m2, m2.init(), 'E0'), [['E0', 0]]), 'E0');
  expect([s2.ctxs.E0?.held, s2.pages[0]?.free, s2.caches[0]?.reserveSlab, s2.caches[0]?.partial]).toEqual([[0], 1, 0, []]);
});

// The order steps are offered in (contextOrder: random schedules, replay paths and the first
// counterexample the BFS meets follow it), from the model header: §4's events first (pressure,
// shrink, node_mismatch by CPU then cache), then context by context (E0, P0, E1, P1, …) its
// migrations by CPU, its allocation step or starts by cache, its frees by page.
function offeredOrder(c: SlabConfig): (a: SlabAction, b: SlabAction) => number {
  const ids = Array.from({ length: c.cpus }, (_, cpu) => [`E${cpu}`, `P${cpu}`]).flat();
  const env = ['pressure', 'shrink', 'node_mismatch'];
  const key = (a: SlabAction): number[] => {
    const r = a as unknown as Record<string, unknown>;
    const n = (k: string): number => (typeof r[k] === 'number' ? (r[k] as number) : -1);
    if (env.includes(a.type)) return [0, env.indexOf(a.type), n('cpu'), n('cache')];
    const ctx = 1 + ids.indexOf(String(r.ctx));
    if (a.type === 'migrate') return [ctx, 0, n('cpu'), 0];
    return 'page' in a ? [ctx, 2, n('page'), 0] : [ctx, 1, n('cache'), 0];
  };
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
}
// Judged on the states up to one where the rules alone would list E0's steps out of order: E0
// has a fast path in cache 1 and a new slab in cache 0 (the rules list slab_alloc first), and
// frees of page 0 (to the page: its slab left the CPU) and page 1 (a CPU slab: slab_free, listed
// first by the rules); two CPUs, two caches, a migration in the budget.
test('E0 with steps in two caches and frees of two pages is offered them in the header\'s order', () => {
  const c: SlabConfig = { ...SMALL, caches: 2, pages: 3, migrations: 1 };
  const before = offeredOrder(c);
  const m = machine('reference', c);
  const path = ['new_slab(cache=0,ctx="E0")', 'slab_alloc(cache=0,ctx="E0")', 'new_slab(cache=1,ctx="E0")', 'node_mismatch(cache=0,cpu=0)'];
  const from = play(m, path);
  expect(m.actions(from).filter((a) => 'ctx' in a && a.ctx === 'E0').map(actionLabel)).toEqual([
    'migrate(cpu=1,ctx="E0")', 'new_slab(cache=0,ctx="E0")', 'slab_alloc(cache=1,ctx="E0")', '__slab_free(ctx="E0",page=0)', 'slab_free(ctx="E0",page=1)',
  ]);
  // the whole list, on every state of the way there
  const wrong = path
    .map((_, n) => m.actions(play(m, path.slice(0, n + 1))))
    .map((got) => [got.map(actionLabel).join(' '), [...got].sort(before).map(actionLabel).join(' ')])
    .filter(([got, want]) => got !== want);
  expect(wrong).toEqual([]);
});
