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
 *   (R3; model/reserve/family.ts, model/reserve/reserve.test.ts).
 *
 * What each property reads (issue 15: state, ghosts and oracles written
 * apart — accounting-oracle.ts — never rules.ts or steps.ts, which the model
 * runs):
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
 *
 * Declared with `defineModel` (variants and their flags once, below) and one
 * rule per spec step (steps.ts: guard, effect, lane and trace text together).
 * The rules' actions are offered in the order the model had before them
 * (`byContext`), so seeds, shortest counterexamples and traces are unchanged.
 * - Data races (spec 06 §5, `mmcheck races reserve`, issue 19): every
 *   CHARGE and A3's limit update hold the node's spinlock inside the step
 *   (`RES_LOCK` in steps.ts, a rule's `locks`); exempt, with reasons in
 *   RESERVE_RACE_EXEMPT: the allocator's free count, the watermarks the
 *   allocation path reads without a lock, the live objects (handed over from
 *   allocation to free) and the allocators' frames (touched by others only
 *   as wake_up_all walking the wait queue). No race is left on the
 *   reference; V5 (ADJ without its mutex) races on var_free_kbytes, the
 *   pages and the watermarks, which is V5's bug (R5) seen by locksets.
 */
import type { Machine } from '../contract.js';
import { erase } from '../contract.js';
import { defineModel } from '../define.js';
import type { Zone } from '../kernel/allocator.js';
import { produce } from '../kernel/immer.js';
import { kernelState, type LockState } from '../kernel/state.js';
import { machineFromRules } from '../rules.js';
import { PAGE_KB, reserveConfigSchema, reserveRaiseRandomConfig, reserveRandomConfig, reserveShrinkRandomConfig, reserveSmallRandomConfig, reserveSwapRandomConfig, reserveTwoSetsRandomConfig, SMALL } from './config.js';
import { reserveFamily } from './family.js';
import { reserveProperties } from './properties.js';
import type { ReserveFlags } from './rules.js';
import { pageUnits } from './rules.js';
import { idleOp, K_STEPS, MUTEX, recomputeZone, reserveRules, TREE_STEPS, treeIds, VARFREE } from './steps.js';
import type { AllocCtx, ReserveAction, ReserveConfig, ReserveState, TreeOp } from './state.js';

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

const CONTEXT_STEPS: ReadonlySet<string> = new Set([...K_STEPS, ...TREE_STEPS]);

/**
 * The rules' actions in the order this model has always offered them: the
 * rules list every K3, then every K5, …; contexts mid-operation were offered
 * one after the other (allocators in the configuration's order, then S1, S2,
 * W), each at its own step. Random runs pick by position and the exhaustive
 * engine takes successors in order, so this keeps every seed's run, every
 * shortest counterexample and the pinned traces as they were. Each context
 * has at most one such step enabled, so ordering by context is total.
 */
function byContext(c: ReserveConfig): (acts: readonly ReserveAction[]) => ReserveAction[] {
  const rank = new Map([...c.allocators.map((a) => a.id), ...treeIds(c)].map((id, i) => [id, i]));
  const rankOf = (a: ReserveAction): number => ('ctx' in a ? (rank.get(a.ctx) ?? -1) : -1);
  return (acts) => {
    const env = acts.filter((a) => !CONTEXT_STEPS.has(a.type));
    return [...env, ...acts.filter((a) => CONTEXT_STEPS.has(a.type)).sort((x, y) => rankOf(x) - rankOf(y))];
  };
}

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

/**
 * What the race check (spec 06 §5) leaves out of the reserve model, and
 * why. Reserve nodes' `usage` and `limit` are checked: every CHARGE and A3
 * holds the node's lock (`RES_LOCK` in steps.ts), `pages` is written under
 * mem_reserve_mutex, `var_free_kbytes` under var_free_mutex.
 */
const RESERVE_RACE_EXEMPT: Readonly<Record<string, string>> = {
  'zone.free': "the page allocator's free count: every allocator operation is one atomic step, under zone->lock in the kernel",
  'zone.min': "the zone's watermark: ADJ rewrites it under var_free_mutex (and zone->lock), the allocation path reads it without a lock as zone_watermark_ok() does",
  'zone.emerg': 'the emergency pages of the zone: as zone.min',
  objs: 'the live objects: each written by the allocation that makes it and the free that ends it (the object is handed over, a happens-before locksets do not see); the list is the model’s bookkeeping, not a kernel structure',
  ctx: "each allocator's call frame; other contexts touch it only as wake_up_all walking res->waitqueue (a K5 waiter's pc, its asleep flag), which the kernel does under the wait queue's lock",
};

/** The machine of one variant's flags on one configuration. */
function reserveMachine(f: ReserveFlags, c: ReserveConfig): Machine<ReserveState, ReserveAction> {
  // the rules build exactly ReserveAction's shapes (the type and its fields); machineFromRules calls them RuleAction
  const m = machineFromRules<ReserveState>({
    init: () => initState(c, f),
    rules: reserveRules(c, f),
    quiescent,
    view: encodeState,
    // the key encodes every field (no symmetry), so it serves the liveness engine too
    livenessView: encodeState,
    kernel: (s) => s.k,
    properties: reserveProperties(c, f),
    raceExempt: RESERVE_RACE_EXEMPT,
  }) as unknown as Machine<ReserveState, ReserveAction>;
  const order = byContext(c);
  return { ...m, actions: (s) => order(m.actions(s)), fairness };
}

