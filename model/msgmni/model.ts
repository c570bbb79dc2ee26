/**
 * msgmni scaled to lowmem and to the number of IPC namespaces (spec 01, seed
 * 000): every namespace's `msg_ctlmni` is recomputed through the ipcns
 * notifier chain when memory is hot-added/removed (memory-chain callback →
 * coalescing work item → ipcns walk) and when a namespace is created or
 * destroyed; a value set by hand unregisters the namespace from the chain.
 *
 * Contexts (spec 01 §3): H the hotplug task inside the memory-chain walk, K
 * the keventd worker, C creators, D destroyers, E the msgmni writer, A (and
 * A' for W4's v2.6.27 form) the auto_msgmni writers. Both chains are blocking
 * notifier chains with their rwsem (kernel/notifier.ts), the work item is
 * kernel/workqueue.ts's.
 *
 * Decisions where the spec leaves room:
 * - Memory events take spec 01 §4's form: `online(k)`/`offline(k)` change L
 *   and enter the MEM_ONLINE/MEM_OFFLINE walk of the memory chain in one
 *   step (its down_read never waits: nothing registers on that chain after
 *   boot, so the chain itself is a constant outside the state). The GOING_* /
 *   CANCEL_* walks (no-ops for the only callback) and hotplug.ts's offline
 *   sequence (isolation, migration, flush) are not modelled: they touch
 *   neither L, the ipcns chain nor the work item. One memory block, so events
 *   never overlap (state_mutex). The memory chain holds only the IPC block
 *   (priority 10), so in the reference H1 and the up_read are one step.
 * - Steps are merged where no other context can tell (Lipton): a lock
 *   acquisition is taken in the step of the next shared access, a release
 *   in the step of the last one. So a walk's down_read rides on its first
 *   recompute and its up_read on its last (`part` lists the spec steps an
 *   action covers, e.g. `K2/K3/K4`); a writer's mutex_lock rides on its
 *   first step; A1–A3 ride on the mutex step when the handlers are
 *   serialized (only mutex holders touch init's auto_msgmni); D2 (kfree)
 *   rides on D1 (no walk can reach an unlinked block: D1's down_write waited
 *   for them). Every other numbered step of §3 is its own action.
 * - An environment event takes its context's first step: `create` is C1
 *   (the ns is allocated there), `destroy` attempts D1, a write attempts its
 *   first step.
 * - The sysctl writers write the files of the ns their task lives in:
 *   init by default, ns1 with `writerNs: 'ns1'` (family member
 *   `writers-in-created-ns`; issue 15 found the writers flattened onto init,
 *   so no bug could show on a created ns). Such a task's reference keeps D
 *   from starting while it writes, and it can write only once C is done.
 *   The symmetry of ns1 and ns2 is then off (a writer tells them apart).
 * - Fidelity kept (issue 15 review): one memory block, so online/offline
 *   alternate and never overlap (state_mutex serializes them in the kernel);
 *   the scaled constants keep the kernel's order of clamps, and the kernel
 *   form runs in the family on both sides of both clamps; all sysctl writers
 *   share one ns (a writer per ns would add nothing a walk cannot already
 *   interleave, at twice the states).
 *
 * What each property reads (issue 15: no property calls the model's own
 * formula or trusts a flag the mechanism keeps for itself):
 * - P1: the values an RC step read (RC1's locals kept in the context, or the
 *   L and nr before an atomic RC, as the variant reads them: n = 1 for V4)
 *   and the value it wrote; the range comes from formula-oracle.ts, the spec's
 *   clamps written apart from formula.ts.
 * - P2: L, each ns's msgmni / auto / alive, and n = the number of alive
 *   namespaces (not the nr_ipc_ns counter the mechanism maintains); f from
 *   formula-oracle.ts.
 * - P3: the ghost `manual` (set where a manual write returns, cleared by an
 *   auto re-enable; no step reads it), msgmni, and the value the writer
 *   context carries.
 * - P3+: the writer context (its ns and value) and that ns's msgmni.
 * - P4: the chain's links and blocks, alive / auto, nr_ipc_ns against the
 *   count of alive namespaces.
 * - P5: the ns an RC step wrote and its `alive`.
 * - P6: the kernel slice's rwsem holders and waiters.
 * - P7: the ghost `memStale` (set by a memory event, cleared when a walk
 *   entered after it completes; no step reads it) and the walks' ghost `fresh`.
 * - `auto := 0` / `auto := 1` only when (un)registration returns 0, as
 *   `unregister_ipcns_notifier` / `cond_register_ipcns_notifier` do; the
 *   spec's "auto := 0" is unconditional. They differ only once the chain is
 *   already damaged (a cut-off block's unregister returns -ENOENT).
 * - `reference` is v2.6.27 with these fixes. W1: RC is one atomic step. W2:
 *   register before notify, in C (C4 before C3) and in the auto re-enable
 *   (cond-register before RC: with the merged order a walk between RC and
 *   the register misses the ns, the same weakness; `W2` reverts both).
 *   W3: E2 (unregister) before E1 (store). W4, for which the spec names no
 *   fix: the two sysctl handlers of init are serialized by a mutex
 *   (`sysctl_mutex`, ours). Without it §7 already fails P2/P4 with one
 *   manual and one auto writer (a manual store after an auto re-enable
 *   leaves auto = 1 with a hand value; an A1 read before E2 leaves auto = 1
 *   unlinked), and two auto writers fail P4 even without the zeroing
 *   (`W4-27` shows both). cond_register's memset stays outside the lock, as
 *   merged: serialized, it never hits a linked block.
 * - V1 breaks P2 as well as P3: a hand value that stays automatic is off f
 *   at quiescence until the next walk overwrites it.
 * - V4: RC does not read `nr_ipc_ns` (n = 1), so P1 holds for the n it read
 *   and only P2 fails, as the spec says.
 * - V5: H1 is one atomic step (§6), so the test of work_pending and
 *   schedule_work's own test-and-set cannot be told apart: V5's state space
 *   is the reference's.
 * - W4-26 is reference with v2.6.26's negative-write path (patch 8): a
 *   negative value is stored, re-read, and (if still negative) re-enables via
 *   memset outside the lock + cond-register + RC; non-negative writes keep
 *   the W3 fix. memset and the callback store are one step (the null-callback
 *   window is not modelled).
 * - Spec §6b says W4's 0-writer "re-reads 1 at A3 and does nothing"; with
 *   old = 0 a re-read 1 differs, so it takes the re-enable path too: both
 *   writers re-enable, the second zeroes the linked block.
 * - Liveness (P7 as an eventually-property, properties.ts): §4's events
 *   (memory events, create, destroy, the sysctl writes) are the
 *   environment, which eventually stops; every step with a context is fair.
 *   `view` only leaves out constant chain fields, so it is the liveness key.
 * - V6 (one memory-chain block per namespace) is a design of RFC v1, a
 *   P6-class concern with no safety behaviour: not a variant.
 * - v2.6.26's negative value visible between E1 and RC is not a P1 failure:
 *   P1 is about values RC produces.
 * - The exhaustive configuration is §7 with one created namespace instead of
 *   two (config.ts `SMALL`); §7 as written (`SPEC_SMALL`) is far larger (see
 *   config.ts). Two concurrent creators are explored in W2's configuration.
 */
