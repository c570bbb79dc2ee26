/**
 * Memory reserves for swap over network (spec 04, seeds 003 and 004): a tree
 * of reserve nodes sized in pages backs a strict emergency pool
 * (`var_free_kbytes` → the zone's `emerg`); a per-node `usage` is charged
 * before an emergency allocation (kmalloc_reserve K0–K7) and uncharged on
 * free (kfree_reserve F), failing or waiting when the limit would be passed.
 *
 * Decisions where the spec leaves room:
 * - Units are §7's: PAGE = 4, KMALLOC_MIN = 2, so the kmalloc caches are the
 *   2- and 4-unit ones; every request is at most a page. `var_free_kbytes`
 *   counts 4 kB per page. One lowmem zone gets the whole pool.
 * - Slab pages: objects of one cache are packed (pages of a cache group =
 *   ceil(units / PAGE)), and a group's page goes back to the zone as soon as
 *   the packing allows. SLUB's fragmentation from frees and its cached empty
 *   slabs are not modelled (R6, separately, covers packing from empty caches).
 *   Regular allocations never use pool pages (the series' slab rule); K7 fills
 *   room on a pool page first, then on a regular page, then takes a new page
 *   ignoring watermarks, which is a pool page when the zone is at or below
 *   its watermark + emerg.
 * - K0, K1 and K6 do not block: direct reclaim is the `reclaim` event.
 *   ADJ's GFP_KERNEL test allocation likewise fails instead of reclaiming, so
 *   the -ENOMEM path of A2 is reachable; kswapd is not modelled.
 * - Steps that change nothing another context reads are folded into a
 *   neighbour (Lipton-style; no reachable outcome is lost): the `alloc` event
 *   runs K0, K1 and K2 (a failed attempt changes nothing, so two attempts in
 *   a row are one); K3 includes K4 (no __GFP_WAIT → NULL; else wait_event's
 *   first check is K3's own CHARGE); a set/swapon/swapoff event takes
 *   mem_reserve_mutex and reads r (M0); with the mutexes, A2 computes δ and
 *   does ADJ's read-modify-write of var_free_kbytes in one step, and the
 *   unlocks ride on the last step of ADJ and of the operation. V5, having no
 *   mutexes, keeps the read (A2) and the write (ADJ3) apart.
 * - Every CHARGE, and A3's per-node limit update, is one atomic step, so the
 *   node spinlocks are never observed held and are not locks of the model;
 *   mem_reserve_mutex and var_free_mutex are (held across steps). K5 is
 *   wait_event: the condition is evaluated at K3 and on each wake-up, and a
 *   wake-up (CHARGE with c < 0; A3 raising a limit, the W2 fix) makes every
 *   waiter on the node runnable.
 * - `set` uses the pages setter (or kmalloc_set, by configuration); swapon sets
 *   r while detached and connects it; swapoff disconnects it and is offered
 *   only when no entitled context is in flight and no emergency object is
 *   outstanding (swap-out I/O has drained). Entitled allocations are offered
 *   only while r is connected and no swapon/swapoff is in flight. Plain
 *   contexts pass no reserve; a regular object keeps its reserve only where
 *   the free side reads it (V3-always).
 * - `pressure(k)` is other users taking up to k free pages regardless of
 *   watermarks (e.g. interrupts); `reclaim(k)` returns up to k of them.
 * - §7 reduction: E1 and E2 make at most two allocation requests each and P
 *   one. Without budgets §7 has 286,384 states (complete, no violation, every
 *   witness; about 50 s here); with them 96,194.
 * - The §7 set grows r (2 → 3 pages). A shrinking set exposes finding F1:
 *   ADD lowers pages and the pool (A1, ADJ) before the limits (A3, "delay
 *   updating the limits until we've acquired the resources" is right only for
 *   growth), so a charge is admitted against a limit the pool no longer
 *   backs (R3, or L2). The F1 variant lowers limits first on a shrink.
 * - The reference applies the §6b fixes: `≤` (W1), wake on limit increase
 *   (W2), uncharge on a failed K7 (W3), charge the rounded object size (W5).
 *   W4 (entitled caller with r = null) has no fix; as a variant, E2 passes null.
 * - Liveness (L1 as an eventually-property, properties.ts): requests,
 *   frees, sets, swapon/swapoff, pressure and reclaim are the environment,
 *   which eventually stops; K and tree-operation steps are fair. The
 *   exhaustive key encodes every field, so it is the liveness key too.
 * - V3 keeps the ghost `emerg` per object (for R2) while F ignores it.
 *   V3-never breaks R2 at its first emergency free, before any waiter can
 *   starve, so R2 is its declared property; L1 (the spec's) is shown with R2
 *   set aside. V6 writes `var_free_kbytes` from root.pages (Neil Brown's
 *   "reserve = pages") on every ADD.
 * - Units (issue 15): §7's scaled units had two power-of-two caches, so the
 *   charge roundup_pow_of_two(ksize) always equalled ksize and two caches
 *   never shared a page's worth of charge. `units: 'bytes'` (family members)
 *   runs the same steps in bytes with estimate.ts's SLUB classes (96 and
 *   192 included, objects packed whole, ⌊4096 / size⌋ to a page). It shows
 *   a finding: r sized by the pages setter does not back two caches' slabs
 *   (R3; model/reserve/family.ts, properties/reserve.test.ts).
 *
 * What each property reads (issue 15: state, ghosts and oracles written
 * apart — accounting-oracle.ts — never rules.ts, which the model runs):
 * - R1: every node's `usage` before and after the step (a charge is the
 *   counter's rise) and `limit` before it.
 * - R2: `usage` against the oracle's sum: each outstanding emergency
 *   object's charge computed from its cache (`chargeFor`), and each entitled
 *   context in K6/K7 (reached only by a successful CHARGE) charged for its
 *   cache — not the model's own `charged` records.
 * - R3: pool pages held (oracle packing of the objects' caches) before and
 *   after a K7, root.pages, and R2's sum against the limits.
 * - R4: the zone's free count, the watermark of the regular class (the
 *   kernel allocator's `adjustedMark`, tested on its own) and the pool.
 * - R5: the tree's pages and limits, var_free_kbytes, and the oracle's
 *   reading of which node reaches root.
 * - L1 (both forms): K5 waiters and R2's sum. L2: the zone, the oracle's
 *   room test and "within reserves" from R2's sum and the oracle's packing.
 * - zone-pages (added by issue 15's mutation run: page accounting went
 *   unjudged): the zone's free pages, other users' pages and the slab pages
 *   of the outstanding objects (oracle packing) add up to the zone.
 * - R6 (estimate.ts) is judged by reserve-estimate.test.ts against the worst
 *   packing (`worstPagesUsed`), also in estimate.ts; both share the size
 *   classes, which that suite pins against the kernel's table.
 */
