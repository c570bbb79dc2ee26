/**
 * The steps of spec 04 as rules, in the spec's names: the environment's
 * events (§4: `alloc`, which runs K0–K2, `set`, `swapon`, `swapoff`,
 * `pressure`, `reclaim`, F), kmalloc_reserve's K3–K7, and the tree
 * operations' M0, ADD (A1–A3), ADJ, connect and disconnect (§3). Each rule
 * holds its guard, its effect on the draft and its trace text; the model
 * header says which steps are folded into which and why.
 */
import type { Draft } from 'immer';
import { isDraft, original } from '../kernel/immer.js';
import type { Rule } from '../rules.js';
import { rulesFor, when } from '../rules.js';
import { ALLOC_NO_WATERMARKS, GFP_KERNEL, __GFP_WAIT, alloc, allocPage, freePage, gfpToAllocFlags } from '../kernel/allocator.js';
import { canProceed, mightSleep, mutexLock, mutexUnlock } from '../kernel/locks.js';
import { PAGE_KB } from './config.js';
import { BYTES, kmallocEstimatePages, UNITS7 } from './estimate.js';
import type { ReserveFlags } from './rules.js';
import { chargeOf, connected, emergencyClass, groupPages, hasRoom, ksize, pageUnits, pathUp, regularClass, resOf, unchargeOf } from './rules.js';
import type { AllocatorSpec, AllocCtx, AllocPc, NodeId, ObjGroup, ReserveConfig, ReserveState, TreeOp, TreeOpKind, TreePc } from './state.js';

/** The lock every setter, swapon and swapoff holds (not V5). */
export const MUTEX = 'mem_reserve_mutex';
/** The lock ADJ holds around var_free_kbytes (not V5). */
export const VARFREE = 'var_free_mutex';

const rule = rulesFor<ReserveState>();

const objKey = (o: Omit<ObjGroup, 'n'>): string => `${o.cache}|${o.emerg ? 1 : 0}|${o.pool ? 1 : 0}|${o.res ?? '-'}|${o.charged}`;

/** The object groups with one more (or, with `by` −1, one fewer) object `o`, as a new sorted array. */
function withObj(objs: readonly ObjGroup[], o: Omit<ObjGroup, 'n'>, by: 1 | -1): ObjGroup[] {
  const k = objKey(o);
  const out: ObjGroup[] = [];
  let found = false;
  for (const g of objs) {
    if (objKey(g) !== k) out.push(g);
    else {
      found = true;
      if (g.n + by > 0) out.push({ ...g, n: g.n + by });
    }
  }
  if (!found) {
    if (by < 0) throw new Error(`no outstanding object ${k}`);
    out.push({ cache: o.cache, emerg: o.emerg, pool: o.pool, res: o.res, charged: o.charged, n: 1 });
    out.sort((x, y) => (objKey(x) < objKey(y) ? -1 : 1));
  }
  return out;
}

/**
 * The object groups as plain data. `objs` is only ever replaced, never
 * changed in place, so the base array is current unless this step replaced
 * it; reading it through the draft would proxy every element.
 */
function plainObjs(d: Draft<ReserveState>): readonly ObjGroup[] {
  const o = d.objs;
  return isDraft(o) ? (original(o) as readonly ObjGroup[]) : (o as readonly ObjGroup[]);
}

function addObj(d: Draft<ReserveState>, o: Omit<ObjGroup, 'n'>): void {
  d.objs = withObj(plainObjs(d), o, 1);
}

function removeObj(d: Draft<ReserveState>, o: Omit<ObjGroup, 'n'>): void {
  d.objs = withObj(plainObjs(d), o, -1);
}

/** `+= 2` or `−= 2` (trace text). */
// Stryker disable next-line all: trace text only
const plus = (n: number): string => (n < 0 ? `−= ${-n}` : `+= ${n}`);

/** K5 waiters woken and not yet run (trace text). */
// Stryker disable next-line all: trace text only
const awake = (s: ReserveState): number => Object.values(s.ctx).filter((x) => x.pc === 'K5' && !x.asleep).length;

/** Outstanding objects, all groups together (trace text). */
// Stryker disable next-line all: trace text only
const objCount = (s: ReserveState): number => s.objs.reduce((n, o) => n + o.n, 0);