import fc from 'fast-check';
import type { Draft } from 'immer';
import { produce } from '../kernel/immer.js';
import { match, P } from 'ts-pattern';
import type { Machine, ModelDef, Property, StepInfo } from '../contract.js';
import { erase } from '../contract.js';
import { atomicDec, atomicInc } from '../kernel/atomic.js';
import { IPC_CALLBACK_PRI, MEM_OFFLINE, MEM_ONLINE } from '../kernel/hotplug.js';
import { canProceed, mutexLock, mutexUnlock } from '../kernel/locks.js';
import {
  NOTIFY_OK,
  callBegin,
  callEnter,
  callExit,
  callNext,
  callReturn,
  freeBlock,
  lockedConditionalRegister,
  type NotifierChain,
  lockedRegister,
  lockedUnregister,
  notifierChain,
  resetBlock,
} from '../kernel/notifier.js';
import { kernelState, waitingOn, type KernelState, type LockState } from '../kernel/state.js';
import { scheduleWork, workPending, workerDequeue, workerFinish, workerState, workqueue } from '../kernel/workqueue.js';
import { around, FOCUS, MSGMNI_FAMILY, msgmniRandomConfig, parseMsgmniConfig, SMALL, TWO_CREATORS, TWO_WRITERS } from './config.js';
import { formula, IPCNS_CALLBACK_PRI, IPCNS_CREATED, IPCNS_MEMCHANGED, IPCNS_REMOVED, type FormulaConstants } from './formula.js';
import { msgmniProperties } from './properties.js';
import {
  constantsOf,
  CREATED_IDS,
  writerNs,
  NS_IDS,
  CTX_ORDER,
  LOCKS,
  quiescent,
  readLocals,
  WORK,
  type MsgmniFlags,
  type AutoWriter,
  type Ctx,
  type MsgmniAction,
  type MsgmniConfig,
  type MsgmniState,
  type NsId,
  type RcLocals,
  type StepType,
  type Walk,
  type WCtx,
  type WriterPc,
} from './state.js';

/** Auto writer names. */
export const AUTO_WRITERS: readonly AutoWriter[] = ['A', "A'"];
/** Every sysctl writer's context name. */
const WRITERS: readonly string[] = ['E', ...AUTO_WRITERS];

export type { MsgmniFlags };

const NONE: MsgmniFlags = {
  noUnregisterOnWrite: false,
  notifyUnderMemoryChain: false,
  noCreateRemoveWalks: false,
  noDivision: false,
  noWorkPendingTest: false,
  rcSplit: false,
  registerAfterNotify: false,
  storeBeforeUnregister: false,
  negativeReenables: false,
  unserializedSysctl: false,
};

/** Flags of every variant. */
export const FLAGS: Readonly<Record<string, MsgmniFlags>> = {
  reference: NONE,
  V1: { ...NONE, noUnregisterOnWrite: true },
  V2: { ...NONE, notifyUnderMemoryChain: true },
  V3: { ...NONE, noCreateRemoveWalks: true },
  V4: { ...NONE, noDivision: true },
  V5: { ...NONE, noWorkPendingTest: true },
  W1: { ...NONE, rcSplit: true },
  W2: { ...NONE, registerAfterNotify: true },
  W3: { ...NONE, storeBeforeUnregister: true },
  'W4-26': { ...NONE, negativeReenables: true },
  'W4-27': { ...NONE, unserializedSysctl: true },
};

function initState(c: MsgmniConfig): MsgmniState {
  const L = c.base + (c.blockOnline ? c.block : 0);
  return {
    k: kernelState({ [LOCKS.memory]: 'rwsem', [LOCKS.ipcns]: 'rwsem', [LOCKS.sysctl]: 'mutex' }),
    L,
    blockOnline: c.blockOnline,
    nr: 1,
    ns: { init: { msgmni: formula(L, 1, constantsOf(c)), auto: 1, alive: true, manual: false } },
    // B: boot registers the IPC memory callback and init's block, without locks
    ipcns: notifierChain('ipcns', 'blocking', { lock: LOCKS.ipcns, blocks: [{ id: 'init', priority: IPCNS_CALLBACK_PRI }] }),
    wq: workqueue([WORK], 1),
    ctxs: {},
    left: { mem: c.memEvents, creates: c.creates, destroys: c.destroys, manual: c.manualWrites, auto: { A: c.autoWrites, "A'": c.autoWriters >= 2 ? c.autoWrites : 0 } },
    memStale: false,
  };
}

// ---------------------------------------------------------------- actions

/** The spec step names a walk's enter, recompute and exit steps carry. */
interface WalkNames {
  readonly enter: StepType;
  readonly body: string;
  readonly exit: StepType;
}

const K_WALK: WalkNames = { enter: 'K2', body: 'K3', exit: 'K4' };
const H_WALK: WalkNames = { enter: 'H1', body: 'H1', exit: 'H1' };
const C_WALK: WalkNames = { enter: 'C3', body: 'C3', exit: 'C3' };
const D_WALK: WalkNames = { enter: 'D4', body: 'D4', exit: 'D4' };

/** Whether `ctx`'s down_read of the ipcns chain would be granted now (no writer, nobody queued ahead). */
function readGrantable(s: MsgmniState, ctx: string): boolean {
  const l = s.k.locks[LOCKS.ipcns];
  if (l?.kind !== 'rwsem') return true;
  return l.writer === null && (l.waiters.length === 0 || l.waiters[0]?.ctx === ctx);
}