/** The reference's flags: the 2009 code with the §6b fixes; each variant changes one. */
const REF: ReserveFlags = {
  uncharge: 'flag', relativeOnly: false, unlocked: false, absoluteAdj: false,
  strictLess: false, noLimitWake: false, leakOnFail: false, nullReserve: false, chargeRequest: false,
  limitsFirstOnShrink: false,
};

/** The smallest configuration for V5: two set events and nothing else. */
const V5_CONFIG: ReserveConfig = { ...SMALL, allocators: [], sets: 2, setValues: [3], pressures: [], reclaims: [] };
/** The smallest configuration with a set that shrinks r (finding F1). */
export const SHRINK_CONFIG: ReserveConfig = { ...SMALL, setValues: [1, 3], pressures: [], reclaims: [] };
/** The V6 exploration configuration: swapoff, then swapon, whose setter runs on the detached node. */
const V6_CONFIG: ReserveConfig = { ...SMALL, sets: 0, swapons: 1, swapoffs: 1, reclaims: [] };

/** The reserve model (spec 04). */
export const reserve = defineModel({
  // the exhaustive engines take its steps on plain copies (issue 18); properties/fastpath.test.ts checks them against immer
  fastPath: true,
  name: 'reserve',
  title: 'memory reserves for swap over network: tree, pool and usage accounting (seeds 003, 004)',
  spec: '04-reserve-accounting.md',
  smallConfig: SMALL,
  family: reserveFamily(SMALL),
  randomConfig: reserveRandomConfig,
  configSchema: reserveConfigSchema,
  variants: {
    reference: { flags: REF, summary: '2009 code with the §6b fixes (≤, wake on limit increase, uncharge on failed K7, charge = uncharge)', expect: { kind: 'holds' } },
    'V3-always': {
      flags: { ...REF, uncharge: 'always' },
      summary: 'no per-allocation reserve flag, every free uncharges: the clamp hides double uncharges, usage falls below the truth',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
    'V3-never': {
      flags: { ...REF, uncharge: 'never' },
      summary: 'no per-allocation reserve flag, no free uncharges: usage only grows (R2 at the first emergency free), then waiters starve (L1)',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
    V4: {
      flags: { ...REF, relativeOnly: true },
      summary: 'relative reserve only: the pool raises min, so GFP_ATOMIC callers dig into it',
      expect: { kind: 'violates', property: 'R4' },
      randomConfig: reserveSmallRandomConfig,
    },
    V5: {
      flags: { ...REF, unlocked: true },
      summary: 'unlocked ADJ (and setters without mem_reserve_mutex): concurrent adjustments lose an update of var_free_kbytes',
      expect: { kind: 'violates', property: 'R5' },
      exploreConfig: V5_CONFIG,
      randomConfig: reserveTwoSetsRandomConfig,
    },
    V6: {
      flags: { ...REF, absoluteAdj: true },
      summary: '"__mem_reserve_add is a complex reserve = pages": var_free_kbytes written from root.pages',
      expect: { kind: 'harmless', why: 'under mem_reserve_mutex root.pages and var_free_kbytes agree before every ADD, so writing the total equals adding δ; a detached subtree leaves root.pages, hence the total, unchanged' },
      exploreConfig: V6_CONFIG,
      randomConfig: reserveSwapRandomConfig,
    },
    W1: {
      flags: { ...REF, strictLess: true },
      summary: '2009 strict `<`: a reserve sized for k units admits k−1; a waiter whose charge fits sleeps forever',
      expect: { kind: 'violates', property: 'L1' },
      randomConfig: reserveSmallRandomConfig,
    },
    W2: {
      flags: { ...REF, noLimitWake: true },
      summary: '2009 A3 raises limits without waking K5 waiters',
      expect: { kind: 'violates', property: 'L1' },
      randomConfig: reserveRaiseRandomConfig,
    },
    W3: {
      flags: { ...REF, leakOnFail: true },
      summary: '2009 K7 failure keeps the charge: the caller gets NULL and never frees',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
    W4: {
      flags: { ...REF, nullReserve: true },
      summary: 'entitled caller with r = null takes from the pool uncharged (by design)',
      expect: { kind: 'violates', property: 'R3' },
      randomConfig: reserveSmallRandomConfig,
    },
    F1: {
      flags: { ...REF, limitsFirstOnShrink: true },
      summary: 'fix of finding F1: a shrinking ADD lowers the limits before the pages and the pool (A3 first), so no charge is admitted against a limit the pool no longer backs',
      expect: { kind: 'holds' },
      exploreConfig: SHRINK_CONFIG,
      randomConfig: reserveShrinkRandomConfig,
    },
    W5: {
      flags: { ...REF, chargeRequest: true },
      summary: '2009 charge of roundup(request) vs uncharge of roundup(ksize): 1 unit charged, 2 uncharged',
      expect: { kind: 'violates', property: 'R2' },
      randomConfig: reserveSmallRandomConfig,
    },
  },
  machine: (f: ReserveFlags, c: ReserveConfig) => reserveMachine(f, c),
});

/** The reserve model with its types erased, for the registry. */
export const reserveModel = erase(reserve);
