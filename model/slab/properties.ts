/**
 * Properties of spec 05 §5 (S1, S1r, S2–S5) and the *sometimes* witnesses
 * that make a passing run meaningful. All are judged on one transition
 * (prev, action, next). What each reads (issue 15: no property trusts a
 * design's own record):
 * - "a reserve page" is the ghost `Page.fromReserve`, the page allocator's
 *   answer recorded when the slab grew — not the design's flag `reserve`,
 *   which the design under judgement sets and tests. Only for P4, whose
 *   flag clearing is what the spec relaxes S1 into S1r for, is "reserve" the
 *   flag at that step (S1r's own subject).
 * - S1, S1r: the acting context's holdings before and after (`received`),
 *   its entitlement (fixed per context), and the page's reserve-ness as
 *   above; S1r's clearing rule reads the flags (P4 only), the actor's `grew`
 *   and the free lists.
 * - S2: pages' reserve-ness and entitled contexts' holdings.
 * - S3: the zone's free count before the step (the allocator's truth).
 * - S4: whether a plain page allocation would succeed, by the kernel
 *   allocator's predicate (model/kernel, tested on its own and never mutated
 *   with a model).
 * - S5: every page, list, CPU slot and holding of the state (conservation).
 */
import type { Property, Transition } from '../contract.js';
import { alloc } from '../kernel/allocator.js';
import type { SlabFlags } from './designs.js';
import { PLAIN } from './designs.js';
import type { Page, SlabAction, SlabConfig, SlabState } from './state.js';
import { isAllocStep } from './state.js';

type T = Transition<SlabState, SlabAction>;

let memoT: T | undefined;
let memoR: { ctx: string; pages: number[] } | undefined;

/** Pages of the objects the acting context received in this step (multiset difference of its holdings). */
export function received(t: T): { ctx: string; pages: number[] } | undefined {
  // several properties ask about the same transition object
  if (t === memoT) return memoR;
  memoT = t;
  memoR = computeReceived(t);
  return memoR;
}

function computeReceived(t: T): { ctx: string; pages: number[] } | undefined {
  const a = t.action;
  if (!t.prev || !isAllocStep(a)) return undefined;
  const before = [...(t.prev.ctxs[a.ctx]?.held ?? [])];
  const out: number[] = [];
  for (const p of t.next.ctxs[a.ctx]?.held ?? []) {
    const i = before.indexOf(p);
    if (i >= 0) before.splice(i, 1);
    else out.push(p);
  }
  return { ctx: a.ctx, pages: out };
}

/** The acting context's allocation returned NULL in this step. */
export function failed(t: T): { ctx: string; entitled: boolean } | undefined {
  const a = t.action;
  if (!t.prev || !isAllocStep(a)) return undefined;
  const after = t.next.ctxs[a.ctx];
  const before = t.prev.ctxs[a.ctx];
  if (!after || !before || after.pc !== 'idle' || after.held.length > before.held.length) return undefined;
  return { ctx: a.ctx, entitled: after.entitled };
}

/** Whether a page counts as reserve for the properties: the allocator's answer (ghost), or for P4 the flag at that step. */
type ReserveOf = (p: Page | null | undefined) => boolean;

/** Reserve objects a plain context on its CPU could be handed by the step it is about to take (S1's temptation). */
function reserveWithinReach(s: SlabState, id: string, cache: number, isReserve: ReserveOf): boolean {
  const ctx = s.ctxs[id];
  const x = ctx ? s.cpus[ctx.cpu]?.[cache] : undefined;
  if (!ctx || !x) return false;
  const cpuPage = x.page !== null ? s.pages[x.page] : null;
  if (isReserve(cpuPage) && cpuPage !== null && cpuPage !== undefined && cpuPage.free + x.lockless > 0) return true;
  if (x.ac.some((r) => isReserve(s.pages[r.page]))) return true;
  return (s.caches[cache]?.partial ?? []).some((p) => isReserve(s.pages[p]));
}