/** The block after `id` on the ipcns chain (only for the `part` text: is this the walk's last recompute?). */
function nextLink(s: MsgmniState, id: string): string | null {
  // Stryker disable next-line all: trace text: read only to compose `part` (describe's text)
  return s.ipcns.blocks.find((b) => b.id === id)?.next ?? null;
}

/**
 * The action of a walk. The down_read is taken in the step of the first
 * recompute and the up_read in the step of the last (lock acquisitions move
 * right, releases left: no other context can tell); `part` lists the spec
 * steps the action covers, e.g. `K2/K3/K4` for a one-ns chain.
 */
function walkAction(s: MsgmniState, w: Walk, ctx: string, names: WalkNames, f: MsgmniFlags): MsgmniAction {
  const call = w.call;
  let ns: string;
  // Stryker disable next-line all: trace text: `first` and `last` only compose `part`
  let first = false;
  let last: boolean;
  let type: StepType;
  if (call.stage === 'enter') {
    // a down_read that will queue is labelled as the enter step; it recomputes nothing
    if (!readGrantable(s, ctx)) return { type: names.enter, ctx, part: 'down_read' };
    if (s.ipcns.head === null) return { type: names.enter, ctx, part: 'empty' };
    ns = s.ipcns.head;
    // Stryker disable next-line all: trace text: as `first` above
    first = true;
    type = f.rcSplit ? 'RC1' : 'RC';
    // Stryker disable next-line all: trace text: as `first` above
    last = !f.rcSplit && nextLink(s, ns) === null;
  } else if (call.stage === 'walk' && call.cur !== null) {
    ns = call.cur;
    type = f.rcSplit ? 'RC1' : 'RC';
    // Stryker disable next-line all: trace text: as `first` above
    last = !f.rcSplit && nextLink(s, ns) === null;
  } else if (call.stage === 'callback' && call.calling !== null) {
    ns = call.calling;
    type = 'RC2';
    // Stryker disable next-line all: trace text: as `first` above
    last = call.cur === null;
  } else return { type: names.exit, ctx, part: 'exit' };
  // Stryker disable next-line all: trace text: a walk's `part` is read only by describe (no property, fairness or state)
  const steps = [first && names.enter !== names.body ? names.enter : '', names.body, last && names.exit !== names.body ? names.exit : ''].filter((x) => x !== '').join('/');
  // Stryker disable next-line all: trace text, as above
  const part = first || last ? steps + (first ? ' down_read' : '') + (last ? ' up_read' : '') : steps;
  return { type, ctx, ns: ns as NsId, part };
}

/** The step of a recompute of `ns` outside a walk (C2, and the re-enable paths of E2/A3). */
function rcAction(rc: RcLocals | null, ctx: string, ns: NsId, part: string, f: MsgmniFlags): MsgmniAction {
  return { type: f.rcSplit ? (rc === null ? 'RC1' : 'RC2') : 'RC', ctx, ns, part };
}

/** The step type (and part) a writer's step starting at `pc` carries; `rc` is handled by {@link rcAction}. */
function writerStep(kind: 'E' | 'A', pc: Exclude<WriterPc, 'rc'>): [StepType, string?] {
  if (kind === 'E') {
    if (pc === 'lock') return ['E0'];
    if (pc === 'E1') return ['E1'];
    if (pc === 'E2-decide') return ['E2', 'decide'];
    if (pc === 'unregister' || pc === 'zero' || pc === 'register') return ['E2', pc];
  } else {
    if (pc === 'lock') return ['A0'];
    if (pc === 'A1' || pc === 'A2') return [pc];
    if (pc === 'A3') return ['A3', 'decide'];
    if (pc === 'unregister' || pc === 'zero' || pc === 'register') return ['A3', pc];
  }
  throw new Error(`writer ${kind} at ${pc}`);
}

/** The one step context `name` may take in `s` (ignoring lock waits). */
function ctxAction(s: MsgmniState, name: string, x: Ctx, f: MsgmniFlags): MsgmniAction {
  switch (x.kind) {
    case 'H':
      if (!f.notifyUnderMemoryChain) return { type: 'H1', ctx: name };
      if (x.walk === null) {
        // V2: H1 starts the ipcns walk in the callback; its first step is the walk's
        const w: Walk = { call: callBegin('ipcns', IPCNS_MEMCHANGED), rc: null, fresh: false };
        return walkAction(s, w, name, H_WALK, f);
      }
      return walkAction(s, x.walk, name, H_WALK, f);
    case 'K':
      return walkAction(s, x.walk, name, K_WALK, f);
    case 'C':
      if (x.pc === 'C2') return rcAction(x.rc, name, x.ns, 'C2', f);
      if (x.pc === 'C3' && x.walk) return walkAction(s, x.walk, name, C_WALK, f);
      return { type: x.pc, ctx: name };
    case 'D':
      if (x.pc === 'D4' && x.walk) return walkAction(s, x.walk, name, D_WALK, f);
      return { type: x.pc, ctx: name };
    case 'E':
    case 'A': {
      if (x.pc === 'rc') return rcAction(x.rc, name, x.ns, x.kind === 'E' ? 'E2' : 'A3', f);
      const [type, part] = writerStep(x.kind, x.pc);
      return part === undefined ? { type, ctx: name } : { type, ctx: name, part };
    }
  }
}

function actions(s: MsgmniState, c: MsgmniConfig, f: MsgmniFlags): MsgmniAction[] {
  const out: MsgmniAction[] = [];
  // contexts
  for (const name of CTX_ORDER) {
    const x = s.ctxs[name];
    if (name === 'K' && !x) {
      if (workerState(s.wq) === 'dequeue') out.push({ type: 'K1', ctx: 'K' });
      continue;
    }
    if (!x) continue;
    if (waitingOn(s.k, name) !== undefined && !canProceed(s.k, name)) continue;
    out.push(ctxAction(s, name, x, f));
  }
  // environment events (§4), after the contexts: a schedule shrunk towards
  // choice 0 then finishes work in flight rather than starting new events
  if (!s.ctxs.H && s.left.mem > 0) {
    if (!s.blockOnline) out.push({ type: 'online' });
    else if (s.L > c.block) out.push({ type: 'offline' });
  }
  if (s.left.creates > 0 && CREATED_IDS.some((id) => s.ns[id] === undefined)) out.push({ type: 'create' });
  // a sysctl writer holds a reference on its ns (its task lives there): no destroy starts under it
  const target = writerNs(c);
  const writing = WRITERS.some((w) => s.ctxs[w] !== undefined);
  if (s.left.destroys > 0)
    for (const id of CREATED_IDS) if (s.ns[id]?.alive && !s.ctxs[`C:${id}`] && !s.ctxs[`D:${id}`] && !(writing && id === target)) out.push({ type: 'destroy', ns: id });
  // and a task can write its ns's files only once the ns is set up (C done) and until its destroy starts
  const open = target === 'init' || (s.ns[target]?.alive === true && !s.ctxs[`C:${target}`] && !s.ctxs[`D:${target}`]);
  if (open && s.left.manual > 0 && !s.ctxs.E) for (const v of c.manualValues) out.push({ type: 'write_msgmni', v });
  if (open) for (const w of AUTO_WRITERS) if (s.left.auto[w] > 0 && !s.ctxs[w]) for (const v of c.autoValues) out.push({ type: 'write_auto', w, v });
  return out;
}

