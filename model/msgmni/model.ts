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
 * Declared with `defineModel` (each variant once, with its flags) and one
 * rule per spec step (`machineFromRules`): a rule's guard is "some context
 * stands at this step" (`stepOf`, the walk and writer labels below), its
 * effect that context's step (steps.ts), which refuses an action whose
 * label is not the context's next step. The environment's events are
 * rules of their own. Actions are offered context by context in
 * `CTX_ORDER`, then the events, as before the rules: `inLaneOrder`
 * re-sorts the rules' list, since one step type (RC) is taken by every
 * context and the rules' own order cannot interleave them.
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
 * - P1: the ghost `wrote`, recorded where a recompute writes msgmni (the
 *   ns, and the L and n it computed from: n = 1 for V4, "the n it read"),
 *   and the value left in that ns; no action label. The range comes from
 *   formula-oracle.ts, the spec's clamps written apart from formula.ts.
 * - P2: L, each ns's msgmni / auto / alive, and n = the number of alive
 *   namespaces (not the nr_ipc_ns counter the mechanism maintains); f from
 *   formula-oracle.ts.
 * - P3: the ghost `manual` (set where a manual write returns, cleared by an
 *   auto re-enable; no step reads it), msgmni, and the ghost `stored` (the
 *   value a user write's E1 stored in that step): "another user write".
 * - P3+: the writer context (its ns and value) and that ns's msgmni.
 * - P4: the chain's links and blocks, alive / auto, nr_ipc_ns against the
 *   count of alive namespaces.
 * - P5: the ns in the ghost `wrote` and its `alive` before the step.
 * - `wrote` and `stored` describe the step that produced a state: every step
 *   clears them first (steps.ts `asStep`), no step reads them, and the
 *   state key (`view`) leaves them out, so they add no states.
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
 *   `view` only leaves out constant chain fields and the per-step ghosts
 *   (which no step reads), so it is the liveness key.
 * - V6 (one memory-chain block per namespace) is a design of RFC v1, a
 *   P6-class concern with no safety behaviour: not a variant.
 * - v2.6.26's negative value visible between E1 and RC is not a P1 failure:
 *   P1 is about values RC produces.
 * - The exhaustive configuration is §7 with one created namespace instead of
 *   two (config.ts `SMALL`); §7 as written (`SPEC_SMALL`) is far larger (see
 *   config.ts). Two concurrent creators are explored in W2's configuration.
 * - Weak memory (spec 06 §4, issue 19): the work item's `pending` bit is
 *   not marked here (the workqueue stays SC); its handshake is the seed
 *   litmus pair test/litmus/seeds/Msgmni+pending-clearbit{,+mb}: with
 *   v2.6.27's relaxed clear_bit() before the work function reads lowmem,
 *   the callback can find the work pending while the work reads the old
 *   lowmem (Sometimes under LKMM, Never under SC: a stale msgmni, P7); an
 *   smp_mb__after_atomic() after the clear makes it Never.
 * - Data races (spec 06 §5, `mmcheck races msgmni`, issue 19):
 *   MSGMNI_RACE_EXEMPT leaves out the ghosts, the contexts' frames, the
 *   atomic `nr_ipc_ns`, lowmem (read through si_meminfo), the workqueue's
 *   own state and a new namespace until C4 publishes it; the notifier
 *   primitive keeps its `corrupt` look and table lookups out of the
 *   footprint, marks the lock-free head test (rcu_dereference) and counts
 *   cond_register's memset as shared only while the block is linked; the
 *   guard `take` checks again is not recorded. **What is left, on every
 *   variant, is `msg_ctlmni`**: walkers share the ipcns rwsem for read, so
 *   several recomputes (the worker, a creator's or destroyer's walk, a
 *   re-enable) store into one namespace's `msg_ctlmni` with no common lock,
 *   and the sysctl write stores into it under sysctl's mutex only. The
 *   stores are whole words, so each outcome is one of the model's
 *   interleavings, and the overwrites they allow are what P1, P3 and P5
 *   judge; the race is the merged code's (it kept `msg_ctlmni` a plain int
 *   until v3.19 dropped the recompute).
 */