/** Checks S5 on a state: every page in one place, every object in one place, page counts adding up. */
export function conservation(s: SlabState, c: SlabConfig): string | undefined {
  const used = s.pages.filter((p) => p !== null).length;
  if (s.zone.free + used !== c.pages) return `page allocator has ${s.zone.free} free + ${used} slab pages ≠ ${c.pages}`;
  const objects = s.pages.map((p) => p?.free ?? 0);
  const homes = s.pages.map(() => 0);
  const bump = (arr: number[], i: number, n = 1): void => {
    arr[i] = (arr[i] ?? 0) + n;
  };
  s.caches.forEach((cs, cache) => {
    for (const id of [...cs.partial, ...cs.full, ...cs.free, ...(cs.reserveSlab !== null ? [cs.reserveSlab] : [])]) {
      if (s.pages[id]?.cache !== cache) return void bump(homes, id, 99);
      bump(homes, id);
    }
  });
  const pendingOn = new Map<string, number>();
  for (const ctx of Object.values(s.ctxs)) {
    for (const p of ctx.held) bump(objects, p);
    if (ctx.pending) {
      bump(objects, ctx.pending.page, ctx.pending.lockless + 1);
      pendingOn.set(`${ctx.cpu}/${ctx.cache}`, ctx.pending.page);
    }
  }
  for (let cpu = 0; cpu < s.cpus.length; cpu++) {
    const row = s.cpus[cpu] ?? [];
    for (let cache = 0; cache < row.length; cache++) {
      const x = row[cache];
      if (!x) continue;
      if (x.page !== null) {
        bump(homes, x.page);
        bump(objects, x.page, x.lockless);
      } else if (x.lockless !== 0) return `cpu ${cpu} cache ${cache} has ${x.lockless} lockless objects and no CPU slab`;
      const pend = pendingOn.get(`${cpu}/${cache}`);
      if (pend !== undefined && pend !== x.page) bump(homes, pend);
      for (const r of x.ac) bump(objects, r.page);
    }
  }
  for (let id = 0; id < s.pages.length; id++) {
    const p = s.pages[id];
    if (p === null || p === undefined) {
      if ((objects[id] ?? 0) !== 0 || (homes[id] ?? 0) !== 0) return `page ${id} is back in the page allocator but still referenced`;
      continue;
    }
    if (p.free < 0) return `page ${id} has ${p.free} free objects`;
    if (homes[id] !== 1) return `page ${id} is in ${homes[id]} places (CPU slab, lists, reserve slab)`;
    if (objects[id] !== c.k) return `page ${id} accounts for ${objects[id]} objects, not k = ${c.k}`;
  }
  return undefined;
}