// ---------------------------------------------------------------- steps

type D = Draft<MsgmniState>;

/**
 * The memory chain: only the IPC block (B, priority 10). Nothing registers on
 * it after boot, so it is a constant outside the state; its rwsem is in the
 * kernel slice.
 */
const MEMORY: NotifierChain = notifierChain('memory', 'blocking', { lock: LOCKS.memory, blocks: [{ id: 'ipc', priority: IPC_CALLBACK_PRI }] });
const memory = MEMORY as Draft<NotifierChain>;

function nsOf(d: D, id: NsId): Draft<MsgmniState['ns'][NsId] & object> {
  const n = d.ns[id];
  if (!n) throw new Error(`no namespace ${id}`);
  return n;
}

/** RC2 (or the write half of an atomic RC): `ns.msgmni := f(L, n)` from the locals read. */
function rcWrite(d: D, id: NsId, r: RcLocals, k: FormulaConstants): void {
  nsOf(d, id).msgmni = formula(r.L, r.n, k);
}

/** A mutable copy of the kernel slice (fault records are never modified, so they are shared). */
function plainKernel(k: KernelState): Draft<KernelState> {
  const locks: Record<string, LockState> = {};
  for (const [name, l] of Object.entries(k.locks)) {
    locks[name] =
      l.kind === 'rwsem'
        ? { kind: 'rwsem', readers: [...l.readers], writer: l.writer, waiters: l.waiters.map((w) => ({ ctx: w.ctx, mode: w.mode })) }
        : l.kind === 'mutex'
          ? { kind: 'mutex', count: l.count, owner: l.owner, waiters: [...l.waiters], corrupt: l.corrupt }
          : { kind: 'spin', owner: l.owner, waiters: [...l.waiters] };
  }
  return { locks, faults: [...k.faults] } as Draft<KernelState>;
}

function freezeKernel(k: Draft<KernelState>): void {
  for (const l of Object.values(k.locks)) {
    Object.freeze(l.waiters);
    if (l.kind === 'rwsem') Object.freeze(l.readers);
    Object.freeze(l);
  }
  Object.freeze(k.locks);
  Object.freeze(k.faults);
  Object.freeze(k);
}

/** A memory event: L changes, every MEMCHANGED walk in flight is no longer fresh (P7 ghost). */
function lChanged(d: D): void {
  d.memStale = true;
  for (const x of Object.values(d.ctxs)) {
    const w = x.kind === 'H' || x.kind === 'K' ? x.walk : null;
    if (w) w.fresh = false;
  }
}

/**
 * One step of a walk of the ipcns chain: [down_read +] one recompute step
 * [+ up_read]. Returns `waiting` (queued on the rwsem), `stepped`, or
 * `finished` (the lock is released, or the chain was empty).
 */
function walkStep(d: D, ctx: string, w: Draft<Walk>, k: FormulaConstants, f: MsgmniFlags): 'waiting' | 'stepped' | 'finished' {
  const call = w.call;
  if (call.stage === 'enter') {
    const r = callEnter(d.k, call, d.ipcns, ctx);
    if (r === 'waiting') return 'waiting';
    if (call.val === IPCNS_MEMCHANGED) w.fresh = true;
    if (r === 'empty') return 'finished';
  }
  if (call.stage === 'walk') {
    const id = callNext(call, d.ipcns) as NsId | undefined;
    if (id !== undefined) {
      if (f.rcSplit) {
        w.rc = readLocals(d, f);
        return 'stepped';
      }
      rcWrite(d, id, readLocals(d, f), k);
      callReturn(call, NOTIFY_OK); // ipcns_callback always returns NOTIFY_OK
    }
  } else if (call.stage === 'callback') {
    const id = call.calling as NsId;
    if (!w.rc) throw new Error(`${ctx}: RC2 without RC1`);
    rcWrite(d, id, w.rc, k);
    w.rc = null;
    callReturn(call, NOTIFY_OK);
  }
  if (call.stage === 'exit') callExit(d.k, call, d.ipcns, ctx);
  return call.stage === 'done' ? 'finished' : 'stepped';
}

/** A recompute outside a walk (C2, E2/A3 re-enable): true when the value is written. */
function rcStep(d: D, x: { rc: RcLocals | null }, id: NsId, k: FormulaConstants, f: MsgmniFlags): boolean {
  if (f.rcSplit && x.rc === null) {
    x.rc = readLocals(d, f);
    return false;
  }
  rcWrite(d, id, x.rc ?? readLocals(d, f), k);
  x.rc = null;
  return true;
}

function noHang<T>(r: T | 'hang', what: string): T {
  if (r === 'hang') throw new Error(`${what}: the chain walk does not end (a cycle in the ipcns chain)`);
  return r;
}

