/**
 * Properties of spec 04 §5 (R1–R5, L1, L2; R6 is pure and lives in
 * estimate.ts) and the *sometimes* witnesses that make a passing run
 * meaningful.
 *
 * Readings:
 * - R3 is checked where pool use grows, at a K7 that takes a pool page, and
 *   only while every node's charges are within its limit: a setter may shrink
 *   a reserve below what is charged (no new charge gets in until it drains).
 * - L1 is checked twice under one name. At quiescence (every allocator idle
 *   or asleep in K5, no tree operation in flight, the environment stopped): a
 *   waiter whose charge fits the truly outstanding charges is a "stuck
 *   waiter", since nothing will wake it — the form the random and BFS engines
 *   check. And as an eventually-property for the liveness engine: the
 *   obligation of each allocator is "in K5 with a charge that fits", which
 *   must end (it succeeds, or another charge takes the room first) on every
 *   weakly fair run once the environment (requests, frees, sets, pressure)
 *   stops. "Fits" reads the truly outstanding charges, as the quiescent form
 *   does, so V3-never's inflated usage does not hide a starved waiter.
 * - setter-result (issue 15's mutation run: R5 judges only that the tree's
 *   sums agree, so a setter writing the wrong size went unjudged): when a
 *   set, swapon or swapoff returns, its result is one the spec names, and a
 *   success left r as asked — pages and limit from the value recorded at the
 *   event (the pages setter: value pages, value·PAGE units; the kmalloc
 *   setter: the 2009 estimate of value, by estimate-oracle.ts, and value
 *   units), connected after swapon, detached after swapoff; a failed swapon
 *   leaves r detached.
 * - L2's "all users stay within their reserves": every emergency user has a
 *   reserve, charges are within the limits, pool use is within root.pages, and
 *   pages held by regular objects and other users leave root.pages free.
 */
import type { Property, Transition } from '../contract.js';
import { adjustedMark } from '../kernel/allocator.js';
import { PAGE_KB } from './config.js';
import type { ReserveFlags } from './rules.js';
import { chargeFor, holdsCharge, pageOf, pagesHeld, reachesRoot, regularFlags, reserveOf, roomFor } from './accounting-oracle.js';
import { BYTES, UNITS7 } from './estimate.js';
import { estimate2009 } from './estimate-oracle.js';
import type { NodeId, ReserveAction, ReserveConfig, ReserveState } from './state.js';

type T = Transition<ReserveState, ReserveAction>;
const NODES: readonly NodeId[] = ['root', 'r'];
/** Steps of an ADD frame (the ones that can touch root). */
const ADD_STEPS: readonly string[] = ['A1', 'A2', 'ADJ1', 'ADJ3', 'ADJ4', 'A2u', 'A3'];

/**
 * What R2 says usage should be: charges of outstanding emergency objects on
 * `node` plus charges held by contexts, each charge computed by the oracle
 * from the object's cache (the slab it sits in), not read from the model's
 * own record of what it charged (`charged`).
 */
export function trueUsage(s: ReserveState, node: NodeId, c: ReserveConfig, f: ReserveFlags): number {
  let u = 0;
  for (const o of s.objs) if (o.emerg && o.res === node) u += chargeFor(o.cache) * o.n;
  for (const a of c.allocators) {
    const x = s.ctx[a.id];
    if (x && reserveOf(a, f) === node && holdsCharge(a, x, f)) u += chargeFor(x.cache);
  }
  return u;
}

/** The pool the tree asks for, in pages (var_free_kbytes of one lowmem zone). */
function poolTarget(s: ReserveState): number {
  return Math.floor(s.varFreeKb / PAGE_KB);
}

/** The allocator context an action belongs to, if it is a K step. */
function kStep(a: ReserveAction | undefined): (ReserveAction & { ctx: string }) | undefined {
  return a && (a.type === 'alloc' || /^K\d$/.test(a.type)) && 'ctx' in a ? (a as ReserveAction & { ctx: string }) : undefined;
}

/**
 * "All users stay within their reserves" (L2): every emergency user has a
 * reserve (W4's r = null does not), charges are within the limits, pool use
 * within root.pages, and the other users leave the pool's pages free.
 */
export function withinReserves(s: ReserveState, c: ReserveConfig, f: ReserveFlags): boolean {
  if (s.objs.some((o) => o.emerg && o.res === null)) return false;
  if (c.allocators.some((a) => a.entitled && reserveOf(a, f) === null && s.ctx[a.id]?.pc !== 'idle')) return false;
  for (const n of NODES) if (trueUsage(s, n, c, f) > s.nodes[n].limit) return false;
  if (pagesHeld(s.objs, true, pageOf(c)) > s.nodes.root.pages) return false;
  return c.free - pagesHeld(s.objs, false, pageOf(c)) - s.others >= s.nodes.root.pages;
}