/** All properties of the slab model for one configuration and variant. */
export function slabProperties(c: SlabConfig, f: SlabFlags): Property<SlabState, SlabAction>[] {
  const clearsFlags = f.design === 'P4';
  // The flag "at that step" is the one before the step's own clearing. Only P4 changes a
  // flag in place; elsewhere a slot can hold a new page at the end of a step that discarded
  // its old one, so the page handed out is the one in `next`.
  const before: 'prev' | 'next' = clearsFlags ? 'prev' : 'next';
  const isReserve: ReserveOf = (p) => (clearsFlags ? p?.reserve : p?.fromReserve) === true;
  const leakTo = (t: T, flagAt: 'prev' | 'next'): string | undefined => {
    const r = received(t);
    if (!r || !t.prev || t.next.ctxs[r.ctx]?.entitled) return undefined;
    for (const p of r.pages) {
      const pg = flagAt === 'prev' ? (t.prev.pages[p] ?? t.next.pages[p]) : t.next.pages[p];
      if (isReserve(pg)) return `plain ${r.ctx} received an object of reserve page ${p} in ${t.action?.type}`;
    }
    return undefined;
  };
  const props: Property<SlabState, SlabAction>[] = [];
  if (!clearsFlags)
    props.push({
      kind: 'always',
      name: 'S1',
      doc: 'a plain context never receives an object from a page whose reserve flag is set at that step',
      check: (t) => leakTo(t, before),
    });
  props.push(
    {
      kind: 'always',
      name: 'S1r',
      doc: 'S1 after the step’s own flag clearing; a page flag is cleared only where a plain page allocation has just succeeded or (P4) a completely free slab exists',
      check: (t) => {
        const leak = leakTo(t, 'next');
        // only P4 clears a page's flag in place; elsewhere a slot changes flag only when
        // a new page replaces a discarded one within a step
        if (leak || !t.prev || !clearsFlags) return leak;
        const prev = t.prev;
        for (let id = 0; id < t.next.pages.length; id++) {
          const before = prev.pages[id];
          const after = t.next.pages[id];
          if (!before?.reserve || !after || after.reserve) continue;
          const a = t.action;
          const actor = a && 'ctx' in a ? prev.ctxs[a.ctx] : undefined;
          const grown = actor?.grew === true || t.next.pages.some((p, i) => p && !p.reserve && prev.pages[i] === null);
          const freeSlab = (t.next.caches[after.cache]?.free.length ?? 0) > 0;
          if (!grown && !freeSlab) return `reserve flag of page ${id} cleared by ${a?.type ?? '?'} with no plain page allocation and no completely free slab`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'S2',
      doc: 'reserve slab pages ≤ ⌈objects from reserve pages held by entitled contexts / k⌉ + CPUs × caches',
      check: ({ next: s }) => {
        const reservePages = s.pages.filter(isReserve).length;
        let held = 0;
        for (const ctx of Object.values(s.ctxs)) if (ctx.entitled) held += ctx.held.filter((p) => isReserve(s.pages[p])).length;
        const bound = Math.ceil(held / c.k) + c.cpus * c.caches;
        return reservePages <= bound ? undefined : `${reservePages} reserve slab pages > ⌈${held}/${c.k}⌉ + ${c.cpus * c.caches}`;
      },
    },
    {
      kind: 'always',
      name: 'S3',
      doc: 'an entitled allocation fails only if the page allocator has no page at all',
      check: (t) => {
        const fl = failed(t);
        if (!fl?.entitled || !t.prev) return undefined;
        return t.prev.zone.free === 0 ? undefined : `entitled ${fl.ctx} got NULL in ${t.action?.type} with ${t.prev.zone.free} free pages`;
      },
    },
    {
      kind: 'always',
      name: 'S4',
      doc: 'with pressure off (a plain page allocation would succeed), a plain allocation never fails',
      check: (t) => {
        const fl = failed(t);
        if (!fl || fl.entitled || !t.prev) return undefined;
        return alloc(t.prev.zone, PLAIN).ok ? `plain ${fl.ctx} got NULL in ${t.action?.type} though a plain page allocation would succeed` : undefined;
      },
    },
    {
      kind: 'always',
      name: 'S5',
      doc: 'each object is free in exactly one page or held by exactly one context; page free counts match',
      check: ({ next }) => conservation(next, c),
    },
    {
      kind: 'sometimes',
      name: 'reserve-slab-created',
      doc: 'a slab page was allocated from the reserve',
      check: (t) => t.prev !== undefined && t.next.pages.some((p, i) => isReserve(p) && t.prev?.pages[i] === null),
    },
    {
      kind: 'sometimes',
      name: 'reserve-slab-returned',
      doc: 'a reserve slab page went back to the page allocator',
      check: (t) => t.prev !== undefined && t.prev.pages.some((p, i) => isReserve(p) && t.next.pages[i] === null),
    },
    {
      kind: 'sometimes',
      name: 'plain-refused-reserve',
      doc: 'a plain allocation had a reserve object within reach on its first step and did not get one',
      check: (t) => {
        const a = t.action;
        const prev = t.prev;
        if (!prev || !isAllocStep(a)) return false;
        const ctx = prev.ctxs[a.ctx];
        if (!ctx || ctx.entitled || ctx.pc !== 'idle' || !reserveWithinReach(prev, a.ctx, a.cache, isReserve)) return false;
        return !received(t)?.pages.some((p) => isReserve(before === 'prev' ? (prev.pages[p] ?? t.next.pages[p]) : t.next.pages[p]));
      },
    },
  );
  return props;
}