import { Immer, isDraft, original, type Draft } from 'immer';
import { match } from 'ts-pattern';
import type { Machine, ModelDef, StepInfo } from '../contract.js';
import { erase } from '../contract.js';
import { ALLOC_NO_WATERMARKS, GFP_KERNEL, __GFP_WAIT, alloc, allocPage, freePage, gfpToAllocFlags, type Zone } from '../kernel/allocator.js';
import { canProceed, mightSleep, mutexLock, mutexUnlock } from '../kernel/locks.js';
import { kernelState, type LockState } from '../kernel/state.js';
import { PAGE_KB, parseReserveConfig, reserveRaiseRandomConfig, reserveRandomConfig, reserveShrinkRandomConfig, reserveSmallRandomConfig, reserveSwapRandomConfig, reserveTwoSetsRandomConfig, SMALL } from './config.js';
import { BYTES, kmallocEstimatePages, UNITS7 } from './estimate.js';
import type { ReserveFlags } from './rules.js';
import { chargeOf, connected, emergencyClass, FLAGS, groupPages, hasRoom, ksize, pageUnits, pathUp, regularClass, resOf, unchargeOf } from './rules.js';
import { reserveProperties } from './properties.js';
import { reserveFamily } from './family.js';
import type { AllocatorSpec, AllocCtx, NodeId, ObjGroup, ReserveAction, ReserveConfig, ReserveState, TreeOp, TreeOpKind } from './state.js';

/**
 * States are never mutated outside `produce` (the engines only read them), so
 * this model's immer instance skips auto-freezing, which was most of the cost
 * of a step.
 */
const immer = new Immer({ autoFreeze: false });
const produce = immer.produce;

const MUTEX = 'mem_reserve_mutex';
const VARFREE = 'var_free_mutex';

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

/** Zone watermarks and pool after ADJ (§3 ADJ: recompute emerg and watermarks). */
function recomputeZone(d: Draft<ReserveState>, c: ReserveConfig, f: ReserveFlags): void {
  const pool = Math.floor(d.varFreeKb / PAGE_KB);
  const min = f.relativeOnly ? c.min + Math.max(0, pool) : c.min;
  d.zone.min = min;
  d.zone.low = min + Math.floor(min / 4);
  d.zone.high = min + Math.floor(min / 2);
  d.zone.emerg = f.relativeOnly ? 0 : pool;
}

function wakeAll(d: Draft<ReserveState>, node: NodeId, c: ReserveConfig, f: ReserveFlags): void {
  for (const a of c.allocators) {
    const x = d.ctx[a.id];
    if (x && x.pc === 'K5' && resOf(a, f) === node) x.asleep = false;
  }
}