function stepH(d: D, k: FormulaConstants, f: MsgmniFlags): void {
  const h = d.ctxs.H;
  if (h?.kind !== 'H') throw new Error('H is not running');
  const finish = (): void => {
    callReturn(h.mem, NOTIFY_OK);
    if (h.mem.stage === 'exit') callExit(d.k, h.mem, memory, 'H');
    delete d.ctxs.H;
  };
  if (!f.notifyUnderMemoryChain) {
    // H1: ipc_memory_callback on MEM_ONLINE / MEM_OFFLINE, then up_read of the memory chain
    if (callNext(h.mem, memory) !== 'ipc') throw new Error('memory chain walk did not reach the IPC block');
    if (f.noWorkPendingTest || !workPending(d.wq, WORK)) scheduleWork(d.wq, WORK);
    finish();
    return;
  }
  // V2: the callback walks the ipcns chain itself, holding the memory chain's read lock
  if (h.walk === null) {
    if (callNext(h.mem, memory) !== 'ipc') throw new Error('memory chain walk did not reach the IPC block');
    h.walk = { call: callBegin('ipcns', IPCNS_MEMCHANGED), rc: null, fresh: false };
  }
  if (walkStep(d, 'H', h.walk, k, f) !== 'finished') return;
  if (h.walk.fresh) d.memStale = false;
  finish();
}

function stepK(d: D, k: FormulaConstants, f: MsgmniFlags): void {
  const x = d.ctxs.K;
  if (!x) {
    // K1: dequeue, clear pending, running
    if (workerDequeue(d.wq) !== WORK) throw new Error('worker dequeued something else');
    d.ctxs.K = { kind: 'K', walk: { call: callBegin('ipcns', IPCNS_MEMCHANGED), rc: null, fresh: false } };
    return;
  }
  if (x.kind !== 'K') throw new Error('K is not the worker');
  if (walkStep(d, 'K', x.walk, k, f) !== 'finished') return;
  // K4: released; the work function returns
  workerFinish(d.wq);
  if (x.walk.fresh) d.memStale = false;
  delete d.ctxs.K;
}

function startWalk(val: number): Walk {
  return { call: callBegin('ipcns', val), rc: null, fresh: false };
}

function stepC(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
  const x = d.ctxs[name];
  if (x?.kind !== 'C') throw new Error(`${name} is not a creator`);
  switch (x.pc) {
    case 'C2':
      if (!rcStep(d, x, x.ns, k, f)) return;
      if (f.registerAfterNotify && !f.noCreateRemoveWalks) {
        x.pc = 'C3';
        x.walk = startWalk(IPCNS_CREATED);
      } else x.pc = 'C4';
      return;
    case 'C3': {
      if (!x.walk) throw new Error(`${name} at C3 without a walk`);
      if (walkStep(d, name, x.walk, k, f) !== 'finished') return;
      x.walk = null;
      if (f.registerAfterNotify) x.pc = 'C4';
      else delete d.ctxs[name];
      return;
    }
    case 'C4': {
      // register_ipcns_notifier: memset + priority of a block never linked, then register under W
      const r = noHang(lockedRegister(d.k, d.ipcns, { id: x.ns, priority: IPCNS_CALLBACK_PRI }, name), name);
      if (r === 'waiting') return;
      if (r === 0) nsOf(d, x.ns).auto = 1;
      if (f.registerAfterNotify || f.noCreateRemoveWalks) delete d.ctxs[name];
      else {
        x.pc = 'C3';
        x.walk = startWalk(IPCNS_CREATED);
      }
      return;
    }
  }
}

function stepD(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
  const x = d.ctxs[name];
  if (x?.kind !== 'D') throw new Error(`${name} is not a destroyer`);
  const ns = nsOf(d, x.ns);
  switch (x.pc) {
    case 'D1':
    case 'D2': {
      const r = noHang(lockedUnregister(d.k, d.ipcns, x.ns, name), name);
      if (r === 'waiting') return;
      if (r === 0) ns.auto = 0;
      // D2 in the same step: no walk can reach the unlinked block (D1's down_write waited for them all)
      ns.alive = false;
      freeBlock(d.ipcns, x.ns);
      x.pc = 'D3';
      return;
    }
    case 'D3':
      d.nr = atomicDec(d.nr);
      if (f.noCreateRemoveWalks) delete d.ctxs[name];
      else {
        x.pc = 'D4';
        x.walk = startWalk(IPCNS_REMOVED);
      }
      return;
    case 'D4':
      if (!x.walk) throw new Error(`${name} at D4 without a walk`);
      if (walkStep(d, name, x.walk, k, f) === 'finished') delete d.ctxs[name];
      return;
  }
}

/** The E handler's first step after the mutex. */
function firstE(v: number, f: MsgmniFlags): WriterPc {
  if (f.noUnregisterOnWrite) return 'E1';
  if (f.negativeReenables && v < 0) return 'E1';
  return f.storeBeforeUnregister ? 'E1' : 'unregister';
}

/**
 * How a writer step commutes with other contexts (Lipton): `R` the sysctl
 * mutex acquisition (moves right), `B` A1–A3 while the handlers are
 * serialized (they touch only init's auto_msgmni, which every writer of it
 * accesses under the mutex), `N` every other step. One action runs any `R`
 * and `B` steps, at most one `N` step, then `B` steps and the final unlock.
 */
function writerClass(pc: WriterPc, f: MsgmniFlags): 'R' | 'B' | 'N' {
  if (pc === 'lock') return 'R';
  if ((pc === 'A1' || pc === 'A2' || pc === 'A3') && !f.unserializedSysctl) return 'B';
  return 'N';
}

function stepW(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
  let seenN = false;
  for (let first = true; ; first = false) {
    const x = d.ctxs[name];
    if (x === undefined) return;
    if (x.kind !== 'E' && x.kind !== 'A') throw new Error(`${name} is not a sysctl writer`);
    const cls = writerClass(x.pc, f);
    if (seenN && cls !== 'B') return;
    // a recompute is always an RC action of its own, where P1 and P5 look for it
    if (x.pc === 'rc' && !first) return;
    if (writerStep1(d, name, x, k, f) === 'waiting') return;
    if (cls === 'N') seenN = true;
  }
}