/** Zone watermarks and pool after ADJ (§3 ADJ: recompute emerg and watermarks). */
export function recomputeZone(d: Draft<ReserveState>, c: ReserveConfig, f: ReserveFlags): void {
  const pool = Math.floor(d.varFreeKb / PAGE_KB);
  const min = f.relativeOnly ? c.min + Math.max(0, pool) : c.min;
  d.zone.min = min;
  d.zone.low = min + Math.floor(min / 4);
  d.zone.high = min + Math.floor(min / 2);
  d.zone.emerg = f.relativeOnly ? 0 : pool;
}

/** An operation at rest: only `kind` and `result` of the last one are kept. */
export function idleOp(): TreeOp {
  return { kind: 'set', pc: 'idle', phase: 'set', value: 0, target: 'r', dp: 0, dl: 0, old: 0, delta: 0, tmp: 0, err: false, result: null };
}

const TREE_IDS = new WeakMap<ReserveConfig, readonly string[]>();

/** Tree-operation contexts: S1…Sn for set events, W for swapon/swapoff. */
export function treeIds(c: ReserveConfig): readonly string[] {
  const known = TREE_IDS.get(c);
  if (known) return known;
  const ids = Array.from({ length: c.sets }, (_, i) => `S${i + 1}`);
  if (c.swapons + c.swapoffs > 0) ids.push('W');
  TREE_IDS.set(c, ids);
  return ids;
}

/**
 * Steps of an allocator context, each named by the pc it runs at (the
 * kStep rules below; model.ts offers them by context, and the order tests
 * of reserve.test.ts and mutation.check.ts fail if one is left out).
 */
export const K_STEPS: readonly AllocPc[] = ['K3', 'K5', 'K6', 'K7'];
/** Steps of a tree operation, each named by the pc it runs at (the treeStep rules below; as K_STEPS). */
export const TREE_STEPS: readonly Exclude<TreePc, 'idle'>[] = ['M0', 'A1', 'A2', 'ADJ1', 'ADJ3', 'ADJ4', 'A2u', 'A3', 'CN', 'UL'];

/** The ADJ delta in force: δ, or (V6) the absolute target minus what was read. */
function adjDelta(op: TreeOp, f: ReserveFlags): number {
  return f.absoluteAdj ? op.delta - op.tmp / PAGE_KB : op.delta;
}

/** Starts an ADD frame (§3 ADD) on `target`. */
function beginAdd(op: Draft<TreeOp>, target: NodeId, dp: number, dl: number, phase: TreeOp['phase']): void {
  op.target = target;
  op.dp = dp;
  op.dl = dl;
  op.phase = phase;
  op.old = 0;
  op.delta = 0;
  op.tmp = 0;
  op.err = false;
  op.pc = 'A1';
}

/**
 * Each reserve node's spinlock, around every CHARGE and A3's limit update:
 * taken and dropped within one step, so never in the kernel slice; the race
 * check counts it held (one name for every node's lock: their fields are
 * apart anyway).
 */
const RES_LOCK = 'res->lock';

