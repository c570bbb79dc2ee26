/**
 * Properties of spec 01 §5 (P1–P7, with P3+) and the *sometimes* witnesses
 * that make a passing run meaningful.
 *
 * P3 needs to know that a user write's E2 completed: the ghost `manual` of
 * the namespace (set when the write returns, cleared by an auto re-enable),
 * and which step was another user write: the ghost `stored`. P1 and P5
 * find recomputes by the ghost `wrote` the step recorded, not by the
 * action's label; so does the witness walk-during-create.
 * P7 needs to know whether a full MEMCHANGED walk entered after the last
 * change of L has completed: the ghost `memStale` and each such walk's
 * `fresh` flag. P7 is a progress property, checked twice under its name: at
 * quiescence (for the engines that see one finite run), and as an
 * eventually-property ("the ghost memStale is eventually cleared") on
 * lassos by the liveness engine, where the keventd worker and the other
 * contexts are weakly fair and §4's events eventually stop.
 */
import type { Property, Transition } from '../contract.js';
import { chainIds, hasCycle, type NotifierChain } from '../kernel/notifier.js';
import { heldBy, waitingOn } from '../kernel/state.js';
import { IPCNS_MEMCHANGED } from './formula.js';
import { allowedRange, expectedMsgmni } from './formula-oracle.js';
import { LOCKS, NS_IDS, quiescent, WORK, writerNs, type MsgmniAction, type MsgmniConfig, type MsgmniFlags, type MsgmniState, type NsId } from './state.js';

type T = Transition<MsgmniState, MsgmniAction>;

/** Ids a walk from the head reaches through the links, including links to blocks no longer in the table (freed). */
function linkedIds(c: NotifierChain): { ids: string[]; dangling: string | null } {
  const ids = chainIds(c);
  const last = ids.length ? c.blocks.find((b) => b.id === ids[ids.length - 1]) : undefined;
  const next = ids.length === 0 ? c.head : (last?.next ?? null);
  const dangling = next !== null && !ids.includes(next) && !c.blocks.some((b) => b.id === next) ? next : null;
  return { ids, dangling };
}

/** The recompute the step `t` wrote (the ghost `wrote`), with the ns's value after it and whether the ns was alive before it. */
function rcWrite(t: T): { ns: NsId; n: number; value: number; alive: boolean } | undefined {
  const w = t.next.wrote;
  const before = t.prev?.ns[w?.ns ?? 'init'];
  const after = t.next.ns[w?.ns ?? 'init'];
  if (!w || !before || !after) return undefined;
  return { ns: w.ns, n: w.n, value: after.msgmni, alive: before.alive };
}

const walkEnds = (t: T, ctx: 'K' | 'H'): boolean => t.prev?.ctxs[ctx] !== undefined && t.next.ctxs[ctx] === undefined;