/** One spec step of a sysctl writer. */
function writerStep1(d: D, name: string, x: Draft<WCtx>, k: FormulaConstants, f: MsgmniFlags): 'waiting' | 'done' {
  const target = x.ns;
  const ns = nsOf(d, target);
  const end = (): 'done' => {
    if (x.kind === 'E' && !x.reenable) ns.manual = true; // P3 ghost: E2 of a manual write completed
    if (!f.unserializedSysctl) mutexUnlock(d.k, LOCKS.sysctl, name);
    delete d.ctxs[name];
    return 'done';
  };
  const reenable = (): 'done' => {
    x.reenable = true;
    ns.manual = false;
    // merged order: recompute, then cond-register; the W2 fix registers first
    x.pc = f.registerAfterNotify ? 'rc' : 'zero';
    return 'done';
  };
  switch (x.pc) {
    case 'lock':
      if (mutexLock(d.k, LOCKS.sysctl, name) === 'waiting') return 'waiting';
      x.pc = x.kind === 'E' ? firstE(x.v, f) : 'A1';
      return 'done';
    case 'E1':
      // proc_dointvec stores the parsed int
      ns.msgmni = x.v;
      if (f.noUnregisterOnWrite) return end();
      if (x.reenable) x.pc = 'E2-decide';
      else if (f.storeBeforeUnregister) x.pc = 'unregister';
      else return end();
      return 'done';
    case 'E2-decide':
      // v2.6.26 tunable_set_callback(*data): re-reads msgmni, not the parsed value
      if (ns.msgmni < 0) return reenable();
      // a recompute between E1 and here turned the re-enable into an unregister
      x.pc = 'unregister';
      return 'done';
    case 'unregister': {
      const r = noHang(lockedUnregister(d.k, d.ipcns, target, name), name);
      if (r === 'waiting') return 'waiting';
      if (r === 0) ns.auto = 0;
      const stored = f.storeBeforeUnregister || x.reenable;
      if (x.kind === 'E' && !stored) x.pc = 'E1';
      else return end();
      return 'done';
    }
    case 'A1':
      x.old = ns.auto;
      x.pc = 'A2';
      return 'done';
    case 'A2':
      // proc_dointvec_minmax, range [0, 1]: out of range is -EINVAL, nothing stored
      if (x.v !== 0 && x.v !== 1) return end();
      ns.auto = x.v;
      x.pc = 'A3';
      return 'done';
    case 'A3': {
      const now = ns.auto;
      if (now === x.old) return end();
      if (now === 0) {
        x.pc = 'unregister';
        return 'done';
      }
      return reenable();
    }
    case 'rc':
      if (!rcStep(d, x, target, k, f)) return 'done';
      if (f.registerAfterNotify) x.pc = 'zero';
      else return end();
      return 'done';
    case 'zero':
      // cond_register_ipcns_notifier: memset(&ns->ipcns_nb, 0) and priority, outside the lock
      resetBlock(d.ipcns, target, IPCNS_CALLBACK_PRI);
      x.pc = 'register';
      return 'done';
    case 'register': {
      const r = noHang(lockedConditionalRegister(d.k, d.ipcns, { id: target, priority: IPCNS_CALLBACK_PRI }, name), name);
      if (r === 'waiting') return 'waiting';
      if (r === 0) ns.auto = 1;
      if (f.registerAfterNotify) return end();
      x.pc = 'rc';
      return 'done';
    }
  }
}

function stepCtx(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
  if (name === 'H') return stepH(d, k, f);
  if (name === 'K') return stepK(d, k, f);
  if (name.startsWith('C:')) return stepC(d, name, k, f);
  if (name.startsWith('D:')) return stepD(d, name, k, f);
  return stepW(d, name, k, f);
}

function spawnWriter(kind: 'E' | 'A', v: number, f: MsgmniFlags, ns: NsId): WCtx {
  const first: WriterPc = !f.unserializedSysctl ? 'lock' : kind === 'E' ? firstE(v, f) : 'A1';
  return { kind, ns, pc: first, v, old: 0, rc: null, reenable: kind === 'E' && f.negativeReenables && v < 0 };
}

function next(s: MsgmniState, a: MsgmniAction, c: MsgmniConfig, f: MsgmniFlags): MsgmniState {
  const k = constantsOf(c);
  return produce(s, (d) => {
    // every lock operation scans the whole kernel slice (mightSleep, waitingOn):
    // let it scan a plain copy rather than an immer draft
    const kk = plainKernel(s.k);
    d.k = kk;
    match(a)
      // context steps first: they are most of the transitions
      .with({ ctx: P.string }, (x) => stepCtx(d, x.ctx, k, f))
      .with({ type: P.union('online', 'offline') }, ({ type }) => {
        const on = type === 'online';
        d.L += on ? c.block : -c.block;
        d.blockOnline = on;
        d.left.mem -= 1;
        lChanged(d);
        const mem = callBegin('memory', on ? MEM_ONLINE : MEM_OFFLINE);
        d.ctxs.H = { kind: 'H', mem, walk: null };
        const h = d.ctxs.H;
        if (callEnter(d.k, h.mem, memory, 'H') !== 'entered') throw new Error('memory chain walk did not enter');
      })
      .with({ type: 'create' }, () => {
        const id = CREATED_IDS.find((x) => d.ns[x] === undefined);
        if (id === undefined) throw new Error('no namespace id left');
        d.left.creates -= 1;
        // C1: the ns is allocated and counted; msgmni is set by C2, auto by C4
        d.ns[id] = { msgmni: 0, auto: 0, alive: true, manual: false };
        d.nr = atomicInc(d.nr);
        d.ctxs[`C:${id}`] = { kind: 'C', ns: id, pc: 'C2', rc: null, walk: null };
      })
      .with({ type: 'destroy' }, ({ ns }) => {
        d.left.destroys -= 1;
        d.ctxs[`D:${ns}`] = { kind: 'D', ns, pc: 'D1', walk: null };
        stepD(d, `D:${ns}`, k, f);
      })
      .with({ type: 'write_msgmni' }, ({ v }) => {
        d.left.manual -= 1;
        d.ctxs.E = spawnWriter('E', v, f, writerNs(c));
        stepW(d, 'E', k, f);
      })
      .with({ type: 'write_auto' }, ({ w, v }) => {
        d.left.auto[w] -= 1;
        d.ctxs[w] = spawnWriter('A', v, f, writerNs(c));
        stepW(d, w, k, f);
      })
      .exhaustive();
    // frozen, the copy is skipped by immer's finalization walk
    freezeKernel(kk);
  });
}

// ---------------------------------------------------------------- describe

// Stryker disable all: trace text only (step and function names, texts); no property, fairness (the action's ctx) or state reads it