/** CHARGE(r, c) (§3): returns whether it succeeded. */
function charge(d: Draft<ReserveState>, node: NodeId, amount: number, c: ReserveConfig, f: ReserveFlags): boolean {
  const n = d.nodes[node];
  const fits = f.strictLess ? n.usage + amount < n.limit : n.usage + amount <= n.limit;
  if (amount >= 0 && !fits) return false;
  n.usage = Math.max(0, n.usage + amount);
  if (amount < 0) wakeAll(d, node, c, f);
  return true;
}

/** A regular (watermark-respecting) kmalloc: room on a regular page, or a new page past the check. */
function tryRegular(d: Draft<ReserveState>, a: AllocatorSpec, size: number, c: ReserveConfig, f: ReserveFlags): boolean {
  const cache = ksize(size, c);
  if (!hasRoom(plainObjs(d), cache, false, pageUnits(c))) {
    const r = allocPage(d.zone, regularClass(a));
    if (!r.ok) return false;
  }
  // a regular object's reserve is read only by V3-always's free side
  addObj(d, { cache, emerg: false, pool: false, res: f.uncharge === 'always' ? resOf(a, f) : null, charged: 0 });
  return true;
}

function initState(c: ReserveConfig, f: ReserveFlags): ReserveState {
  const pages = c.connected ? c.pages : 0;
  const PAGE = pageUnits(c);
  const zone: Zone = { free: c.free, min: c.min, low: c.min, high: c.min, emerg: 0, lowmemReserve: 0 };
  const s: ReserveState = {
    k: kernelState({ [MUTEX]: 'mutex', [VARFREE]: 'mutex' }),
    nodes: {
      root: { parent: null, pages, limit: pages * PAGE, usage: 0, own: 0, ownLimit: 0 },
      r: { parent: c.connected ? 'root' : null, pages, limit: pages * PAGE, usage: 0, own: pages, ownLimit: pages * PAGE },
    },
    varFreeKb: pages * PAGE_KB,
    zone,
    others: 0,
    objs: [],
    ctx: Object.fromEntries(c.allocators.map((a) => [a.id, { pc: 'idle', cache: 0, amount: 0, charged: 0, asleep: false, left: a.allocs } satisfies AllocCtx])),
    tree: Object.fromEntries(treeIds(c).map((id) => [id, idleOp()])),
    pressureUsed: 0,
    reclaimUsed: 0,
    swaponsLeft: c.swapons,
    swapoffsLeft: c.swapoffs,
  };
  return produce(s, (d) => recomputeZone(d, c, f));
}