/** All properties of the reserve model for one configuration and variant. */
export function reserveProperties(c: ReserveConfig, f: ReserveFlags): Property<ReserveState, ReserveAction>[] {
  const spec = (id: string) => c.allocators.find((a) => a.id === id);
  const props: Property<ReserveState, ReserveAction>[] = [
    {
      kind: 'always',
      name: 'R1',
      doc: 'usage ≥ 0; a positive charge succeeds only if usage + c ≤ limit',
      check: (t) => {
        for (const n of NODES) if (t.next.nodes[n].usage < 0) return `usage of ${n} is ${t.next.nodes[n].usage}`;
        if (!t.prev) return undefined;
        // the charge is the counter's own change in this step (only CHARGE raises usage)
        for (const n of NODES) {
          const { usage, limit } = t.prev.nodes[n];
          const amount = t.next.nodes[n].usage - usage;
          if (amount > 0 && usage + amount > limit) return `${t.action?.type ?? '?'} charged ${amount} on ${n} with usage ${usage}, limit ${limit}`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'zone-pages',
      doc: 'every page of the zone is free, held by other users, or a slab page (regular or pool) of the outstanding objects, packed per cache by the oracle',
      check: ({ next: s }) => {
        const slab = pagesHeld(s.objs, false, pageOf(c)) + pagesHeld(s.objs, true, pageOf(c));
        const total = s.zone.free + s.others + slab;
        return total === c.free ? undefined : `${s.zone.free} free + ${s.others} other users' + ${slab} slab pages = ${total}, not the zone's ${c.free}`;
      },
    },
    {
      kind: 'always',
      name: 'R2',
      doc: 'usage(r) = charges of outstanding emergency objects on r + charges held by contexts between K3/K5 and K6/K7',
      check: ({ next: s }) => {
        for (const n of NODES) {
          const want = trueUsage(s, n, c, f);
          if (s.nodes[n].usage !== want) return `usage of ${n} is ${s.nodes[n].usage} but its outstanding charges sum to ${want}`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'R3',
      doc: 'a K7 that takes a pool page while every node\'s charges are within its limit leaves the pool pages held ≤ root.pages',
      check: (t) => {
        if (t.action?.type !== 'K7' || !t.prev) return undefined;
        const before = pagesHeld(t.prev.objs, true, pageOf(c));
        const after = pagesHeld(t.next.objs, true, pageOf(c));
        if (after <= before || after <= t.next.nodes.root.pages) return undefined;
        // a shrink below what is charged is over-subscription the setters allow; no new charge gets in until it drains
        if (NODES.some((n) => trueUsage(t.next, n, c, f) > t.next.nodes[n].limit)) return undefined;
        return `K7 took a pool page: ${after} pool pages held, root.pages ${t.next.nodes.root.pages}, charges within the limits`;
      },
    },
    {
      kind: 'always',
      name: 'R4',
      doc: 'an allocation by a non-entitled context never leaves free below m_adj + emerg',
      check: (t) => {
        const a = kStep(t.action);
        const sp = a ? spec(a.ctx) : undefined;
        if (!a || !sp || sp.entitled || !t.prev || t.next.zone.free >= t.prev.zone.free) return undefined;
        const floor = adjustedMark(c.min, regularFlags(sp)) + poolTarget(t.next);
        return t.next.zone.free >= floor ? undefined : `${a.ctx} (not entitled) left ${t.next.zone.free} free pages, below m_adj + emerg = ${floor}`;
      },
    },
    {
      kind: 'always',
      name: 'R5',
      doc: 'tree sums (pages, limit) and root.pages = var_free_kbytes pages when no tree operation is in flight; detached subtrees never change root',
      check: (t) => {
        const s = t.next;
        const a = t.action;
        if (a && t.prev && 'ctx' in a && t.prev.tree[a.ctx] !== undefined) {
          const op = t.prev.tree[a.ctx];
          if (op && ADD_STEPS.includes(op.pc) && !reachesRoot(t.prev.nodes, op.target)) {
            const p = t.prev;
            if (p.nodes.root.pages !== s.nodes.root.pages || p.nodes.root.limit !== s.nodes.root.limit || p.varFreeKb !== s.varFreeKb)
              return `${a.ctx} at ${a.type} on detached ${op.target} changed root (pages ${p.nodes.root.pages}→${s.nodes.root.pages}, var_free_kbytes ${p.varFreeKb}→${s.varFreeKb})`;
          }
        }
        if (Object.values(s.tree).some((op) => op.pc !== 'idle')) return undefined;
        for (const n of NODES) {
          const node = s.nodes[n];
          const kids = NODES.filter((k) => s.nodes[k].parent === n);
          const pages = node.own + kids.reduce((x, k) => x + s.nodes[k].pages, 0);
          const limit = node.ownLimit + kids.reduce((x, k) => x + s.nodes[k].limit, 0);
          if (node.pages !== pages) return `${n}.pages = ${node.pages}, but own + children = ${pages}`;
          if (node.limit !== limit) return `${n}.limit = ${node.limit}, but own + children = ${limit}`;
        }
        if (s.nodes.root.pages * PAGE_KB !== s.varFreeKb) return `root.pages = ${s.nodes.root.pages} but var_free_kbytes = ${s.varFreeKb} (${s.varFreeKb / PAGE_KB} pages)`;
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'setter-result',
      doc: 'a returning set/swapon/swapoff gives a result the spec names; on success r has the pages and limit asked for and is linked (swapon) or unlinked (swapoff)',
      check: (t) => {
        const a = t.action;
        if (!a || !t.prev || !('ctx' in a)) return undefined;
        const op = t.prev.tree[a.ctx];
        const after = t.next.tree[a.ctx];
        if (!op || !after || op.pc === 'idle' || after.pc !== 'idle') return undefined;
        const r = t.next.nodes.r;
        const allowed = op.kind === 'swapon' ? ['ok', 'ENOMEM', 'EEXIST'] : ['ok', 'ENOMEM'];
        if (after.result === null || !allowed.includes(after.result)) return `${op.kind} by ${a.ctx} returned ${String(after.result)}`;
        if (op.kind === 'swapoff') return after.result === 'ok' && r.parent !== null ? 'swapoff returned ok with r still linked' : undefined;
        if (op.kind === 'swapon' && after.result === 'ENOMEM' && r.parent !== null) return 'swapon failed with r left linked';
        if (op.kind === 'swapon' && after.result !== 'ENOMEM' && r.parent === null) return `swapon returned ${after.result} with r unlinked`;
        if (after.result !== 'ok') return undefined;
        const page = pageOf(c);
        const want = c.setKind === 'kmalloc' ? { pages: estimate2009(c.units === 'bytes' ? BYTES : UNITS7, op.value), limit: op.value } : { pages: op.value, limit: op.value * page };
        if (r.own !== want.pages || r.ownLimit !== want.limit) return `${op.kind} of ${op.value} (${c.setKind} setter) left r with ${r.own} pages, limit ${r.ownLimit}; asked for ${want.pages} pages, limit ${want.limit}`;
        return undefined;
      },
    },
    {
      kind: 'quiescent',
      name: 'L1',
      category: 'liveness',
      doc: 'a K5 waiter whose charge fits is eventually woken and succeeds: at quiescence no waiter sleeps with usage + c ≤ limit',
      check: ({ next: s }) => {
        for (const a of c.allocators) {
          const x = s.ctx[a.id];
          const r = reserveOf(a, f);
          if (!x || x.pc !== 'K5' || !x.asleep || r === null) continue;
          const amount = x.amount;
          const held = trueUsage(s, r, c, f);
          const { usage, limit } = s.nodes[r];
          if (held + amount <= limit)
            return `stuck waiter: ${a.id} sleeps in K5 for a charge of ${amount} on ${r} (usage ${usage}, truly charged ${held}, limit ${limit}) and nothing will wake it`;
        }
        return undefined;
      },
    },
    {
      kind: 'eventually',
      name: 'L1',
      doc: 'a K5 waiter whose charge fits (truly charged + c ≤ limit) eventually leaves K5 or stops fitting (lasso check under weak fairness)',
      pending: (s) => {
        const out: string[] = [];
        for (const a of c.allocators) {
          const x = s.ctx[a.id];
          const r = reserveOf(a, f);
          if (x && x.pc === 'K5' && r !== null && trueUsage(s, r, c, f) + x.amount <= s.nodes[r].limit) out.push(a.id);
        }
        return out;
      },
    },
    {
      kind: 'always',
      name: 'L2',
      category: 'liveness',
      doc: 'while all users stay within their reserves, an entitled K7 never finds the zone empty',
      check: (t) => {
        if (t.action?.type !== 'K7' || !t.prev) return undefined;
        const x = t.prev.ctx[t.action.ctx];
        if (!x) return undefined;
        const cache = x.cache;
        const needsPage = !roomFor(t.prev.objs, cache, true, pageOf(c)) && !roomFor(t.prev.objs, cache, false, pageOf(c));
        if (!needsPage || t.prev.zone.free > 0 || !withinReserves(t.prev, c, f)) return undefined;
        return `${t.action.ctx}'s K7 found the zone empty while every user stayed within its reserve`;
      },
    },
    {
      kind: 'sometimes',
      name: 'woken-by-free',
      doc: 'a K5 waiter was woken by a free',
      check: (t) =>
        t.action?.type === 'F' && t.prev !== undefined && Object.entries(t.prev.ctx).some(([id, x]) => x.pc === 'K5' && x.asleep && t.next.ctx[id]?.asleep === false),
    },
    {
      kind: 'sometimes',
      name: 'pool-served',
      doc: 'an emergency allocation was served from the pool',
      check: (t) => t.action?.type === 'K7' && t.prev !== undefined && pagesHeld(t.next.objs, true, pageOf(c)) > pagesHeld(t.prev.objs, true, pageOf(c)),
    },
  ];
  if (c.sets > 0)
    props.push({
      kind: 'sometimes',
      name: 'set-changed-root',
      doc: "a set changed the root's pages",
      check: (t) => {
        const a = t.action;
        if (a?.type !== 'A3' || !t.prev) return false;
        const op = t.prev.tree[a.ctx];
        return op !== undefined && op.kind === 'set' && t.prev.nodes.root.pages !== op.old;
      },
    });
  return props;
}