/** All properties of the msgmni model for one configuration and variant. */
export function msgmniProperties(c: MsgmniConfig, f: MsgmniFlags): Property<MsgmniState, MsgmniAction>[] {
  // the spec's f for lowmem L and the alive namespaces (not the model's formula nor its nr_ipc_ns counter)
  const want = (s: MsgmniState): number => expectedMsgmni(c.formula, s.L, aliveCount(s));
  const props: Property<MsgmniState, MsgmniAction>[] = [
    {
      kind: 'always',
      name: 'P1',
      doc: 'every value RC produces lies in [min(lo, hi/n), max(lo, hi/n)] for the n it read',
      check: (t) => {
        const w = rcWrite(t);
        if (!w) return undefined;
        const [lo, hi] = allowedRange(c.formula, w.n);
        return w.value >= lo && w.value <= hi ? undefined : `RC wrote ${w.value} into ${w.ns}, outside [${lo}, ${hi}] for n = ${w.n}`;
      },
    },
    {
      kind: 'quiescent',
      name: 'P2',
      doc: 'at quiescence every alive ns with auto = 1 has msgmni = f(L, nr_ipc_ns)',
      check: ({ next: s }) => {
        const f = want(s);
        for (const id of NS_IDS) {
          const ns = s.ns[id];
          if (ns?.alive && ns.auto === 1 && ns.msgmni !== f) return `${id} has msgmni ${ns.msgmni}, f(L=${s.L}, n=${aliveCount(s)}) = ${f}`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'P3',
      doc: 'after E2 of a write completed and until an auto re-enable, only another user write changes that ns\'s msgmni',
      check: (t) => {
        if (!t.prev) return undefined;
        // another user write: a step that stored the written value (the ghost `stored`)
        const stored = t.next.stored;
        for (const id of NS_IDS) {
          const before = t.prev.ns[id];
          const after = t.next.ns[id];
          if (before?.manual && after?.manual && before.msgmni !== after.msgmni && !(id === stored?.ns && after.msgmni === stored.v))
            return `${id}'s hand-set msgmni ${before.msgmni} became ${after.msgmni} at ${t.action?.type}${t.action && 'ctx' in t.action ? ` by ${t.action.ctx}` : ''}`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'P3+',
      doc: 'the value left in msgmni when a manual write returns is the value written',
      check: (t) => {
        const w = t.prev?.ctxs.E;
        if (!w || w.kind !== 'E' || t.next.ctxs.E !== undefined || w.reenable) return undefined;
        const got = t.next.ns[w.ns]?.msgmni;
        return got === w.v ? undefined : `the write of ${w.v} to ${w.ns}'s msgmni returned leaving ${got}`;
      },
    },
    {
      kind: 'always',
      name: 'P4',
      doc: 'the chain has no duplicates and no freed ns; at quiescence it is {alive ∧ auto = 1} and nr_ipc_ns counts the alive ns',
      check: ({ next: s }) => {
        const c = s.ipcns;
        if (hasCycle(c)) return `the ipcns chain links a block twice: ${chainIds(c).join(' → ')} → …`;
        const { ids, dangling } = linkedIds(c);
        if (dangling !== null) return `the ipcns chain links the freed ${dangling}`;
        const freed = ids.find((id) => !s.ns[id as NsId]?.alive);
        if (freed !== undefined) return `the ipcns chain links the freed ${freed}`;
        if (!quiescent(s)) return undefined;
        const want = NS_IDS.filter((id) => s.ns[id]?.alive && s.ns[id]?.auto === 1);
        if ([...ids].sort().join() !== [...want].sort().join()) return `at quiescence the ipcns chain is [${ids.join(', ')}] but alive ∧ auto = 1 is {${want.join(', ')}}`;
        const alive = NS_IDS.filter((id) => s.ns[id]?.alive).length;
        return s.nr === alive ? undefined : `at quiescence nr_ipc_ns = ${s.nr} with ${alive} alive namespaces`;
      },
    },
    {
      kind: 'always',
      name: 'P5',
      doc: 'RC2 never writes a freed ns',
      check: (t) => {
        const w = rcWrite(t);
        return w && !w.alive ? `RC wrote msgmni of the freed ${w.ns}` : undefined;
      },
    },
    {
      kind: 'always',
      name: 'P6',
      doc: 'H never waits on the ipcns chain rwsem while holding the memory-chain rwsem',
      check: ({ next: s }) =>
        waitingOn(s.k, 'H') === LOCKS.ipcns && heldBy(s.k, 'H').includes(LOCKS.memory)
          ? `H waits for ${LOCKS.ipcns} (held by ${holders(s)}) inside the memory-chain walk, holding ${LOCKS.memory}`
          : undefined,
    },
    {
      kind: 'quiescent',
      name: 'P7',
      category: 'liveness',
      doc: 'after a change of L, a full MEMCHANGED walk entered after it has completed (checked at quiescence)',
      check: ({ next: s }) => (s.memStale ? `L changed to ${s.L} and no IPCNS_MEMCHANGED walk entered after the change completed` : undefined),
    },
    {
      kind: 'eventually',
      name: 'P7',
      doc: 'after a change of L, a full MEMCHANGED walk entered after it eventually completes (lasso check under weak fairness)',
      pending: (s) => (s.memStale ? ['walk'] : []),
    },
  ];
  // coalescing needs a second memory event while the first one's work is pending
  if (c.memEvents > 1 && !f.notifyUnderMemoryChain)
    props.push({
      kind: 'sometimes',
      name: 'work-coalesced',
      doc: 'a memory event found the work item already pending',
      // H1 is H's last step: H's callback returned while the work was pending
      check: (t) => t.prev?.ctxs.H !== undefined && t.next.ctxs.H === undefined && t.prev.wq.items[WORK]?.pending === true,
    });
  if (c.memEvents > 0 && c.creates > 0)
    props.push({
      kind: 'sometimes',
      name: 'walk-during-create',
      doc: 'a MEMCHANGED walk recomputed a ns while a creation was in flight',
      check: (t) => {
        const by = t.next.wrote?.by;
        if (by !== 'K' && by !== 'H') return false;
        const x = t.prev?.ctxs[by];
        const memWalk = x !== undefined && (x.kind === 'K' || x.kind === 'H') && x.walk?.call.val === IPCNS_MEMCHANGED;
        return memWalk && Object.keys(t.prev?.ctxs ?? {}).some((n) => n.startsWith('C:'));
      },
    });
  if (c.memEvents > 0 && c.manualWrites > 0)
    props.push({
      kind: 'sometimes',
      name: 'manual-survives-hotplug',
      doc: 'a MEMCHANGED walk completed and init kept a hand-set value that f would have changed',
      check: (t) => {
        if (!walkEnds(t, f.notifyUnderMemoryChain ? 'H' : 'K')) return false;
        const ns = t.next.ns[writerNs(c)];
        return ns !== undefined && ns.manual && ns.msgmni !== want(t.next);
      },
    });
  // a re-enable needs auto = 0 first: a manual write, or an earlier auto write of 0 (a second write)
  if (c.autoWrites > 0 && c.autoValues.includes(1) && (c.manualWrites > 0 || (c.autoValues.includes(0) && c.autoWrites * c.autoWriters >= 2)))
    props.push({
      kind: 'sometimes',
      name: 'auto-reenabled',
      doc: 'an auto_msgmni write of 1 re-registered init',
      check: (t) => t.action?.type === 'A3' && 'part' in t.action && t.action.part === 'register' && t.next.ns[writerNs(c)]?.auto === 1,
    });
  if (c.destroys > 0)
    props.push({
      kind: 'sometimes',
      name: 'ns-destroyed',
      doc: 'a namespace destruction ran to its end',
      check: (t) => Object.keys(t.prev?.ctxs ?? {}).some((n) => n.startsWith('D:') && t.next.ctxs[n] === undefined),
    });
  return props;
}

/** Namespaces not yet freed: the count nr_ipc_ns should hold. */
function aliveCount(s: MsgmniState): number {
  return NS_IDS.filter((id) => s.ns[id]?.alive).length;
}

function holders(s: MsgmniState): string {
  const l = s.k.locks[LOCKS.ipcns];
  if (l?.kind !== 'rwsem') return '?';
  const ahead = l.waiters.slice(0, Math.max(0, l.waiters.findIndex((w) => w.ctx === 'H'))).map((w) => `${w.ctx} (${w.mode})`);
  return l.writer ?? (l.readers.length ? l.readers.join('+') : `nobody; queued behind ${ahead.join(', ')}`);
}