import fc from 'fast-check';
import { unrecorded } from '../kernel/footprint.js';
import { original } from '../kernel/immer.js';
import type { Draft } from 'immer';
import type { RuleAction } from '../rules.js';
import type { Machine, ModelDef } from '../contract.js';
import { erase } from '../contract.js';
import { defineModel } from '../define.js';
import { canProceed } from '../kernel/locks.js';
import { callBegin, notifierChain } from '../kernel/notifier.js';
import { kernelState, waitingOn } from '../kernel/state.js';
import { workerState, workPending, workqueue } from '../kernel/workqueue.js';
import { machineFromRules, rulesFor, when } from '../rules.js';
import { around, FOCUS, MSGMNI_FAMILY, msgmniConfigSchema, msgmniRandomConfig, SMALL, TWO_CREATORS, TWO_WRITERS } from './config.js';
import { formula, IPCNS_CALLBACK_PRI, IPCNS_MEMCHANGED } from './formula.js';
import { msgmniProperties } from './properties.js';
import { createNs, destroyNs, firstE, memoryEvent, asStep, startWrite, stepC, stepCtx, stepD, stepH, stepK, stepW } from './steps.js';
import {
  constantsOf,
  CREATED_IDS,
  CTX_ORDER,
  LOCKS,
  NS_IDS,
  quiescent,
  WORK,
  writerNs,
  type AutoWriter,
  type Ctx,
  type MsgmniConfig,
  type MsgmniFlags,
  type MsgmniState,
  type NsId,
  type RcLocals,
  type StepType,
  type Walk,
  type WriterPc,
} from './state.js';

/** Auto writer names. */
export const AUTO_WRITERS: readonly AutoWriter[] = ['A', "A'"];
/** Every sysctl writer's context name. */
const WRITERS: readonly string[] = ['E', ...AUTO_WRITERS];

export type { MsgmniFlags };

/** The reference's flags: every switch off. A variant turns one on. */
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
    wrote: null,
    stored: null,
  };
}

// ---------------------------------------------------------------- the step each context stands at

/** A context's next step as its action carries it: the context, and for a recompute the ns and the spec steps it covers (`part`). */
interface CtxStep {
  readonly type: StepType;
  readonly ctx: string;
  readonly ns?: NsId;
  readonly part?: string;
}