function idleOp(): TreeOp {
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

function entitledInFlight(s: ReserveState, c: ReserveConfig): boolean {
  return c.allocators.some((a) => a.entitled && s.ctx[a.id]?.pc !== 'idle');
}

function actions(s: ReserveState, c: ReserveConfig, f: ReserveFlags): ReserveAction[] {
  const out: ReserveAction[] = [];
  const w = s.tree.W;
  // swap is in use only between a completed swapon and the start of swapoff
  const swapOn = connected(s.nodes, 'r') && (!w || w.pc === 'idle');
  // environment: allocation requests
  for (const a of c.allocators) {
    const x = s.ctx[a.id];
    if (!x || x.pc !== 'idle' || x.left === 0) continue;
    if (resOf(a, f) !== null && !swapOn) continue;
    for (const size of c.sizes) out.push({ type: 'alloc', ctx: a.id, size });
  }
  // environment: set events, one per set context, each run once
  for (const id of treeIds(c)) {
    if (id === 'W') continue;
    const op = s.tree[id];
    if (op && op.pc === 'idle' && op.result === null) for (const value of c.setValues) out.push({ type: 'set', ctx: id, value });
  }
  if (w && w.pc === 'idle') {
    if (s.swaponsLeft > 0 && s.nodes.r.parent === null) out.push({ type: 'swapon' });
    if (s.swapoffsLeft > 0 && s.nodes.r.parent !== null && !entitledInFlight(s, c) && !s.objs.some((o) => o.emerg)) out.push({ type: 'swapoff' });
  }
  const pk = c.pressures[s.pressureUsed];
  if (pk !== undefined) out.push({ type: 'pressure', k: pk });
  const rk = c.reclaims[s.reclaimUsed];
  if (rk !== undefined && s.others > 0) out.push({ type: 'reclaim', k: rk });
  // frees of outstanding objects
  for (const o of s.objs) out.push({ type: 'F', cache: o.cache, emerg: o.emerg, pool: o.pool, res: o.res, charged: o.charged });
  // allocator contexts
  for (const a of c.allocators) {
    const x = s.ctx[a.id];
    if (!x || x.pc === 'idle' || (x.pc === 'K5' && x.asleep)) continue;
    out.push({ type: x.pc, ctx: a.id });
  }
  // tree operations
  for (const id of treeIds(c)) {
    const op = s.tree[id];
    if (op && op.pc !== 'idle' && canProceed(s.k, id)) out.push({ type: op.pc, ctx: id });
  }
  return out;
}

/** Deltas of the setter for `value` on r (§2 setters). */
function setterDeltas(d: Draft<ReserveState>, c: ReserveConfig, value: number): { dp: number; dl: number } {
  const r = d.nodes.r;
  if (c.setKind === 'kmalloc') return { dp: kmallocEstimatePages(c.units === 'bytes' ? BYTES : UNITS7, value) - r.pages, dl: value - r.limit };
  return { dp: value - r.pages, dl: value * pageUnits(c) - r.limit };
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

/** The ADJ delta in force: δ, or (V6) the absolute target minus what was read. */
function adjDelta(op: TreeOp, f: ReserveFlags): number {
  return f.absoluteAdj ? op.delta - op.tmp / PAGE_KB : op.delta;
}

function next(s: ReserveState, a: ReserveAction, c: ReserveConfig, f: ReserveFlags): ReserveState {
  const spec = (id: string): AllocatorSpec => {
    const x = c.allocators.find((y) => y.id === id);
    if (!x) throw new Error(`no allocator ${id}`);
    return x;
  };
  return produce(s, (d) => {
    const ctx = (id: string): Draft<AllocCtx> => {
      const x = d.ctx[id];
      if (!x) throw new Error(`no allocator context ${id}`);
      return x;
    };
    const tree = (id: string): Draft<TreeOp> => {
      const x = d.tree[id];
      if (!x) throw new Error(`no tree context ${id}`);
      return x;
    };
    const done = (x: Draft<AllocCtx>): void => {
      x.pc = 'idle';
      x.cache = 0;
      x.amount = 0;
      x.charged = 0;
      x.asleep = false;
    };
    /** End of a tree operation: release mem_reserve_mutex. */
    const finish = (id: string, op: Draft<TreeOp>): void => {
      if (!f.unlocked) mutexUnlock(d.k, MUTEX, id);
      // only kind and result outlive the operation
      d.tree[id] = { ...idleOp(), kind: op.kind, result: op.result };
    };
    /** Where an operation goes when its ADD returns. */
    const addReturned = (id: string, op: Draft<TreeOp>, ok: boolean): void => {
      op.result = ok ? 'ok' : 'ENOMEM';
      if (op.kind === 'set') finish(id, op);
      else if (op.kind === 'swapon' && op.phase === 'set') {
        if (ok) op.pc = 'CN';
        else finish(id, op);
      } else if (op.kind === 'swapon') {
        // connect's ADD: failure unlinks
        if (ok) finish(id, op);
        else op.pc = 'UL';
      } else if (ok) op.pc = 'UL';
      else finish(id, op); // disconnect failed: stays linked, warns
    };
    /** A3's update: add dl (times `sign`) to the limit of every node on the path, each under its lock; the W2 fix wakes waiters on an increase. */
    const addLimits = (op: Draft<TreeOp>, sign = 1): void => {
      const dl = sign * op.dl;
      for (const n of pathUp(d.nodes, op.target)) {
        d.nodes[n].limit += dl;
        if (dl > 0 && !f.noLimitWake) wakeAll(d, n, c, f);
      }
      if (op.phase === 'set') d.nodes[op.target].ownLimit += dl;
    };
    /** M0: take mem_reserve_mutex, then read r for the setter (or its parent for disconnect). */
    const m0 = (id: string, op: Draft<TreeOp>): void => {
      if (!f.unlocked && mutexLock(d.k, MUTEX, id) === 'waiting') {
        op.pc = 'M0';
        return;
      }
      if (op.kind === 'swapoff') {
        const r = d.nodes.r;
        beginAdd(op, r.parent ?? 'root', -r.pages, -r.limit, 'link');
      } else {
        const { dp, dl } = setterDeltas(d, c, op.value);
        beginAdd(op, 'r', dp, dl, 'set');
      }
    };
    const startOp = (id: string, kind: TreeOpKind, value: number): void => {
      d.tree[id] = { ...idleOp(), kind, value, pc: 'M0' };
      m0(id, tree(id));
    };
    /**
     * ADJ(δ): take var_free_mutex, read var_free_kbytes, write it and
     * recompute the zone. Under the two mutexes nothing else touches δ's
     * inputs or var_free_kbytes, so the read and the write are one step; V5
     * (no mutexes) reads here and writes at ADJ3, leaving the window open.
     */
    const adjEnter = (id: string, op: Draft<TreeOp>): void => {
      if (!f.unlocked && mutexLock(d.k, VARFREE, id) === 'waiting') {
        op.pc = 'ADJ1';
        return;
      }
      op.tmp = d.varFreeKb;
      if (f.unlocked) op.pc = 'ADJ3';
      else adjWrite(id, op);
    };
    /** ADJ write: var_free_kbytes from what was read; δ > 0 goes on to the test allocation. */
    const adjWrite = (id: string, op: Draft<TreeOp>): void => {
      d.varFreeKb = f.absoluteAdj ? op.delta * PAGE_KB : op.tmp + op.delta * PAGE_KB;
      recomputeZone(d, c, f);
      if (adjDelta(op, f) > 0) op.pc = 'ADJ4';
      else {
        if (!f.unlocked) mutexUnlock(d.k, VARFREE, id);
        op.pc = 'A3';
      }
    };
    match(a)
      .with({ type: 'alloc' }, ({ ctx: id, size }) => {
        // K0, K1: regular attempts with __GFP_NOMEMALLOC; K2: not entitled → NULL
        const x = ctx(id);
        const sp = spec(id);
        if (x.left !== null) x.left -= 1;
        if (tryRegular(d, sp, size, c, f)) return;
        if (!(emergencyClass(sp).flags & ALLOC_NO_WATERMARKS)) return;
        x.cache = ksize(size, c);
        x.amount = chargeOf(size, f, c);
        x.pc = resOf(sp, f) !== null ? 'K3' : 'K7';
      })
      .with({ type: 'F' }, ({ type: _t, ...o }) => {
        // kfree_reserve: free first, then uncharge (one step)
        const before = groupPages(plainObjs(d), o.cache, o.pool, pageUnits(c));
        removeObj(d, o);
        if (groupPages(plainObjs(d), o.cache, o.pool, pageUnits(c)) < before) freePage(d.zone);
        const uncharge = f.uncharge === 'always' ? o.res !== null : f.uncharge === 'flag' ? o.res !== null && o.emerg : false;
        if (uncharge && o.res !== null) charge(d, o.res, -unchargeOf(o.cache), c, f);
      })
      .with({ type: 'K3' }, ({ ctx: id }) => {
        const x = ctx(id);
        const sp = spec(id);
        const r = resOf(sp, f);
        if (r !== null && charge(d, r, x.amount, c, f)) {
          x.charged = x.amount;
          x.pc = 'K7';
        } else if (!(sp.gfp & __GFP_WAIT)) done(x); // K4: no __GFP_WAIT → NULL
        else {
          // K4/K5 wait_event: the condition failed, sleep until a wake-up
          mightSleep(d.k, id, 'wait_event(res->waitqueue)');
          x.pc = 'K5';
          x.asleep = true;
        }
      })
      .with({ type: 'K5' }, ({ ctx: id }) => {
        const x = ctx(id);
        const r = resOf(spec(id), f);
        if (r !== null && charge(d, r, x.amount, c, f)) {
          x.charged = x.amount;
          x.asleep = false;
          x.pc = 'K6';
        } else {
          mightSleep(d.k, id, 'wait_event(res->waitqueue)');
          x.asleep = true;
        }
      })
      .with({ type: 'K6' }, ({ ctx: id }) => {
        const x = ctx(id);
        const sp = spec(id);
        if (tryRegular(d, sp, x.cache, c, f)) {
          const r = resOf(sp, f);
          if (r !== null) charge(d, r, -x.charged, c, f);
          done(x);
        } else x.pc = 'K7';
      })
      .with({ type: 'K7' }, ({ ctx: id }) => {
        const x = ctx(id);
        const sp = spec(id);
        const r = resOf(sp, f);
        let pool: boolean;
        const objs = plainObjs(d);
        if (hasRoom(objs, x.cache, true, pageUnits(c))) pool = true;
        else if (hasRoom(objs, x.cache, false, pageUnits(c))) pool = false;
        else {
          const got = allocPage(d.zone, emergencyClass(sp));
          if (!got.ok) {
            // only a warning in the 2009 code; the fix gives the charge back
            if (!f.leakOnFail && r !== null && x.charged > 0) charge(d, r, -x.charged, c, f);
            done(x);
            return;
          }
          pool = got.reserve;
        }
        addObj(d, { cache: x.cache, emerg: true, pool, res: r, charged: x.charged });
        done(x);
      })
      .with({ type: 'M0' }, ({ ctx: id }) => m0(id, tree(id)))
      .with({ type: 'A1' }, ({ ctx: id }) => {
        const op = tree(id);
        op.old = d.nodes.root.pages;
        if (f.limitsFirstOnShrink && op.dl < 0) addLimits(op);
        for (const n of pathUp(d.nodes, op.target)) d.nodes[n].pages += op.dp;
        if (op.phase === 'set') d.nodes[op.target].own += op.dp;
        op.pc = 'A2';
      })
      .with({ type: 'A2' }, ({ ctx: id }) => {
        const op = tree(id);
        if (f.absoluteAdj) {
          op.delta = d.nodes.root.pages;
          adjEnter(id, op);
          return;
        }
        op.delta = d.nodes.root.pages - op.old;
        if (op.delta === 0) op.pc = 'A3';
        else adjEnter(id, op);
      })
      .with({ type: 'ADJ1' }, ({ ctx: id }) => adjEnter(id, tree(id)))
      .with({ type: 'ADJ3' }, ({ ctx: id }) => adjWrite(id, tree(id)))
      .with({ type: 'ADJ4' }, ({ ctx: id }) => {
        const op = tree(id);
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
      })
      .with({ type: 'A2u' }, ({ ctx: id }) => {
        const op = tree(id);
        for (const n of pathUp(d.nodes, op.target)) d.nodes[n].pages -= op.dp;
        if (op.phase === 'set') d.nodes[op.target].own -= op.dp;
        if (f.limitsFirstOnShrink && op.dl < 0) addLimits(op, -1);
        addReturned(id, op, false);
      })
      .with({ type: 'A3' }, ({ ctx: id }) => {
        const op = tree(id);
        if (!(f.limitsFirstOnShrink && op.dl < 0)) addLimits(op);
        addReturned(id, op, true);
      })
      .with({ type: 'CN' }, ({ ctx: id }) => {
        const op = tree(id);
        const r = d.nodes.r;
        if (r.parent !== null) {
          op.result = 'EEXIST';
          finish(id, op);
          return;
        }
        r.parent = 'root';
        beginAdd(op, 'root', r.pages, r.limit, 'link');
      })
      .with({ type: 'UL' }, ({ ctx: id }) => {
        d.nodes.r.parent = null;
        finish(id, tree(id));
      })
      .with({ type: 'set' }, ({ ctx: id, value }) => startOp(id, 'set', value))
      .with({ type: 'swapon' }, () => {
        d.swaponsLeft -= 1;
        startOp('W', 'swapon', c.swaponPages);
      })
      .with({ type: 'swapoff' }, () => {
        d.swapoffsLeft -= 1;
        startOp('W', 'swapoff', 0);
      })
      .with({ type: 'pressure' }, ({ k }) => {
        const t = Math.min(k, d.zone.free);
        d.zone.free -= t;
        d.others += t;
        d.pressureUsed += 1;
      })
      .with({ type: 'reclaim' }, ({ k }) => {
        const t = Math.min(k, d.others);
        d.others -= t;
        d.zone.free += t;
        d.reclaimUsed += 1;
      })
      .exhaustive();
  });
}

// Stryker disable all: trace text only (lanes, step and function names); no property reads it, and fairness is its own function below
const K_TEXT: Record<string, [string, string]> = {
  K3: ['mem_reserve_kmalloc_charge', 'CHARGE(r, +size); fails: K4 no __GFP_WAIT → NULL, else sleep (K5)'],
  K5: ['wait_event', 'woken: CHARGE(r, +size) again, or sleep'],
  K6: ['__kmalloc_node_track_caller', 'regular allocation again; success → CHARGE(r, −size)'],
  K7: ['__kmalloc_node_track_caller', 'emergency allocation ignoring watermarks'],
};

const T_TEXT: Record<string, [string, string, string]> = {
  M0: ['M0', 'mutex_lock', 'take mem_reserve_mutex, compute the deltas'],
  A1: ['A1', '__mem_reserve_add', 'remember root.pages; add dp along the path'],
  A2: ['A2', '__mem_reserve_add', 'δ := root.pages − old; δ ≠ 0 → ADJ(δ): var_free_kbytes += δ·PAGE/1024 under var_free_mutex, recompute emerg'],
  ADJ1: ['ADJ', 'adjust_memalloc_reserve', 'mutex_lock(var_free_mutex), then var_free_kbytes += δ·PAGE/1024'],
  ADJ3: ['ADJ', 'adjust_memalloc_reserve', 'write var_free_kbytes (read at A2) and recompute emerg'],
  ADJ4: ['ADJ', 'alloc_pages_node', 'δ > 0: one GFP_KERNEL page; failure → undo, -ENOMEM'],
  A2u: ['A2', '__mem_reserve_add', 'ADJ failed: subtract dp along the path, -ENOMEM'],
  A3: ['A3', '__mem_reserve_add', 'add dl to limit along the path'],
  CN: ['connect', 'mem_reserve_connect', 'parent set → -EEXIST; else link under root'],
  UL: ['disconnect', 'mem_reserve_disconnect', 'unlink from the parent'],
};

function describe(a: ReserveAction): StepInfo {
  return match(a)
    .with({ type: 'alloc' }, ({ ctx, size }) => ({ ctx, step: 'K0', fn: 'kmalloc_reserve', text: `kmalloc_reserve(${size}): K0/K1 regular attempts; K2 not entitled → NULL` }))
    .with({ type: 'set' }, ({ ctx, value }) => ({ ctx, step: 'set', fn: 'mem_reserve_pages_set', text: `set r to ${value}: take mem_reserve_mutex, compute the deltas` }))
    .with({ type: 'swapon' }, () => ({ ctx: 'W', step: 'swapon', fn: 'swapon', text: 'set r, then connect it under root' }))
    .with({ type: 'swapoff' }, () => ({ ctx: 'W', step: 'swapoff', fn: 'swapoff', text: 'disconnect r' }))
    .with({ type: 'pressure' }, ({ k }) => ({ ctx: 'env', step: 'pressure', fn: 'alloc_pages', text: `other users take up to ${k} free pages` }))
    .with({ type: 'reclaim' }, ({ k }) => ({ ctx: 'env', step: 'reclaim', fn: 'try_to_free_pages', text: `up to ${k} of their pages come back` }))
    .with({ type: 'F' }, (o) => ({ ctx: 'env', step: 'F', fn: 'kfree_reserve', text: `free a ${o.cache}-unit ${o.emerg ? 'emergency' : 'regular'} object${o.pool ? ' on a pool page' : ''}${o.res ? ` of ${o.res}` : ''}` }))
    .with({ type: 'K3' }, { type: 'K5' }, { type: 'K6' }, { type: 'K7' }, (x) => {
      const [fn, text] = K_TEXT[x.type] ?? ['', ''];
      return { ctx: x.ctx, step: x.type, fn, text };
    })
    .with({ type: 'M0' }, { type: 'A1' }, { type: 'A2' }, { type: 'ADJ1' }, { type: 'ADJ3' }, { type: 'ADJ4' }, { type: 'A2u' }, { type: 'A3' }, { type: 'CN' }, { type: 'UL' }, (x) => {
      const [step, fn, text] = T_TEXT[x.type] ?? ['', '', ''];
      return { ctx: x.ctx, step, fn, text };
    })
    .exhaustive();
}

// Stryker restore all

/**
 * Fairness of a step (liveness): requests, frees, sets, swapon/swapoff,
 * pressure and reclaim are the environment (§4), which eventually stops;
 * every K and tree-operation step belongs to its context.
 */
function fairness(a: ReserveAction): string | null {
  switch (a.type) {
    case 'alloc':
    case 'set':
    case 'swapon':
    case 'swapoff':
    case 'pressure':
    case 'reclaim':
    case 'F':
      return null;
    default:
      return a.ctx;
  }
}

/** Every allocator idle or asleep in K5, and no tree operation in flight. */
export function quiescent(s: ReserveState): boolean {
  for (const x of Object.values(s.ctx)) if (x.pc !== 'idle' && !(x.pc === 'K5' && x.asleep)) return false;
  for (const op of Object.values(s.tree)) if (op.pc !== 'idle') return false;
  return true;
}

/**
 * The exhaustive engine's state key: every field of the state, written as a
 * short positional string (the generic canonical JSON of this state was
 * most of the exploration time). Field order is fixed, so equal states give
 * equal keys, and no field is left out.
 */
export function encodeState(s: ReserveState): string {
  const r = s.nodes.r;
  const t = s.nodes.root;
  const z = s.zone;
  let out = `${t.parent ?? '-'},${t.pages},${t.limit},${t.usage},${t.own},${t.ownLimit};${r.parent ?? '-'},${r.pages},${r.limit},${r.usage},${r.own},${r.ownLimit};`;
  out += `${s.varFreeKb},${z.free},${z.min},${z.low},${z.high},${z.emerg},${z.lowmemReserve},${s.others},${s.pressureUsed},${s.reclaimUsed},${s.swaponsLeft},${s.swapoffsLeft}|`;
  for (const id in s.ctx) {
    const x = s.ctx[id] as AllocCtx;
    out += `${id},${x.pc},${x.cache},${x.amount},${x.charged},${x.asleep ? 1 : 0},${x.left ?? '-'};`;
  }
  out += '|';
  for (const id in s.tree) {
    const op = s.tree[id] as TreeOp;
    out += `${id},${op.kind},${op.pc},${op.phase},${op.value},${op.target},${op.dp},${op.dl},${op.old},${op.delta},${op.tmp},${op.err ? 1 : 0},${op.result ?? '-'};`;
  }
  out += '|';
  for (const o of s.objs) out += `${o.cache},${o.emerg ? 1 : 0},${o.pool ? 1 : 0},${o.res ?? '-'},${o.charged},${o.n};`;
  out += '|';
  for (const name in s.k.locks) {
    const l = s.k.locks[name] as LockState;
    out += l.kind === 'rwsem' ? `${name},${JSON.stringify(l)};` : `${name},${l.owner ?? '-'},${l.waiters.join('+')},${l.kind === 'mutex' ? `${l.count},${l.corrupt ? 1 : 0}` : ''};`;
  }
  return s.k.faults.length ? out + JSON.stringify(s.k.faults) : out;
}

/** Builds the machine of one variant. */
export function reserveMachine(variant: string, c: ReserveConfig): Machine<ReserveState, ReserveAction> {
  const f = FLAGS[variant];
  if (!f) throw new Error(`unknown variant '${variant}' of model 'reserve'`);
  return {
    init: () => initState(c, f),
    actions: (s) => actions(s, c, f),
    next: (s, a) => next(s, a, c, f),
    describe,
    quiescent,
    view: encodeState,
    // the key encodes every field (no symmetry), so it serves the liveness engine too
    livenessView: encodeState,
    fairness,
    kernel: (s) => s.k,
    properties: reserveProperties(c, f),
  };
}

/** The smallest configuration for V5: two set events and nothing else. */
const V5_CONFIG: ReserveConfig = { ...SMALL, allocators: [], sets: 2, setValues: [3], pressures: [], reclaims: [] };
/** The smallest configuration with a set that shrinks r (finding F1). */
export const SHRINK_CONFIG: ReserveConfig = { ...SMALL, setValues: [1, 3], pressures: [], reclaims: [] };
/** The V6 exploration configuration: swapoff, then swapon, whose setter runs on the detached node. */
const V6_CONFIG: ReserveConfig = { ...SMALL, sets: 0, swapons: 1, swapoffs: 1, reclaims: [] };

/** The reserve model (spec 04). */
export const reserve: ModelDef<ReserveState, ReserveAction, ReserveConfig> = {
  name: 'reserve',
  title: 'memory reserves for swap over network: tree, pool and usage accounting (seeds 003, 004)',
  spec: '04-reserve-accounting.md',
  smallConfig: SMALL,
  family: reserveFamily(SMALL),
  randomConfig: reserveRandomConfig,
  propertyNames: ['R1', 'R2', 'R3', 'R4', 'R5', 'L1', 'L2', 'zone-pages', 'setter-result'],
  variants: [
    { name: 'reference', summary: '2009 code with the §6b fixes (≤, wake on limit increase, uncharge on failed K7, charge = uncharge)', expect: { kind: 'holds' } },
    {
      name: 'V3-always',
      summary: 'no per-allocation reserve flag, every free uncharges: the clamp hides double uncharges, usage falls below the truth',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
    {
      name: 'V3-never',
      summary: 'no per-allocation reserve flag, no free uncharges: usage only grows (R2 at the first emergency free), then waiters starve (L1)',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
    {
      name: 'V4',
      summary: 'relative reserve only: the pool raises min, so GFP_ATOMIC callers dig into it',
      expect: { kind: 'violates', property: 'R4' },
      randomConfig: reserveSmallRandomConfig,
    },
    {
      name: 'V5',
      summary: 'unlocked ADJ (and setters without mem_reserve_mutex): concurrent adjustments lose an update of var_free_kbytes',
      expect: { kind: 'violates', property: 'R5' },
      exploreConfig: V5_CONFIG,
      randomConfig: reserveTwoSetsRandomConfig,
    },
    {
      name: 'V6',
      summary: '"__mem_reserve_add is a complex reserve = pages": var_free_kbytes written from root.pages',
      expect: { kind: 'harmless', why: 'under mem_reserve_mutex root.pages and var_free_kbytes agree before every ADD, so writing the total equals adding δ; a detached subtree leaves root.pages, hence the total, unchanged' },
      exploreConfig: V6_CONFIG,
      randomConfig: reserveSwapRandomConfig,
    },
    {
      name: 'W1',
      summary: '2009 strict `<`: a reserve sized for k units admits k−1; a waiter whose charge fits sleeps forever',
      expect: { kind: 'violates', property: 'L1' },
      randomConfig: reserveSmallRandomConfig,
    },
    {
      name: 'W2',
      summary: '2009 A3 raises limits without waking K5 waiters',
      expect: { kind: 'violates', property: 'L1' },
      randomConfig: reserveRaiseRandomConfig,
    },
    {
      name: 'W3',
      summary: '2009 K7 failure keeps the charge: the caller gets NULL and never frees',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
    {
      name: 'W4',
      summary: 'entitled caller with r = null takes from the pool uncharged (by design)',
      expect: { kind: 'violates', property: 'R3' },
      randomConfig: reserveSmallRandomConfig,
    },
    {
      name: 'F1',
      summary: 'fix of finding F1: a shrinking ADD lowers the limits before the pages and the pool (A3 first), so no charge is admitted against a limit the pool no longer backs',
      expect: { kind: 'holds' },
      exploreConfig: SHRINK_CONFIG,
      randomConfig: reserveShrinkRandomConfig,
    },
    {
      name: 'W5',
      summary: '2009 charge of roundup(request) vs uncharge of roundup(ksize): 1 unit charged, 2 uncharged',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
  ],
  parseConfig: parseReserveConfig,
  machine: reserveMachine,
};

/** The reserve model with its types erased, for the registry. */
export const reserveModel = erase(reserve);