const FN: Record<StepType, string> = {
  H1: 'ipc_memory_callback',
  K1: 'worker_thread',
  K2: 'ipcns_notify',
  K4: 'ipcns_notify',
  C2: 'msg_init_ns',
  C3: 'ipcns_notify',
  C4: 'register_ipcns_notifier',
  D1: 'unregister_ipcns_notifier',
  D2: 'free_ipc_ns',
  D3: 'free_ipc_ns',
  D4: 'ipcns_notify',
  E0: 'proc_ipc_callback_dointvec',
  E1: 'proc_dointvec',
  E2: 'unregister_ipcns_notifier',
  A0: 'proc_ipcauto_dointvec_minmax',
  A1: 'proc_ipcauto_dointvec_minmax',
  A2: 'proc_dointvec_minmax',
  A3: 'ipc_auto_callback',
  RC: 'recompute_msgmni',
  RC1: 'recompute_msgmni',
  RC2: 'recompute_msgmni',
};

const PART_FN: Record<string, [string, string]> = {
  'E2:decide': ['tunable_set_callback', 're-read msgmni: negative → re-enable, else unregister (v2.6.26)'],
  'A3:decide': ['proc_ipcauto_dointvec_minmax', 're-read auto_msgmni: changed → ipc_auto_callback'],
  zero: ['cond_register_ipcns_notifier', 'memset the block, set callback and priority (outside the lock)'],
  register: ['blocking_notifier_chain_cond_register', 'down_write; insert if absent; up_write; auto := 1'],
  unregister: ['unregister_ipcns_notifier', 'down_write; remove; up_write; auto := 0'],
};

/** Trace text of an action (a plain switch: the random engine describes every step it takes). */
function describeWith(f: MsgmniFlags, writer: NsId) {
  return (a: MsgmniAction): StepInfo => {
    if ('ctx' in a) {
      if (a.type === 'RC' || a.type === 'RC1' || a.type === 'RC2') {
        const what = a.type === 'RC1' ? 'read L and nr_ipc_ns for' : a.type === 'RC2' ? 'write msgmni of' : 'recompute msgmni of';
        return { ctx: a.ctx, step: a.type, fn: FN[a.type], text: `${a.part ?? ''}: ${what} ${a.ns ?? '?'}` };
      }
      const pf = a.part !== undefined ? (PART_FN[`${a.type}:${a.part}`] ?? PART_FN[a.part]) : undefined;
      return { ctx: a.ctx, step: a.type, fn: pf?.[0] ?? FN[a.type], text: pf?.[1] ?? STEP_TEXT[a.type] + (a.part ? ` (${a.part})` : '') };
    }
    switch (a.type) {
      case 'online':
        return { ctx: 'H', step: 'online', fn: 'online_pages', text: 'L += block; MEM_ONLINE walk of the memory chain (down_read)' };
      case 'offline':
        return { ctx: 'H', step: 'offline', fn: 'offline_pages', text: 'L -= block; MEM_OFFLINE walk of the memory chain (down_read)' };
      case 'create':
        return { ctx: 'env', step: 'C1', fn: 'clone_ipc_ns', text: 'create(): allocate a ns, atomic_inc(&nr_ipc_ns)' };
      case 'destroy':
        return { ctx: `D:${a.ns}`, step: 'D1', fn: 'free_ipc_ns', text: `destroy(${a.ns}): unregister its block (down_write)` };
      case 'write_msgmni': {
        const first = f.unserializedSysctl ? firstE(a.v, f) : 'lock';
        const step = first === 'lock' ? 'E0' : first === 'E1' ? 'E1' : 'E2';
        return { ctx: 'E', step, fn: 'proc_ipc_callback_dointvec', text: `write ${a.v} to /proc/sys/kernel/msgmni of ${writer}` };
      }
      case 'write_auto':
        return { ctx: a.w, step: f.unserializedSysctl ? 'A1' : 'A0', fn: 'proc_ipcauto_dointvec_minmax', text: `write ${a.v} to /proc/sys/kernel/auto_msgmni of ${writer}` };
    }
  };
}

const STEP_TEXT: Record<StepType, string> = {
  H1: 'MEM_ONLINE/OFFLINE: if !work_pending: schedule_work',
  K1: 'dequeue the work item, clear pending, run it',
  K2: 'IPCNS_MEMCHANGED walk: down_read',
  K4: 'up_read; the work function returns',
  C2: 'recompute msgmni of the new ns',
  C3: 'IPCNS_CREATED walk',
  C4: 'down_write; append the new ns; up_write; auto := 1',
  D1: 'down_write; remove the ns; up_write; auto := 0',
  D2: 'kfree(ns)',
  D3: 'atomic_dec(&nr_ipc_ns)',
  D4: 'IPCNS_REMOVED walk',
  E0: 'lock the sysctl mutex (W4 fix)',
  E1: 'store the written value into msgmni',
  E2: 'unregister the ns (manual value)',
  A0: 'lock the sysctl mutex (W4 fix)',
  A1: 'read old auto_msgmni',
  A2: 'store the written value into auto_msgmni if in [0, 1]',
  A3: 're-read auto_msgmni; changed → (un)register',
  RC: 'recompute',
  RC1: 'read L and nr_ipc_ns',
  RC2: 'write msgmni',
};

// Stryker restore all

/**
 * The exhaustive engine's state key: every field, serialized in a fixed
 * order (contexts in {@link CTX_ORDER}); the chain's constant fields (name,
 * flavour, lock, the RCU walkers of a blocking chain) are left out. Every
 * object the model builds has a fixed key order, so JSON.stringify is
 * canonical here and much cheaper than the generic canonical form.
 */
function view(s: MsgmniState): string {
  return viewText(s, NS_IDS, CTX_ORDER);
}

/** The view's text with the namespace table and the contexts listed in the given orders. */
function viewText(s: MsgmniState, nsOrder: readonly NsId[], ctxOrder: readonly string[]): string {
  const c = s.ipcns;
  return JSON.stringify([
    s.k,
    s.L,
    s.blockOnline,
    s.nr,
    nsOrder.map((id) => s.ns[id] ?? 0),
    c.head,
    c.blocks,
    c.corrupt,
    s.wq,
    ctxOrder.map((n) => s.ctxs[n] ?? 0),
    s.left,
    s.memStale,
  ]);
}

/** Exchanges the created namespaces' ids wherever they appear in a text (ids, context names, owners). */
const swapNs = (text: string): string => text.replace(/\bns([12])\b/g, (_m, d: string) => (d === '1' ? 'ns2' : 'ns1'));
const NS_SWAPPED = NS_IDS.map((id) => swapNs(id) as NsId);
const CTX_SWAPPED = CTX_ORDER.map(swapNs);