/** The rules of one variant (`f`) on one configuration, in the order their actions are offered. */
export function reserveRules(c: ReserveConfig, f: ReserveFlags): Rule<ReserveState>[] {
  const specs = new Map(c.allocators.map((a) => [a.id, a]));
  const spec = (id: string): AllocatorSpec => {
    const x = specs.get(id);
    if (!x) throw new Error(`no allocator ${id}`);
    return x;
  };
  const ctxOf = (d: Draft<ReserveState>, id: string): Draft<AllocCtx> => {
    const x = d.ctx[id];
    if (!x) throw new Error(`no allocator context ${id}`);
    return x;
  };
  const treeOf = (d: Draft<ReserveState>, id: string): Draft<TreeOp> => {
    const x = d.tree[id];
    if (!x) throw new Error(`no tree context ${id}`);
    return x;
  };
  const PAGE = pageUnits(c);

  // ---- helpers of the K steps and F ----

  /** Every K5 waiter on `node` made runnable (wake_up_all on its wait queue). */
  const wakeAll = (d: Draft<ReserveState>, node: NodeId): void => {
    for (const a of c.allocators) {
      const x = d.ctx[a.id];
      if (x && x.pc === 'K5' && resOf(a, f) === node) x.asleep = false;
    }
  };
  /** CHARGE(r, c) (§3): returns whether it succeeded. */
  const charge = (d: Draft<ReserveState>, node: NodeId, amount: number): boolean => {
    const n = d.nodes[node];
    const fits = f.strictLess ? n.usage + amount < n.limit : n.usage + amount <= n.limit;
    if (amount >= 0 && !fits) return false;
    n.usage = Math.max(0, n.usage + amount);
    if (amount < 0) wakeAll(d, node);
    return true;
  };
  /** A regular (watermark-respecting) kmalloc: room on a regular page, or a new page past the check. */
  const tryRegular = (d: Draft<ReserveState>, a: AllocatorSpec, size: number): boolean => {
    const cache = ksize(size, c);
    if (!hasRoom(plainObjs(d), cache, false, PAGE)) {
      const r = allocPage(d.zone, regularClass(a));
      if (!r.ok) return false;
    }
    // a regular object's reserve is read only by V3-always's free side
    addObj(d, { cache, emerg: false, pool: false, res: f.uncharge === 'always' ? resOf(a, f) : null, charged: 0 });
    return true;
  };
  /** CHARGE(r, +amount) for the context's request (K3, K5): whether it succeeded, the context then holding the charge. */
  const chargeRequest = (d: Draft<ReserveState>, x: Draft<AllocCtx>, a: AllocatorSpec): boolean => {
    const r = resOf(a, f);
    if (r === null || !charge(d, r, x.amount)) return false;
    x.charged = x.amount;
    return true;
  };
  /** wait_event's sleep in K5: only a wake-up (an uncharge, or A3 raising the limit) makes the context run again. */
  const sleep = (d: Draft<ReserveState>, x: Draft<AllocCtx>, id: string): void => {
    mightSleep(d.k, id, 'wait_event(res->waitqueue)');
    x.pc = 'K5';
    x.asleep = true;
  };
  /** kmalloc_reserve returns: the context is idle again. */
  const done = (x: Draft<AllocCtx>): void => {
    x.pc = 'idle';
    x.cache = 0;
    x.amount = 0;
    x.charged = 0;
    x.asleep = false;
  };
  /**
   * A K step: offered to each allocator context whose pc is `pc` (a K5
   * sleeper only once woken), in its lane, its effect given the context and
   * its allocator; the action is `{ type: pc, ctx }`.
   */
  const kStep = (k: {
    pc: AllocPc;
    fn: string;
    /** Locks taken and dropped within the step (CHARGE's res->lock), for the race check. */
    locks?: readonly string[];
    apply: (d: Draft<ReserveState>, x: Draft<AllocCtx>, a: AllocatorSpec, id: string) => void;
    text: (s: ReserveState, id: string, n: ReserveState) => string;
  }): Rule<ReserveState> =>
    rule({
      step: k.pc,
      fn: k.fn,
      ...(k.locks ? { locks: k.locks } : {}),
      enabled: (s) => {
        const out: { ctx: string }[] = [];
        for (const a of c.allocators) {
          const x = s.ctx[a.id];
          if (x && x.pc === k.pc && !(k.pc === 'K5' && x.asleep)) out.push({ ctx: a.id });
        }
        return out;
      },
      ctx: (a) => a.ctx,
      apply: (d, { ctx: id }) => k.apply(d, ctxOf(d, id), spec(id), id),
      // Stryker disable next-line all: trace text only
      text: (s, { ctx: id }, n) => k.text(s, id, n),
    });

  // ---- helpers of the tree operations ----

  /** End of a tree operation: release mem_reserve_mutex. */
  const finish = (d: Draft<ReserveState>, id: string, op: Draft<TreeOp>): void => {
    if (!f.unlocked) mutexUnlock(d.k, MUTEX, id);
    // only kind and result outlive the operation
    d.tree[id] = { ...idleOp(), kind: op.kind, result: op.result };
  };
  /** Where an operation goes when its ADD returns. */
  const addReturned = (d: Draft<ReserveState>, id: string, op: Draft<TreeOp>, ok: boolean): void => {
    op.result = ok ? 'ok' : 'ENOMEM';
    if (op.kind === 'set') finish(d, id, op);
    else if (op.kind === 'swapon' && op.phase === 'set') {
      if (ok) op.pc = 'CN';
      else finish(d, id, op);
    } else if (op.kind === 'swapon') {
      // connect's ADD: failure unlinks
      if (ok) finish(d, id, op);
      else op.pc = 'UL';
    } else if (ok) op.pc = 'UL';
    else finish(d, id, op); // disconnect failed: stays linked, warns
  };
  /** A3's update: add dl (times `sign`) to the limit of every node on the path, each under its lock; the W2 fix wakes waiters on an increase. */
  const addLimits = (d: Draft<ReserveState>, op: Draft<TreeOp>, sign = 1): void => {
    const dl = sign * op.dl;
    for (const n of pathUp(d.nodes, op.target)) {
      d.nodes[n].limit += dl;
      if (dl > 0 && !f.noLimitWake) wakeAll(d, n);
    }
    if (op.phase === 'set') d.nodes[op.target].ownLimit += dl;
  };
  /** Deltas of the setter for `value` on r (§2 setters). */
  const setterDeltas = (d: Draft<ReserveState>, value: number): { dp: number; dl: number } => {
    const r = d.nodes.r;
    if (c.setKind === 'kmalloc') return { dp: kmallocEstimatePages(c.units === 'bytes' ? BYTES : UNITS7, value) - r.pages, dl: value - r.limit };
    return { dp: value - r.pages, dl: value * PAGE - r.limit };
  };
  /** M0: take mem_reserve_mutex, then read r for the setter (or its parent for disconnect). */
  const m0 = (d: Draft<ReserveState>, id: string, op: Draft<TreeOp>): void => {
    if (!f.unlocked && mutexLock(d.k, MUTEX, id) === 'waiting') {
      op.pc = 'M0';
      return;
    }
    if (op.kind === 'swapoff') {
      const r = d.nodes.r;
      beginAdd(op, r.parent ?? 'root', -r.pages, -r.limit, 'link');
    } else {
      const { dp, dl } = setterDeltas(d, op.value);
      beginAdd(op, 'r', dp, dl, 'set');
    }
  };
  const startOp = (d: Draft<ReserveState>, id: string, kind: TreeOpKind, value: number): void => {
    d.tree[id] = { ...idleOp(), kind, value, pc: 'M0' };
    m0(d, id, treeOf(d, id));
  };
  /** ADJ write: var_free_kbytes from what was read; δ > 0 goes on to the test allocation. */
  const adjWrite = (d: Draft<ReserveState>, id: string, op: Draft<TreeOp>): void => {
    d.varFreeKb = f.absoluteAdj ? op.delta * PAGE_KB : op.tmp + op.delta * PAGE_KB;
    recomputeZone(d, c, f);
    if (adjDelta(op, f) > 0) op.pc = 'ADJ4';
    else {
      if (!f.unlocked) mutexUnlock(d.k, VARFREE, id);
      op.pc = 'A3';
    }
  };
  /**
   * ADJ(δ): take var_free_mutex, read var_free_kbytes, write it and
   * recompute the zone. Under the two mutexes nothing else touches δ's
   * inputs or var_free_kbytes, so the read and the write are one step; V5
   * (no mutexes) reads here and writes at ADJ3, leaving the window open.
   */
  const adjEnter = (d: Draft<ReserveState>, id: string, op: Draft<TreeOp>): void => {
    if (!f.unlocked && mutexLock(d.k, VARFREE, id) === 'waiting') {
      op.pc = 'ADJ1';
      return;
    }
    op.tmp = d.varFreeKb;
    if (f.unlocked) op.pc = 'ADJ3';
    else adjWrite(d, id, op);
  };
  /**
   * A tree-operation step: offered to each operation whose pc is `pc` and
   * whose context is not waiting on a mutex, in its lane; the action is
   * `{ type: pc, ctx }`. `step` is the spec's name where several pcs are one
   * step (ADJ, A2's undo, connect, disconnect).
   */
  const treeStep = (t: {
    pc: Exclude<TreePc, 'idle'>;
    step?: string;
    fn: string;
    /** Locks taken and dropped within the step (A3's per-node res->lock), for the race check. */
    locks?: readonly string[];
    apply: (d: Draft<ReserveState>, op: Draft<TreeOp>, id: string) => void;
    text: (s: ReserveState, id: string, n: ReserveState) => string;
  }): Rule<ReserveState> =>
    rule({
      name: t.pc,
      step: t.step ?? t.pc,
      fn: t.fn,
      ...(t.locks ? { locks: t.locks } : {}),
      enabled: (s) => {
        const out: { ctx: string }[] = [];
        for (const id of treeIds(c)) if (s.tree[id]?.pc === t.pc && canProceed(s.k, id)) out.push({ ctx: id });
        return out;
      },
      ctx: (a) => a.ctx,
      apply: (d, { ctx: id }) => t.apply(d, treeOf(d, id), id),
      // Stryker disable next-line all: trace text only
      text: (s, { ctx: id }, n) => t.text(s, id, n),
    });
  /** The operation a tree step's trace text is about. */
  // Stryker disable next-line all: trace text only
  const opIn = (s: ReserveState, id: string): TreeOp => s.tree[id] ?? idleOp();
  /** swapoff waits for swap-out I/O: an entitled context in flight. */
  const entitledInFlight = (s: ReserveState): boolean => c.allocators.some((a) => a.entitled && s.ctx[a.id]?.pc !== 'idle');

  return [
    // ---- §4 environment ----
    rule({
      name: 'alloc',
      step: 'K0',
      fn: 'kmalloc_reserve',
      enabled: (s) => {
        const w = s.tree.W;
        // swap is in use only between a completed swapon and the start of swapoff
        const swapOn = connected(s.nodes, 'r') && (!w || w.pc === 'idle');
        const out: { ctx: string; size: number }[] = [];
        for (const a of c.allocators) {
          const x = s.ctx[a.id];
          if (!x || x.pc !== 'idle' || x.left === 0) continue;
          if (resOf(a, f) !== null && !swapOn) continue;
          for (const size of c.sizes) out.push({ ctx: a.id, size });
        }
        return out;
      },
      ctx: (a) => a.ctx,
      apply: (d, { ctx: id, size }) => {
        // K0, K1: regular attempts with __GFP_NOMEMALLOC; K2: not entitled → NULL
        const x = ctxOf(d, id);
        const sp = spec(id);
        if (x.left !== null) x.left -= 1;
        if (tryRegular(d, sp, size)) return;
        if (!(emergencyClass(sp).flags & ALLOC_NO_WATERMARKS)) return;
        x.cache = ksize(size, c);
        x.amount = chargeOf(size, f, c);
        x.pc = resOf(sp, f) !== null ? 'K3' : 'K7';
      },
      // Stryker disable next-line all: trace text only
      text: (s, { ctx: id, size }, n) => `kmalloc_reserve(${size}): ${objCount(n) > objCount(s) ? `K0 served it from a regular ${ksize(size, c)}-unit object` : n.ctx[id]?.pc === 'K3' ? `K0/K1 failed, entitled: K3 charges ${n.ctx[id]?.amount ?? 0} on r` : n.ctx[id]?.pc === 'K7' ? 'K0/K1 failed, entitled with no reserve (r = null): K7' : 'K0/K1 failed; K2 not entitled → NULL'}`,
    }),
    rule({
      name: 'set',
      step: 'set',
      fn: 'mem_reserve_pages_set',
      enabled: (s) => {
        const out: { ctx: string; value: number }[] = [];
        for (const id of treeIds(c)) {
          if (id === 'W') continue;
          // each set context runs once
          const op = s.tree[id];
          if (op && op.pc === 'idle' && op.result === null) for (const value of c.setValues) out.push({ ctx: id, value });
        }
        return out;
      },
      ctx: (a) => a.ctx,
      apply: (d, { ctx: id, value }) => startOp(d, id, 'set', value),
      // Stryker disable next-line all: trace text only
      text: (_, { ctx: id, value }, n) => `set r to ${value}${c.setKind === 'kmalloc' ? ' units (kmalloc_set)' : ' pages'}: ${opIn(n, id).pc === 'M0' ? 'mem_reserve_mutex is held: wait (M0)' : 'mem_reserve_mutex taken, deltas computed'}`,
    }),
    rule({
      step: 'swapon',
      fn: 'swapon',
      ctx: 'W',
      enabled: (s) => when(s.tree.W?.pc === 'idle' && s.swaponsLeft > 0 && s.nodes.r.parent === null),
      apply: (d) => {
        d.swaponsLeft -= 1;
        startOp(d, 'W', 'swapon', c.swaponPages);
      },
      // Stryker disable next-line all: trace text only
      text: () => `set r to ${c.swaponPages} pages, then connect it under root`,
    }),
    rule({
      step: 'swapoff',
      fn: 'swapoff',
      ctx: 'W',
      // only once swap-out I/O has drained: no entitled context in flight, no emergency object outstanding
      enabled: (s) => when(s.tree.W?.pc === 'idle' && s.swapoffsLeft > 0 && s.nodes.r.parent !== null && !entitledInFlight(s) && !s.objs.some((o) => o.emerg)),
      apply: (d) => {
        d.swapoffsLeft -= 1;
        startOp(d, 'W', 'swapoff', 0);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'disconnect r from root',
    }),
    rule({
      step: 'pressure',
      fn: 'alloc_pages',
      ctx: 'env',
      enabled: (s) => {
        const k = c.pressures[s.pressureUsed];
        return k === undefined ? [] : [{ k }];
      },
      apply: (d, { k }) => {
        const t = Math.min(k, d.zone.free);
        d.zone.free -= t;
        d.others += t;
        d.pressureUsed += 1;
      },
      // Stryker disable next-line all: trace text only
      text: (s, { k }, n) => `other users take ${n.others - s.others} of up to ${k} free pages (free ${s.zone.free} → ${n.zone.free})`,
    }),
    rule({
      step: 'reclaim',
      fn: 'try_to_free_pages',
      ctx: 'env',
      enabled: (s) => {
        const k = c.reclaims[s.reclaimUsed];
        return k === undefined || s.others === 0 ? [] : [{ k }];
      },
      apply: (d, { k }) => {
        const t = Math.min(k, d.others);
        d.others -= t;
        d.zone.free += t;
        d.reclaimUsed += 1;
      },
      // Stryker disable next-line all: trace text only
      text: (s, { k }, n) => `${s.others - n.others} of up to ${k} other users' pages come back (free ${s.zone.free} → ${n.zone.free})`,
    }),
    rule({
      step: 'F',
      fn: 'kfree_reserve',
      locks: [RES_LOCK],
      ctx: 'env',
      enabled: (s) => s.objs.map((o) => ({ cache: o.cache, emerg: o.emerg, pool: o.pool, res: o.res, charged: o.charged })),
      apply: (d, o) => {
        // kfree_reserve: free first, then uncharge (one step)
        const before = groupPages(plainObjs(d), o.cache, o.pool, PAGE);
        removeObj(d, o);
        if (groupPages(plainObjs(d), o.cache, o.pool, PAGE) < before) freePage(d.zone);
        const uncharge = f.uncharge === 'always' ? o.res !== null : f.uncharge === 'flag' ? o.res !== null && o.emerg : false;
        if (uncharge && o.res !== null) charge(d, o.res, -unchargeOf(o.cache));
      },
      // Stryker disable next-line all: trace text only
      text: (s, o, n) => `free a ${o.cache}-unit ${o.emerg ? 'emergency' : 'regular'} object${o.pool ? ' on a pool page' : ''}${o.res ? ` of ${o.res}` : ''}${n.zone.free > s.zone.free ? ', its page goes back' : ''}${o.res && n.nodes[o.res].usage !== s.nodes[o.res].usage ? `; usage of ${o.res} ${s.nodes[o.res].usage} → ${n.nodes[o.res].usage}` : ''}`,
    }),

    // ---- §3 K: kmalloc_reserve past its regular attempts ----
    kStep({
      pc: 'K3',
      locks: [RES_LOCK],
      fn: 'mem_reserve_kmalloc_charge',
      apply: (d, x, a, id) => {
        if (chargeRequest(d, x, a)) x.pc = 'K7';
        else if (!(a.gfp & __GFP_WAIT)) done(x); // K4: no __GFP_WAIT → NULL
        else sleep(d, x, id); // K4/K5 wait_event: the condition failed
      },
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => `CHARGE(r, +${s.ctx[id]?.amount ?? 0}) ${n.ctx[id]?.pc === 'K7' ? `ok (usage ${s.nodes.r.usage} → ${n.nodes.r.usage})` : `fails (usage ${s.nodes.r.usage}, limit ${s.nodes.r.limit}): ${n.ctx[id]?.pc === 'K5' ? 'sleep on r (K5)' : 'K4 no __GFP_WAIT → NULL'}`}`,
    }),
    kStep({
      pc: 'K5',
      locks: [RES_LOCK],
      fn: 'wait_event',
      apply: (d, x, a, id) => {
        // woken: wait_event evaluates its condition, K3's charge, again
        if (chargeRequest(d, x, a)) {
          x.asleep = false;
          x.pc = 'K6';
        } else sleep(d, x, id);
      },
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => `woken: CHARGE(r, +${s.ctx[id]?.amount ?? 0}) ${n.ctx[id]?.pc === 'K6' ? `ok (usage ${s.nodes.r.usage} → ${n.nodes.r.usage})` : `fails again (usage ${s.nodes.r.usage}, limit ${s.nodes.r.limit}): sleep`}`,
    }),
    kStep({
      pc: 'K6',
      locks: [RES_LOCK],
      fn: '__kmalloc_node_track_caller',
      apply: (d, x, a) => {
        if (tryRegular(d, a, x.cache)) {
          const r = resOf(a, f);
          if (r !== null) charge(d, r, -x.charged);
          done(x);
        } else x.pc = 'K7';
      },
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => (n.ctx[id]?.pc === 'K7' ? 'regular allocation again: fails, go on to K7' : `regular allocation again: served, CHARGE(r, −${s.ctx[id]?.charged ?? 0})`),
    }),
    kStep({
      pc: 'K7',
      locks: [RES_LOCK],
      fn: '__kmalloc_node_track_caller',
      apply: (d, x, a) => {
        const r = resOf(a, f);
        let pool: boolean;
        const objs = plainObjs(d);
        if (hasRoom(objs, x.cache, true, PAGE)) pool = true;
        else if (hasRoom(objs, x.cache, false, PAGE)) pool = false;
        else {
          const got = allocPage(d.zone, emergencyClass(a));
          if (!got.ok) {
            // only a warning in the 2009 code; the fix gives the charge back
            if (!f.leakOnFail && r !== null && x.charged > 0) charge(d, r, -x.charged);
            done(x);
            return;
          }
          pool = got.reserve;
        }
        addObj(d, { cache: x.cache, emerg: true, pool, res: r, charged: x.charged });
        done(x);
      },
      // Stryker disable next-line all: trace text only
      text: (s, _, n) => (objCount(n) === objCount(s) ? `emergency allocation fails: NULL${n.nodes.r.usage < s.nodes.r.usage ? ', charge given back' : ''}` : `emergency allocation ignoring watermarks${n.zone.free < s.zone.free ? ` takes a page (free ${s.zone.free} → ${n.zone.free})` : ': room on a page already held'}`),
    }),

    // ---- §3 tree operations: M0, ADD (A1–A3), ADJ, connect, disconnect ----
    treeStep({
      pc: 'M0',
      fn: 'mutex_lock',
      apply: (d, op, id) => m0(d, id, op),
      // Stryker disable next-line all: trace text only
      text: (_, id, n) => (opIn(n, id).pc === 'M0' ? 'mem_reserve_mutex still held: wait' : 'take mem_reserve_mutex, compute the deltas'),
    }),
    treeStep({
      pc: 'A1',
      fn: '__mem_reserve_add',
      // F1 lowers the limits here, each under its node's lock, as A3 does
      ...(f.limitsFirstOnShrink ? { locks: [RES_LOCK] } : {}),
      apply: (d, op) => {
        op.old = d.nodes.root.pages;
        if (f.limitsFirstOnShrink && op.dl < 0) addLimits(d, op);
        for (const n of pathUp(d.nodes, op.target)) d.nodes[n].pages += op.dp;
        if (op.phase === 'set') d.nodes[op.target].own += op.dp;
        op.pc = 'A2';
      },
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => `old := root.pages (${s.nodes.root.pages}); ${opIn(s, id).target}.pages ${plus(opIn(s, id).dp)} along the path${n.nodes.r.limit !== s.nodes.r.limit ? ` (limits lowered first: ${s.nodes.r.limit} → ${n.nodes.r.limit})` : ''}`,
    }),
    treeStep({
      pc: 'A2',
      fn: '__mem_reserve_add',
      apply: (d, op, id) => {
        if (f.absoluteAdj) {
          op.delta = d.nodes.root.pages;
          adjEnter(d, id, op);
          return;
        }
        op.delta = d.nodes.root.pages - op.old;
        if (op.delta === 0) op.pc = 'A3';
        else adjEnter(d, id, op);
      },
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => `δ = ${opIn(n, id).delta}: ${opIn(n, id).pc === 'ADJ1' ? 'var_free_mutex is held: wait (ADJ1)' : opIn(n, id).pc === 'ADJ3' ? `ADJ reads var_free_kbytes (${n.varFreeKb}), writes it at ADJ3` : opIn(n, id).pc === 'A3' && s.varFreeKb === n.varFreeKb ? 'no ADJ' : `ADJ, var_free_kbytes ${s.varFreeKb} → ${n.varFreeKb}, emerg ${n.zone.emerg}`}`,
    }),
    treeStep({
      pc: 'ADJ1',
      step: 'ADJ',
      fn: 'adjust_memalloc_reserve',
      apply: (d, op, id) => adjEnter(d, id, op),
      // Stryker disable next-line all: trace text only
      text: (s, _, n) => `mutex_lock(var_free_mutex), then var_free_kbytes ${s.varFreeKb} → ${n.varFreeKb}`,
    }),
    treeStep({
      pc: 'ADJ3',
      step: 'ADJ',
      fn: 'adjust_memalloc_reserve',
      apply: (d, op, id) => adjWrite(d, id, op),
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => `write var_free_kbytes from the value read at A2 (${opIn(s, id).tmp}): ${s.varFreeKb} → ${n.varFreeKb}`,
    }),
    treeStep({
      pc: 'ADJ4',
      step: 'ADJ',
      fn: 'alloc_pages_node',
      apply: (d, op, id) => {
        // wake kswapd (not modelled), then one GFP_KERNEL page per node, freed again at once
        mightSleep(d.k, id, 'alloc_pages_node(GFP_KERNEL)');
        const ok = alloc(d.zone, { flags: gfpToAllocFlags(GFP_KERNEL), mayWait: false }).ok;
        if (!ok) {
          d.varFreeKb -= adjDelta(op, f) * PAGE_KB;
          recomputeZone(d, c, f);
          op.err = true;
        }
        if (!f.unlocked) mutexUnlock(d.k, VARFREE, id);
        op.pc = op.err ? 'A2u' : 'A3';
      },
      // Stryker disable next-line all: trace text only
      text: (_, id, n) => (opIn(n, id).err ? 'δ > 0: the GFP_KERNEL test page fails: undo, -ENOMEM' : 'δ > 0: the GFP_KERNEL test page is served (and freed)'),
    }),
    treeStep({
      pc: 'A2u',
      locks: [RES_LOCK],
      step: 'A2',
      fn: '__mem_reserve_add',
      apply: (d, op, id) => {
        for (const n of pathUp(d.nodes, op.target)) d.nodes[n].pages -= op.dp;
        if (op.phase === 'set') d.nodes[op.target].own -= op.dp;
        if (f.limitsFirstOnShrink && op.dl < 0) addLimits(d, op, -1);
        addReturned(d, id, op, false);
      },
      // Stryker disable next-line all: trace text only
      text: (s, id) => `ADJ failed: ${opIn(s, id).target}.pages ${plus(-opIn(s, id).dp)} along the path again, -ENOMEM`,
    }),
    treeStep({
      pc: 'A3',
      locks: [RES_LOCK],
      fn: '__mem_reserve_add',
      apply: (d, op, id) => {
        if (!(f.limitsFirstOnShrink && op.dl < 0)) addLimits(d, op);
        addReturned(d, id, op, true);
      },
      // Stryker disable next-line all: trace text only
      text: (s, id, n) => `${opIn(s, id).target}.limit ${plus(opIn(s, id).dl)} along the path (r: ${s.nodes.r.limit} → ${n.nodes.r.limit})${awake(n) > awake(s) ? ', waiters woken' : ''}`,
    }),
    treeStep({
      pc: 'CN',
      step: 'connect',
      fn: 'mem_reserve_connect',
      apply: (d, op, id) => {
        const r = d.nodes.r;
        if (r.parent !== null) {
          op.result = 'EEXIST';
          finish(d, id, op);
          return;
        }
        r.parent = 'root';
        beginAdd(op, 'root', r.pages, r.limit, 'link');
      },
      // Stryker disable next-line all: trace text only
      text: (_, id, n) => (opIn(n, id).result === 'EEXIST' ? 'r already has a parent: -EEXIST' : 'link r under root, then ADD its pages and limit to root'),
    }),
    treeStep({
      pc: 'UL',
      step: 'disconnect',
      fn: 'mem_reserve_disconnect',
      apply: (d, op, id) => {
        d.nodes.r.parent = null;
        finish(d, id, op);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'unlink r from its parent',
    }),
  ];
}
