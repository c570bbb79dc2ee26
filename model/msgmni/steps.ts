/**
 * The effects of msgmni's steps (spec 01 §3–§4), on an immer draft: one
 * function per context kind, each taking the context's next step as the
 * model's rules (model.ts) label it. A walk's step may cover several spec
 * steps (down_read with the first recompute, up_read with the last), and a
 * sysctl writer's step runs its mutex and its serialized A1–A3 with its
 * next shared access (the header of model.ts says why).
 */
import type { Draft } from 'immer';
import { original } from '../kernel/immer.js';
import { atomicDec, atomicInc } from '../kernel/atomic.js';
import { IPC_CALLBACK_PRI, MEM_OFFLINE, MEM_ONLINE } from '../kernel/hotplug.js';
import { mutexLock, mutexUnlock } from '../kernel/locks.js';
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
import type { KernelState, LockState } from '../kernel/state.js';
import { scheduleWork, workPending, workerDequeue, workerFinish } from '../kernel/workqueue.js';
import { formula, IPCNS_CALLBACK_PRI, IPCNS_CREATED, IPCNS_MEMCHANGED, IPCNS_REMOVED, type FormulaConstants } from './formula.js';
import { CREATED_IDS, LOCKS, readLocals, WORK, type AutoWriter, type MsgmniConfig, type MsgmniFlags, type MsgmniState, type NsId, type RcLocals, type Walk, type WCtx, type WriterPc } from './state.js';

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

/** RC2 (or the write half of an atomic RC): `ns.msgmni := f(L, n)` from the locals read; the ghost `wrote` records it for P1 and P5. */
function rcWrite(d: D, by: string, id: NsId, r: RcLocals, k: FormulaConstants): void {
  nsOf(d, id).msgmni = formula(r.L, r.n, k);
  d.wrote = { by, ns: id, L: r.L, n: r.n };
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
      rcWrite(d, ctx, id, readLocals(d, f), k);
      callReturn(call, NOTIFY_OK); // ipcns_callback always returns NOTIFY_OK
    }
  } else if (call.stage === 'callback') {
    const id = call.calling as NsId;
    if (!w.rc) throw new Error(`${ctx}: RC2 without RC1`);
    rcWrite(d, ctx, id, w.rc, k);
    w.rc = null;
    callReturn(call, NOTIFY_OK);
  }
  if (call.stage === 'exit') callExit(d.k, call, d.ipcns, ctx);
  return call.stage === 'done' ? 'finished' : 'stepped';
}

/** A recompute outside a walk (C2, E2/A3 re-enable): true when the value is written. */
function rcStep(d: D, by: string, x: { rc: RcLocals | null }, id: NsId, k: FormulaConstants, f: MsgmniFlags): boolean {
  if (f.rcSplit && x.rc === null) {
    x.rc = readLocals(d, f);
    return false;
  }
  rcWrite(d, by, id, x.rc ?? readLocals(d, f), k);
  x.rc = null;
  return true;
}

function noHang<T>(r: T | 'hang', what: string): T {
  if (r === 'hang') throw new Error(`${what}: the chain walk does not end (a cycle in the ipcns chain)`);
  return r;
}

export function stepH(d: D, k: FormulaConstants, f: MsgmniFlags): void {
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

export function stepK(d: D, k: FormulaConstants, f: MsgmniFlags): void {
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

export function stepC(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
  const x = d.ctxs[name];
  if (x?.kind !== 'C') throw new Error(`${name} is not a creator`);
  switch (x.pc) {
    case 'C2':
      if (!rcStep(d, name, x, x.ns, k, f)) return;
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

export function stepD(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
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
export function firstE(v: number, f: MsgmniFlags): WriterPc {
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

export function stepW(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
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
      // proc_dointvec stores the parsed int (the ghost `stored`: a user write, for P3)
      ns.msgmni = x.v;
      d.stored = { ns: target, v: x.v };
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
      if (!rcStep(d, name, x, target, k, f)) return 'done';
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

function spawnWriter(kind: 'E' | 'A', v: number, f: MsgmniFlags, ns: NsId): WCtx {
  const first: WriterPc = !f.unserializedSysctl ? 'lock' : kind === 'E' ? firstE(v, f) : 'A1';
  return { kind, ns, pc: first, v, old: 0, rc: null, reenable: kind === 'E' && f.negativeReenables && v < 0 };
}

/** The step of context `name` (H, K, `C:ns1`, `D:ns1`, E, A, A'): the one its program counter or walk stands at. */
export function stepCtx(d: D, name: string, k: FormulaConstants, f: MsgmniFlags): void {
  if (name === 'H') return stepH(d, k, f);
  if (name === 'K') return stepK(d, k, f);
  if (name.startsWith('C:')) return stepC(d, name, k, f);
  if (name.startsWith('D:')) return stepD(d, name, k, f);
  return stepW(d, name, k, f);
}

/** `online(k)` / `offline(k)` (§4): L changes and H enters the memory chain's MEM_ONLINE / MEM_OFFLINE walk. */
export function memoryEvent(d: D, on: boolean, c: MsgmniConfig): void {
  d.L += on ? c.block : -c.block;
  d.blockOnline = on;
  d.left.mem -= 1;
  lChanged(d);
  const mem = callBegin('memory', on ? MEM_ONLINE : MEM_OFFLINE);
  d.ctxs.H = { kind: 'H', mem, walk: null };
  const h = d.ctxs.H;
  if (callEnter(d.k, h.mem, memory, 'H') !== 'entered') throw new Error('memory chain walk did not enter');
}

/** `create()`, C1: the first id never used is allocated and counted; msgmni is set by C2, auto by C4. */
export function createNs(d: D): void {
  const id = CREATED_IDS.find((x) => d.ns[x] === undefined);
  if (id === undefined) throw new Error('no namespace id left');
  d.left.creates -= 1;
  d.ns[id] = { msgmni: 0, auto: 0, alive: true, manual: false };
  d.nr = atomicInc(d.nr);
  d.ctxs[`C:${id}`] = { kind: 'C', ns: id, pc: 'C2', rc: null, walk: null };
}

/** `destroy(ns)`: D starts and attempts D1 at once. */
export function destroyNs(d: D, ns: NsId, k: FormulaConstants, f: MsgmniFlags): void {
  d.left.destroys -= 1;
  d.ctxs[`D:${ns}`] = { kind: 'D', ns, pc: 'D1', walk: null };
  stepD(d, `D:${ns}`, k, f);
}

/** A write to msgmni (E) or auto_msgmni (A, A'): the writer starts and attempts its first step at once. */
export function startWrite(d: D, name: 'E' | AutoWriter, v: number, ns: NsId, k: FormulaConstants, f: MsgmniFlags): void {
  if (name === 'E') d.left.manual -= 1;
  else d.left.auto[name] -= 1;
  d.ctxs[name] = spawnWriter(name === 'E' ? 'E' : 'A', v, f, ns);
  stepW(d, name, k, f);
}

/**
 * Runs one step: clears the ghosts a step records (`wrote`, `stored`: they
 * describe the step that produced a state), and gives `step` the kernel
 * slice as a plain copy of the state's: every lock operation scans the
 * whole slice (mightSleep, waitingOn), cheaper on plain objects than
 * through immer's proxies; frozen afterwards, the copy is skipped by
 * immer's finalization walk.
 */
export function asStep(d: D, step: () => void): void {
  const base = original(d);
  if (base === undefined) throw new Error('asStep needs a draft');
  d.wrote = null;
  d.stored = null;
  const kk = plainKernel(base.k);
  d.k = kk;
  step();
  freezeKernel(kk);
}