/**
 * Symmetry reduction: the two created namespaces are interchangeable. Every
 * step, event and property treats ns1 and ns2 alike (a create takes the first
 * id never used, so two states equal up to the swap have swapped successors),
 * and init is never permuted. The key is the smaller of the view's text and
 * the view's text of the swapped state. The latter is written without
 * building that state: the namespace table and the contexts, which the view
 * lists by position, are listed in swapped order, and the ids inside values
 * (chain blocks, lock owners and waiters) are exchanged in the text. No
 * other object is keyed by a namespace id, so that text is exactly the
 * swapped state's view.
 */
function symmetricView(s: MsgmniState): string {
  const text = viewText(s, NS_IDS, CTX_ORDER);
  if (!/\bns[12]\b/.test(text)) return text;
  const swapped = swapNs(viewText(s, NS_SWAPPED, CTX_SWAPPED));
  return swapped < text ? swapped : text;
}

/** Options of a msgmni machine beyond its variant and configuration. */
export interface MsgmniMachineOptions {
  /** Check only these model properties (the built-in checks always run). Default: all. */
  readonly only?: readonly string[];
}

/** Builds the machine of one variant. */
export function msgmniMachine(variant: string, c: MsgmniConfig, opts: MsgmniMachineOptions = {}): Machine<MsgmniState, MsgmniAction> {
  const f = FLAGS[variant];
  if (!f) throw new Error(`unknown variant '${variant}' of model 'msgmni'`);
  const all: Property<MsgmniState, MsgmniAction>[] = msgmniProperties(c, f);
  const only = opts.only;
  const properties = only ? all.filter((p) => p.kind === 'sometimes' || only.includes(p.name)) : all;
  const s0 = initState(c);
  return {
    init: () => s0,
    actions: (s) => actions(s, c, f),
    next: (s, a) => next(s, a, c, f),
    describe: describeWith(f, writerNs(c)),
    quiescent,
    view,
    // with one created namespace there is nothing to swap; a writer in ns1 tells ns1 from ns2
    ...(c.creates >= 2 && writerNs(c) === 'init' ? { symmetry: symmetricView } : {}),
    // view leaves out only the chain's constant fields: a projection, so the liveness engine may key on it
    livenessView: view,
    // §4's events (memory events, create, destroy, the sysctl writes) are the environment; every step with a context is that context's
    fairness: (a) => ('ctx' in a ? a.ctx : null),
    kernel: (s) => s.k,
    properties,
  };
}

/** Every property name of the model. */
export const PROPERTY_NAMES = ['P1', 'P2', 'P3', 'P3+', 'P4', 'P5', 'P6', 'P7'] as const;


/** The msgmni model (spec 01). */
export const msgmni: ModelDef<MsgmniState, MsgmniAction, MsgmniConfig> = {
  name: 'msgmni',
  title: 'msgmni recompute on memory hotplug and IPC namespace create/remove (seed 000)',
  spec: '01-msgmni.md',
  smallConfig: SMALL,
  family: MSGMNI_FAMILY,
  randomConfig: msgmniRandomConfig,
  propertyNames: [...PROPERTY_NAMES],
  variants: [
    { name: 'reference', summary: 'v2.6.27 with the §6b fixes: atomic RC, register before notify, unregister before store, serialized sysctl handlers', expect: { kind: 'holds' } },
    {
      name: 'V1',
      summary: 'no patch 7: a manual msgmni write leaves the ns registered, the next walk overwrites it',
      expect: { kind: 'violates', property: 'P3' },
      randomConfig: around(SMALL),
    },
    {
      name: 'V2',
      summary: 'no patch 5: H walks the ipcns chain inside the memory-chain walk and waits behind a writer',
      expect: { kind: 'violates', property: 'P6' },
      randomConfig: fc.constant(FOCUS.V2),
    },
    {
      name: 'V3',
      summary: 'no patch 6: no IPCNS_CREATED/REMOVED walks, existing namespaces keep the old count',
      expect: { kind: 'violates', property: 'P2' },
      randomConfig: around(SMALL),
    },
    { name: 'V4', summary: 'no patch 2: msgmni not divided by the namespace count', expect: { kind: 'violates', property: 'P2' }, randomConfig: around(SMALL) },
    { name: 'V5', summary: 'no work_pending test in H1', expect: { kind: 'harmless', why: 'schedule_work already coalesces: its test-and-set of pending does what the test did' } },
    {
      name: 'W1',
      summary: 'RC in two steps: a recompute that read an old L or namespace count writes after a newer one',
      expect: { kind: 'violates', property: 'P2' },
      randomConfig: fc.constant(FOCUS.W1),
    },
    {
      name: 'W2',
      summary: 'C3 before C4 (and RC before cond-register on re-enable): a new ns is not in the chain during another creator\'s walk',
      expect: { kind: 'violates', property: 'P2' },
      exploreConfig: TWO_CREATORS,
      randomConfig: around(TWO_CREATORS),
    },
    {
      name: 'W3',
      summary: 'E1 store before E2 unregister: a walk between them overwrites the written value',
      expect: { kind: 'violates', property: 'P3+' },
      randomConfig: around(SMALL),
    },
    {
      name: 'W4-26',
      summary: 'v2.6.26 negative msgmni write re-enables via cond_register, zeroing the linked block and cutting later namespaces off',
      expect: { kind: 'violates', property: 'P4' },
      randomConfig: around(SMALL),
    },
    {
      name: 'W4-27',
      summary: 'v2.6.27 auto_msgmni handlers unserialized: two writers both re-enable (the second zeroes the linked block) or lose an unregister',
      expect: { kind: 'violates', property: 'P4' },
      exploreConfig: TWO_WRITERS,
      randomConfig: fc.constant(FOCUS['W4-27']),
    },
  ],
  parseConfig: parseMsgmniConfig,
  machine: (variant, config) => msgmniMachine(variant, config),
};

/** The msgmni model with its types erased, for the registry. */
export const msgmniModel = erase(msgmni);

/**
 * The model checking only the named properties (plus the built-in checks and
 * the sometimes witnesses): to show that a variant breaks one property and
 * no other, or to look for the spec's property past an earlier one.
 */
export function msgmniRestricted(only: readonly string[]): ModelDef<MsgmniState, MsgmniAction, MsgmniConfig> {
  return { ...msgmni, propertyNames: PROPERTY_NAMES.filter((p) => only.includes(p)), machine: (variant, config) => msgmniMachine(variant, config, { only }) };
}