/** The arguments of a context step's action: {@link CtxStep} without its type. */
type CtxArgs = Omit<CtxStep, 'type'>;

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
function walkAction(s: MsgmniState, w: Walk, ctx: string, names: WalkNames, f: MsgmniFlags): CtxStep {
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
function rcAction(rc: RcLocals | null, ctx: string, ns: NsId, part: string, f: MsgmniFlags): CtxStep {
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

/** The step context `name` stands at in `s`, as its action carries it (a queued lock wait included). */
function stepOf(s: MsgmniState, name: string, x: Ctx, f: MsgmniFlags): CtxStep {
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

/** Every context that can step in `s`, each at the step it stands at, in {@link CTX_ORDER}. */
function ctxSteps(s: MsgmniState, f: MsgmniFlags): CtxStep[] {
  const out: CtxStep[] = [];
  for (const name of CTX_ORDER) {
    const x = s.ctxs[name];
    if (name === 'K' && !x) {
      // K1: the worker finds the work item queued
      if (workerState(s.wq) === 'dequeue') out.push({ type: 'K1', ctx: 'K' });
      continue;
    }
    if (!x) continue;
    if (waitingOn(s.k, name) !== undefined && !canProceed(s.k, name)) continue;
    out.push(stepOf(s, name, x, f));
  }
  return out;
}

/** Where an action stands in the order actions are offered: its context's place in {@link CTX_ORDER}; the events after. */
const LANE = new Map(CTX_ORDER.map((name, i) => [name, i]));
function laneOf(a: RuleAction): number {
  return typeof a.ctx === 'string' ? (LANE.get(a.ctx) ?? CTX_ORDER.length) : CTX_ORDER.length;
}

/**
 * The rules' actions context by context, then the environment's events in
 * rule order: the order the model offered them in before its rules (a
 * stable sort), which the shrinkers' choice indices and the pinned shortest
 * traces rest on; a schedule shrunk towards choice 0 then finishes work in
 * flight rather than starting new events.
 */
function inLaneOrder(actions: readonly RuleAction[]): RuleAction[] {
  return [...actions].sort((a, b) => laneOf(a) - laneOf(b));
}

// Stryker disable all: trace text only; no property, fairness (the action's ctx) or state reads a step's text (the rules' ctx, step and fn are pinned by the describe census in mutation.check.ts)

/** A step that queued on a lock took nothing else: its text says so. */
const queued = (n: MsgmniState, ctx: string, what: string): string | undefined => {
  const lock = waitingOn(n.k, ctx);
  return lock !== undefined ? `${what}: queued on ${lock}` : undefined;
};

/** The text of a writer's E2 / A3 sub-step (`part`): the kernel function it runs and what it does. */
const PART_TEXT: Record<string, string> = {
  'E2:decide': 'tunable_set_callback: re-read msgmni: negative → re-enable, else unregister (v2.6.26)',
  'A3:decide': 'proc_ipcauto_dointvec_minmax: re-read auto_msgmni: changed → ipc_auto_callback',
  zero: 'cond_register_ipcns_notifier: memset the block, set callback and priority (outside the lock)',
  register: 'blocking_notifier_chain_cond_register: down_write; insert if absent; up_write; auto := 1',
  unregister: 'unregister_ipcns_notifier: down_write; remove; up_write; auto := 0',
};

/** What a context's step did: `plain` for a step with no part, the part's text otherwise, the queue it joined if it queued. */
function stepText(type: StepType, plain: string, s: MsgmniState, a: CtxArgs, n: MsgmniState): string {
  const part = a.part === undefined ? plain : (PART_TEXT[`${type}:${a.part}`] ?? PART_TEXT[a.part] ?? `${plain} (${a.part})`);
  return queued(n, a.ctx, part) ?? (s.ctxs[a.ctx] !== undefined && n.ctxs[a.ctx] === undefined ? `${part}; ${a.ctx} returns` : part);
}

/** A recompute's text: which spec steps the action covers, the ns, and the value it left. */
function rcText(what: string, s: MsgmniState, a: CtxArgs, n: MsgmniState): string {
  const id = a.ns ?? 'init';
  return `${a.part ?? ''}: ${what} ${id}: msgmni ${s.ns[id]?.msgmni ?? '?'} → ${n.ns[id]?.msgmni ?? '?'}`;
}

/** What a trace shows of a context step. */
type Text = (s: MsgmniState, a: CtxArgs, n: MsgmniState) => string;

/** The text of each context step with no values to show: the step's own, or its part's (E2, A3). */
const PLAIN: Record<StepType, string> = {
  H1: 'IPCNS_MEMCHANGED walk inside the memory-chain walk',
  K1: 'dequeue the work item, clear pending, run it',
  K2: 'IPCNS_MEMCHANGED walk: down_read',
  K4: 'up_read; the work function returns',
  C2: 'recompute msgmni of the new ns',
  C3: 'IPCNS_CREATED walk',
  C4: 'down_write; append the new ns; up_write; auto := 1',
  D1: 'down_write; remove the ns; up_write; auto := 0; kfree (D2)',
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

/** The trace text of context step `type` under flags `f`: what it did, with the values it read or wrote where there are some. */
function textOf(type: StepType, f: MsgmniFlags): Text {
  switch (type) {
    case 'H1':
      return (s, a, n) =>
        f.notifyUnderMemoryChain
          ? stepText('H1', PLAIN.H1, s, a, n)
          : `MEM_ONLINE/OFFLINE: ${workPending(s.wq, WORK) && !f.noWorkPendingTest ? 'the work is already pending: nothing queued' : 'schedule_work'}; up_read of the memory chain`;
    case 'RC':
      return (s, a, n) => rcText('recompute msgmni of', s, a, n);
    case 'RC1':
      return (s, a) => `${a.part ?? ''}: read L = ${s.L} and nr_ipc_ns = ${s.nr} for ${a.ns ?? '?'}`;
    case 'RC2':
      return (s, a, n) => rcText('write msgmni of', s, a, n);
    case 'D3':
      return (s, a, n) => stepText('D3', `atomic_dec(&nr_ipc_ns): ${s.nr} → ${n.nr}`, s, a, n);
    case 'E1':
      return (s, a, n) => {
        const x = s.ctxs[a.ctx];
        return stepText('E1', x?.kind === 'E' ? `store ${x.v} into msgmni of ${x.ns}` : PLAIN.E1, s, a, n);
      };
    default:
      return (s, a, n) => stepText(type, PLAIN[type], s, a, n);
  }
}

// Stryker restore all

/** Options of a msgmni machine beyond its flags and configuration. */
export interface MsgmniMachineOptions {
  /** Check only these model properties (the built-in checks always run). Default: all. */
  readonly only?: readonly string[];
}

/** The machine of one variant's flags on one configuration: the spec's steps as rules. */
function rulesMachine(f: MsgmniFlags, c: MsgmniConfig, opts: MsgmniMachineOptions = {}): Machine<MsgmniState, RuleAction> {
  const k = constantsOf(c);
  const target = writerNs(c);
  const rule = rulesFor<MsgmniState>();

  // every rule reads the same per-state list: computed once per state
  const cache = new WeakMap<MsgmniState, ReadonlyMap<StepType, readonly CtxArgs[]>>();
  const stepsAt = (s: MsgmniState): ReadonlyMap<StepType, readonly CtxArgs[]> => {
    let m = cache.get(s);
    if (m === undefined) {
      const byType = new Map<StepType, CtxArgs[]>();
      for (const { type, ...args } of ctxSteps(s, f)) {
        const list = byType.get(type);
        if (list) list.push(args);
        else byType.set(type, [args]);
      }
      m = byType;
      cache.set(s, m);
    }
    return m;
  };
  /** The guard of a context step: the contexts standing at `type`. */
  const at =
    (type: StepType) =>
    (s: MsgmniState): readonly CtxArgs[] =>
      stepsAt(s).get(type) ?? [];
  /**
   * The effect of a context step: `step` runs the context's next step,
   * after checking that the action's label is that step (a replayed or
   * hand-made action naming another step is refused, not run as this one).
   */
  const take =
    (type: StepType, step: (d: Draft<MsgmniState>, name: string) => void) =>
    (d: Draft<MsgmniState>, a: CtxArgs): void => {
      // the guard, checked again: like every guard, not part of the step's footprint (race check)
      const want = unrecorded(() => {
        const s = original(d);
        return s && stepsAt(s).get(type)?.find((x) => x.ctx === a.ctx);
      });
      if (want === undefined || want.ns !== a.ns || want.part !== a.part) throw new Error(`${a.ctx} does not stand at ${type}${a.part !== undefined ? ` (${a.part})` : ''}`);
      asStep(d, () => step(d, a.ctx));
    };
  /** The context kinds' step functions (steps.ts), for the rules below. */
  const anyCtx = (d: Draft<MsgmniState>, name: string): void => stepCtx(d, name, k, f);
  const hotplug = (d: Draft<MsgmniState>): void => stepH(d, k, f);
  const worker = (d: Draft<MsgmniState>): void => stepK(d, k, f);
  const creator = (d: Draft<MsgmniState>, name: string): void => stepC(d, name, k, f);
  const destroyer = (d: Draft<MsgmniState>, name: string): void => stepD(d, name, k, f);
  const writer = (d: Draft<MsgmniState>, name: string): void => stepW(d, name, k, f);
  /** The rule of a context step `type`: taken by every context standing at it, in that context's lane, by `step`. */
  const ctxRule = (type: StepType, fn: string, step: (d: Draft<MsgmniState>, name: string) => void) =>
    rule({ step: type, fn, enabled: at(type), ctx: (a) => a.ctx, apply: take(type, step), text: textOf(type, f) });

  const rules = [
    // H: the hotplug task inside the memory-chain walk (V2: the ipcns walk too, its recomputes under RC)
    ctxRule('H1', 'ipc_memory_callback', hotplug),
    // K: the keventd worker (K3, the recomputes, under RC)
    ctxRule('K1', 'worker_thread', worker),
    ctxRule('K2', 'ipcns_notify', worker),
    ctxRule('K4', 'ipcns_notify', worker),
    // RC: a recompute, one atomic step (W1: RC1 reads, RC2 writes), in any walk, in C2 and in a re-enable
    ctxRule('RC', 'recompute_msgmni', anyCtx),
    ctxRule('RC1', 'recompute_msgmni', anyCtx),
    ctxRule('RC2', 'recompute_msgmni', anyCtx),
    // C: a creator (C1 is the `create` event, C2 an RC)
    ctxRule('C3', 'ipcns_notify', creator),
    ctxRule('C4', 'register_ipcns_notifier', creator),
    // D: the last reference dropped (D2 rides on D1)
    ctxRule('D1', 'unregister_ipcns_notifier', destroyer),
    ctxRule('D3', 'free_ipc_ns', destroyer),
    ctxRule('D4', 'ipcns_notify', destroyer),
    // E: a write to /proc/sys/kernel/msgmni (E0: the sysctl mutex, the W4 fix)
    ctxRule('E0', 'proc_ipc_callback_dointvec', writer),
    ctxRule('E1', 'proc_dointvec', writer),
    ctxRule('E2', 'proc_ipc_callback_dointvec', writer),
    // A: a write to /proc/sys/kernel/auto_msgmni (A0: the sysctl mutex, the W4 fix)
    ctxRule('A0', 'proc_ipcauto_dointvec_minmax', writer),
    ctxRule('A1', 'proc_ipcauto_dointvec_minmax', writer),
    ctxRule('A2', 'proc_dointvec_minmax', writer),
    ctxRule('A3', 'ipc_auto_callback', writer),

    // §4's environment, after the contexts
    rule({
      step: 'online',
      fn: 'online_pages',
      ctx: 'H',
      enabled: (s) => when(!s.ctxs.H && s.left.mem > 0 && !s.blockOnline),
      apply: (d) => asStep(d, () => memoryEvent(d, true, c)),
      // Stryker disable next-line all: trace text only (no property, fairness or state reads it)
      text: (s, _, n) => `L ${s.L} → ${n.L}; MEM_ONLINE walk of the memory chain (down_read)`,
    }),
    rule({
      step: 'offline',
      fn: 'offline_pages',
      ctx: 'H',
      // one memory block: it goes offline only above its own size (§4's precondition L > k)
      enabled: (s) => when(!s.ctxs.H && s.left.mem > 0 && s.blockOnline && s.L > c.block),
      apply: (d) => asStep(d, () => memoryEvent(d, false, c)),
      // Stryker disable next-line all: trace text only (no property, fairness or state reads it)
      text: (s, _, n) => `L ${s.L} → ${n.L}; MEM_OFFLINE walk of the memory chain (down_read)`,
    }),
    rule({
      name: 'create',
      step: 'C1',
      fn: 'clone_ipc_ns',
      ctx: 'env',
      enabled: (s) => when(s.left.creates > 0 && CREATED_IDS.some((id) => s.ns[id] === undefined)),
      apply: (d) => asStep(d, () => createNs(d)),
      // Stryker disable next-line all: trace text only (no property, fairness or state reads it)
      text: (s, _, n) => `create(): allocate ${CREATED_IDS.find((id) => s.ns[id] === undefined) ?? '?'}, atomic_inc(&nr_ipc_ns): ${s.nr} → ${n.nr}`,
    }),
    rule({
      name: 'destroy',
      step: 'D1',
      fn: 'free_ipc_ns',
      // a sysctl writer holds a reference on its ns (its task lives there): no destroy starts under it
      enabled: (s) => {
        if (s.left.destroys <= 0) return [];
        const writing = WRITERS.some((w) => s.ctxs[w] !== undefined);
        return CREATED_IDS.filter((id) => s.ns[id]?.alive && !s.ctxs[`C:${id}`] && !s.ctxs[`D:${id}`] && !(writing && id === target)).map((ns) => ({ ns }));
      },
      ctx: (a) => `D:${a.ns}`,
      apply: (d, a) => asStep(d, () => destroyNs(d, a.ns, k, f)),
      // Stryker disable next-line all: trace text only (no property, fairness or state reads it)
      text: (_, a, n) => queued(n, `D:${a.ns}`, `destroy(${a.ns}): unregister its block (down_write)`) ?? `destroy(${a.ns}): unregister its block (down_write), kfree`,
    }),
    rule({
      name: 'write_msgmni',
      // the first step of the write: the mutex, or (W4-27, unserialized) its store or its unregister
      step: f.unserializedSysctl ? (firstE(0, f) === 'E1' ? 'E1' : 'E2') : 'E0',
      fn: 'proc_ipc_callback_dointvec',
      ctx: 'E',
      enabled: (s) => (writable(s) && s.left.manual > 0 && !s.ctxs.E ? c.manualValues.map((v) => ({ v })) : []),
      apply: (d, a) => asStep(d, () => startWrite(d, 'E', a.v, target, k, f)),
      // Stryker disable next-line all: trace text only (no property, fairness or state reads it)
      text: (_, a) => `write ${a.v} to /proc/sys/kernel/msgmni of ${target}`,
    }),
    rule({
      name: 'write_auto',
      step: f.unserializedSysctl ? 'A1' : 'A0',
      fn: 'proc_ipcauto_dointvec_minmax',
      enabled: (s) => (writable(s) ? AUTO_WRITERS.filter((w) => s.left.auto[w] > 0 && !s.ctxs[w]).flatMap((w) => c.autoValues.map((v) => ({ w, v }))) : []),
      ctx: (a) => a.w,
      apply: (d, a) => asStep(d, () => startWrite(d, a.w, a.v, target, k, f)),
      // Stryker disable next-line all: trace text only (no property, fairness or state reads it)
      text: (_, a) => `write ${a.v} to /proc/sys/kernel/auto_msgmni of ${target}`,
    }),
  ];

  /** A task can write its ns's files only once the ns is set up (C done) and until its destroy starts. */
  function writable(s: MsgmniState): boolean {
    return target === 'init' || (s.ns[target]?.alive === true && !s.ctxs[`C:${target}`] && !s.ctxs[`D:${target}`]);
  }

  const all = msgmniProperties(c, f);
  const only = opts.only;
  const s0 = initState(c);
  const m = machineFromRules<MsgmniState>({
    init: () => s0,
    rules,
    quiescent,
    view,
    // with one created namespace there is nothing to swap; a writer in ns1 tells ns1 from ns2
    ...(c.creates >= 2 && target === 'init' ? { symmetry: symmetricView } : {}),
    // view leaves out only the chain's constant fields and ghosts no step reads: a projection, so the liveness engine may key on it
    livenessView: view,
    // §4's events (memory events, create, destroy, the sysctl writes) are the environment; every step with a context is that context's
    fairness: (a) => (typeof a.ctx === 'string' ? a.ctx : null),
    kernel: (s) => s.k,
    raceExempt: MSGMNI_RACE_EXEMPT,
    properties: only ? all.filter((p) => p.kind === 'sometimes' || only.includes(p.name)) : all,
  });
  return { ...m, actions: (s) => inLaneOrder(m.actions(s)) };
}

/**
 * What the race check (spec 06 §5) leaves out of msgmni, and why. What it
 * still reports on the reference is a finding (the model's header).
 */
const MSGMNI_RACE_EXEMPT: Readonly<Record<string, string>> = {
  wrote: 'ghost (the recompute the last step wrote), for P1 and P5 only',
  stored: 'ghost (the value a user write stored), for P3 only',
  memStale: 'ghost for P7',
  left: "the environment's event budgets",
  ctxs: "each context's call frame (program counter, locals, its walk of a chain); the environment creates a frame before its context runs",
  nr: 'nr_ipc_ns is an atomic_t: atomic_inc, atomic_dec, atomic_read (marked, spec 06 §1)',
  L: 'lowmem: the hotplug operation changes it, and recompute_msgmni reads it through si_meminfo() without a lock, as the kernel does (a word read; P7 judges a stale one)',
  'C1: ns': 'clone_ipc_ns allocates the namespace: nothing else reaches it before C4 links it into the chain (a hand-over locksets do not see)',
  // C2: the creator recomputes its own new namespace before C4 publishes it (C4's up_write orders it before any walker's RC)
  ...Object.fromEntries(
    (['ns1', 'ns2'] as const).map((ns) => [`C:${ns} RC: ns.${ns}`, `C2 recomputes the new ${ns} before C4 links it: C4's up_write orders that before any walk reaches ${ns} (publication, which locksets do not see)`]),
  ),
  wq: "the workqueue's own state: schedule_work tests and sets the pending bit atomically (marked), and the lists and the running entry change under the CPU workqueue's lock, inside model/kernel/workqueue.ts's steps",
};


/**
 * The exhaustive engine's state key: every field but the per-step ghosts
 * (`wrote`, `stored`), serialized in a fixed order (contexts in
 * {@link CTX_ORDER}); the chain's constant fields (name,
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
 * and init is never permuted. The key is the view's text of the state or of
 * the swapped state, the same for both. The latter is written without
 * building that state: the namespace table and the contexts, which the view
 * lists by position, are listed in swapped order, and the ids inside values
 * (chain blocks, lock owners and waiters) are exchanged in the text. No
 * other object is keyed by a namespace id, so that text is exactly the
 * swapped state's view. Which of the two texts is the key is any choice
 * that is the same for both states of a pair: the namespaces' records
 * decide first (below), the smaller text when they are equal.
 */
function symmetricView(s: MsgmniState): string {
  // The two namespaces' own records usually tell the orientations apart: keep
  // the one whose ns1 record reads greater (`b` is ns1's record in the
  // swapped state), building one text instead of two. The rule mirrors under
  // the swap, so both states of a pair pick the same text; a tie falls back
  // to the smaller of the two whole texts.
  const a = JSON.stringify(s.ns.ns1 ?? 0);
  const b = swapNs(JSON.stringify(s.ns.ns2 ?? 0));
  if (a > b) return viewText(s, NS_IDS, CTX_ORDER);
  if (a < b) return swapNs(viewText(s, NS_SWAPPED, CTX_SWAPPED));
  const text = viewText(s, NS_IDS, CTX_ORDER);
  if (!/\bns[12]\b/.test(text)) return text;
  const swapped = swapNs(viewText(s, NS_SWAPPED, CTX_SWAPPED));
  return swapped < text ? swapped : text;
}

/** The msgmni model (spec 01): every variant once, with its flags. */
export const msgmni = defineModel({
  // the exhaustive engines take its steps on plain copies (issue 18); properties/fastpath.test.ts checks them against immer
  fastPath: true,
  name: 'msgmni',
  title: 'msgmni recompute on memory hotplug and IPC namespace create/remove (seed 000)',
  spec: '01-msgmni.md',
  smallConfig: SMALL,
  family: MSGMNI_FAMILY,
  randomConfig: msgmniRandomConfig,
  configSchema: msgmniConfigSchema,
  variants: {
    reference: { flags: NONE, summary: 'v2.6.27 with the §6b fixes: atomic RC, register before notify, unregister before store, serialized sysctl handlers', expect: { kind: 'holds' } },
    V1: {
      flags: { ...NONE, noUnregisterOnWrite: true },
      summary: 'no patch 7: a manual msgmni write leaves the ns registered, the next walk overwrites it',
      expect: { kind: 'violates', property: 'P3' },
      randomConfig: around(SMALL),
    },
    V2: {
      flags: { ...NONE, notifyUnderMemoryChain: true },
      summary: 'no patch 5: H walks the ipcns chain inside the memory-chain walk and waits behind a writer',
      expect: { kind: 'violates', property: 'P6' },
      randomConfig: fc.constant(FOCUS.V2),
    },
    V3: {
      flags: { ...NONE, noCreateRemoveWalks: true },
      summary: 'no patch 6: no IPCNS_CREATED/REMOVED walks, existing namespaces keep the old count',
      expect: { kind: 'violates', property: 'P2' },
      randomConfig: around(SMALL),
    },
    V4: { flags: { ...NONE, noDivision: true }, summary: 'no patch 2: msgmni not divided by the namespace count', expect: { kind: 'violates', property: 'P2' }, randomConfig: around(SMALL) },
    V5: {
      flags: { ...NONE, noWorkPendingTest: true },
      summary: 'no work_pending test in H1',
      expect: { kind: 'harmless', why: 'schedule_work already coalesces: its test-and-set of pending does what the test did' },
    },
    W1: {
      flags: { ...NONE, rcSplit: true },
      summary: 'RC in two steps: a recompute that read an old L or namespace count writes after a newer one',
      expect: { kind: 'violates', property: 'P2' },
      randomConfig: fc.constant(FOCUS.W1),
    },
    W2: {
      flags: { ...NONE, registerAfterNotify: true },
      summary: 'C3 before C4 (and RC before cond-register on re-enable): a new ns is not in the chain during another creator\'s walk',
      expect: { kind: 'violates', property: 'P2' },
      exploreConfig: TWO_CREATORS,
      randomConfig: around(TWO_CREATORS),
    },
    W3: {
      flags: { ...NONE, storeBeforeUnregister: true },
      summary: 'E1 store before E2 unregister: a walk between them overwrites the written value',
      expect: { kind: 'violates', property: 'P3+' },
      randomConfig: around(SMALL),
    },
    'W4-26': {
      flags: { ...NONE, negativeReenables: true },
      summary: 'v2.6.26 negative msgmni write re-enables via cond_register, zeroing the linked block and cutting later namespaces off',
      expect: { kind: 'violates', property: 'P4' },
      randomConfig: around(SMALL),
    },
    'W4-27': {
      flags: { ...NONE, unserializedSysctl: true },
      summary: 'v2.6.27 auto_msgmni handlers unserialized: two writers both re-enable (the second zeroes the linked block) or lose an unregister',
      expect: { kind: 'violates', property: 'P4' },
      exploreConfig: TWO_WRITERS,
      randomConfig: fc.constant(FOCUS['W4-27']),
    },
  },
  machine: (f: MsgmniFlags, c: MsgmniConfig) => rulesMachine(f, c),
});

/** Every property name of the model, as derived from its properties. */
export const PROPERTY_NAMES: readonly string[] = msgmni.propertyNames;

/** The machine of one variant, by name. */
export function msgmniMachine(variant: string, c: MsgmniConfig, opts: MsgmniMachineOptions = {}): Machine<MsgmniState, RuleAction> {
  return rulesMachine(msgmni.flagsOf(variant), c, opts);
}

/** The msgmni model with its types erased, for the registry. */
export const msgmniModel = erase(msgmni);

/**
 * The model checking only the named properties (plus the built-in checks and
 * the sometimes witnesses): to show that a variant breaks one property and
 * no other, or to look for the spec's property past an earlier one.
 */
export function msgmniRestricted(only: readonly string[]): ModelDef<MsgmniState, RuleAction, MsgmniConfig> {
  return { ...msgmni, propertyNames: PROPERTY_NAMES.filter((p) => only.includes(p)), machine: (variant, config) => msgmniMachine(variant, config, { only }) };
}
