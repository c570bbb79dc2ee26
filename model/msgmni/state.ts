/**
 * State, actions and configuration of the msgmni model (spec 01 §2–§4).
 */
import type { ChainCall, NotifierChain } from '../kernel/notifier.js';
import type { KernelState } from '../kernel/state.js';
import type { Workqueue } from '../kernel/workqueue.js';
import { workerState } from '../kernel/workqueue.js';
import { KERNEL, SCALED, type FormulaConstants } from './formula.js';

/** Namespaces: init and at most two created ones, in creation order. */
export type NsId = 'init' | 'ns1' | 'ns2';
/** Every namespace id, in the fixed order states and actions use. */
export const NS_IDS: readonly NsId[] = ['init', 'ns1', 'ns2'];
/** The ids a `create()` may allocate, in order. */
export const CREATED_IDS: readonly Exclude<NsId, 'init'>[] = ['ns1', 'ns2'];

/** One IPC namespace (spec 01 §2). */
export interface Ns {
  readonly msgmni: number;
  /** auto_msgmni (v2.6.27); follows (un)registration in the v2.6.26 form. */
  readonly auto: 0 | 1;
  /** false once D2 freed it. */
  readonly alive: boolean;
  /** Ghost for P3: a user write's E2 completed and no auto re-enable happened since. */
  readonly manual: boolean;
}

/** Locals of a two-step recompute between RC1 and RC2 (W1). */
export interface RcLocals {
  readonly L: number;
  readonly n: number;
}

/** A walk of the ipcns chain owned by a context (C3, D4, K2–K4, V2's H1). */
export interface Walk {
  readonly call: ChainCall;
  /** RC1's locals while the callback of `call.calling` is between RC1 and RC2. */
  readonly rc: RcLocals | null;
  /** Ghost for P7 (MEMCHANGED walks): entered after the last change of L. */
  readonly fresh: boolean;
}

/** The hotplug task inside the memory-chain walk (MEM_ONLINE / MEM_OFFLINE). */
export interface HCtx {
  readonly kind: 'H';
  readonly mem: ChainCall;
  /** V2: the ipcns walk H runs itself inside the memory-chain callback. */
  readonly walk: Walk | null;
}

/** The keventd worker running `ipc_memory_notifier` (K2–K4). */
export interface KCtx {
  readonly kind: 'K';
  readonly walk: Walk;
}

/** Program counter of a creator. */
export type CPc = 'C2' | 'C3' | 'C4';
/** A `clone_ipc_ns` in flight (C1 is taken by the `create` event). */
export interface CCtx {
  readonly kind: 'C';
  readonly ns: NsId;
  readonly pc: CPc;
  /** C2's recompute of the new ns between RC1 and RC2 (W1). */
  readonly rc: RcLocals | null;
  readonly walk: Walk | null;
}

/** Program counter of a destroyer. */
export type DPc = 'D1' | 'D2' | 'D3' | 'D4';
/** A `free_ipc_ns` in flight. */
export interface DCtx {
  readonly kind: 'D';
  readonly ns: NsId;
  readonly pc: DPc;
  readonly walk: Walk | null;
}

/**
 * Steps of the two sysctl writers. `lock` is the reference's sysctl mutex
 * (the W4 fix); `rc`, `zero`, `register` are the re-enable path
 * (recompute, memset of the block outside the lock, conditional register).
 */
export type WriterPc = 'lock' | 'E1' | 'E2-decide' | 'A1' | 'A2' | 'A3' | 'unregister' | 'rc' | 'zero' | 'register';

/** A write to /proc/sys/kernel/msgmni (E) or auto_msgmni (A) of init, in flight. */
export interface WCtx {
  readonly kind: 'E' | 'A';
  /** The namespace of the writing task: the one whose files it writes. */
  readonly ns: NsId;
  readonly pc: WriterPc;
  readonly v: number;
  /** A1's read of auto. */
  readonly old: number;
  /** The re-enable path's recompute between RC1 and RC2 (W1). */
  readonly rc: RcLocals | null;
  /** The write is a re-enable request (A writing 1 over 0, or a v2.6.26 negative msgmni write). */
  readonly reenable: boolean;
}

/** Any context. */
export type Ctx = HCtx | KCtx | CCtx | DCtx | WCtx;

/** Auto writers: one in §7, a second for W4's v2.6.27 form. */
export type AutoWriter = 'A' | "A'";
/** Every context name, in the order `actions` lists them. */
export const CTX_ORDER: readonly string[] = ['H', 'K', 'C:ns1', 'C:ns2', 'D:ns1', 'D:ns2', 'E', 'A', "A'"];

/** Environment budget left. */
export interface Budget {
  readonly mem: number;
  readonly creates: number;
  readonly destroys: number;
  readonly manual: number;
  readonly auto: { readonly A: number; readonly "A'": number };
}

/** Model state. */
export interface MsgmniState {
  readonly k: KernelState;
  /** Lowmem, in pages (kernel form) or units (scaled form). */
  readonly L: number;
  readonly blockOnline: boolean;
  /** nr_ipc_ns. */
  readonly nr: number;
  readonly ns: { readonly [id in NsId]?: Ns };
  readonly ipcns: NotifierChain;
  readonly wq: Workqueue;
  readonly ctxs: { readonly [name: string]: Ctx };
  readonly left: Budget;
  /** Ghost for P7: L changed and no MEMCHANGED walk entered after the change has completed. */
  readonly memStale: boolean;
  /**
   * Ghost for P1 and P5: the recompute the step that produced this state
   * wrote (by which context, into which ns, from which L and n); null when
   * it wrote none. No step reads it; the state key leaves it out.
   */
  readonly wrote: RcWrote | null;
  /** Ghost for P3: the value a user write stored (E1) in the step that produced this state; null otherwise. No step reads it; the state key leaves it out. */
  readonly stored: { readonly ns: NsId; readonly v: number } | null;
}

/** What a recompute wrote: the context that ran it, the ns, and the L and n it computed f from. */
export interface RcWrote {
  readonly by: string;
  readonly ns: NsId;
  readonly L: number;
  readonly n: number;
}

/** Configuration (spec 01 §7 for the small one). */
export interface MsgmniConfig {
  /** `kernel`: the real constants, L in 4 KiB pages; `scaled`: §7's clamp(L/n, 1, 8/n). */
  readonly formula: 'kernel' | 'scaled';
  /** Lowmem outside the hotplug block. */
  readonly base: number;
  /** Size of the one memory block that goes on/offline. */
  readonly block: number;
  readonly blockOnline: boolean;
  /** Memory events (online/offline) the environment may fire. */
  readonly memEvents: number;
  /** Namespaces the environment may create (≤ 2). */
  readonly creates: number;
  /** Namespaces the environment may destroy. */
  readonly destroys: number;
  /** Values a write to msgmni may store. */
  readonly manualValues: readonly number[];
  readonly manualWrites: number;
  /** Values a write to auto_msgmni may carry (outside {0,1}: -EINVAL). */
  readonly autoValues: readonly number[];
  /** Writes per auto writer. */
  readonly autoWrites: number;
  /** 1, or 2 for the v2.6.27 form of W4. */
  readonly autoWriters: number;
  /**
   * The namespace the sysctl writers' tasks live in (default init). `ns1`:
   * they write the created namespace's files, once its creation is done;
   * their reference keeps its destroy from starting while they write.
   */
  readonly writerNs?: 'init' | 'ns1';
}

/** The namespace whose files the sysctl writers write. */
export function writerNs(c: MsgmniConfig): NsId {
  return c.writerNs ?? 'init';
}

/** Names of the context-step action types (spec step names; `RC*` is a recompute of `ns`). */
export type StepType = 'H1' | 'K1' | 'K2' | 'K4' | 'C2' | 'C3' | 'C4' | 'D1' | 'D2' | 'D3' | 'D4' | 'E0' | 'E1' | 'E2' | 'A0' | 'A1' | 'A2' | 'A3' | 'RC' | 'RC1' | 'RC2';

/** Every action: environment events, then context steps. */
export type MsgmniAction =
  | { readonly type: 'online' | 'offline' | 'create' }
  | { readonly type: 'destroy'; readonly ns: NsId }
  | { readonly type: 'write_msgmni'; readonly v: number }
  | { readonly type: 'write_auto'; readonly w: AutoWriter; readonly v: number }
  | { readonly type: StepType; readonly ctx: string; readonly part?: string; readonly ns?: NsId };

/** Lock names in the kernel slice. */
export const LOCKS = { memory: 'memory_chain', ipcns: 'ipcns_chain', sysctl: 'sysctl_mutex' } as const;
/** The work item of patch 5. */
export const WORK = 'ipc_memory_wq';

/** Behaviour switches of one variant; all false is `reference`. */
export interface MsgmniFlags {
  /** V1: no patch 7: a manual write leaves the ns registered (E2 dropped). */
  readonly noUnregisterOnWrite: boolean;
  /** V2: no patch 5: H walks the ipcns chain itself, inside the memory-chain walk. */
  readonly notifyUnderMemoryChain: boolean;
  /** V3: no patch 6: no IPCNS_CREATED / IPCNS_REMOVED walks (C3, D4 dropped). */
  readonly noCreateRemoveWalks: boolean;
  /** V4: no patch 2: RC uses n = 1 (no division by the namespace count). */
  readonly noDivision: boolean;
  /** V5: H1 calls schedule_work without testing work_pending. */
  readonly noWorkPendingTest: boolean;
  /** W1: RC is two steps (RC1 reads L and n, RC2 writes). */
  readonly rcSplit: boolean;
  /** W2: C3 (notify) before C4 (register), as merged. */
  readonly registerAfterNotify: boolean;
  /** W3: E1 (store) before E2 (unregister), as merged. */
  readonly storeBeforeUnregister: boolean;
  /** W4-26: a negative msgmni write re-enables (v2.6.26 patch 8), zeroing the block outside the lock. */
  readonly negativeReenables: boolean;
  /** W4-27: the sysctl handlers are not serialized (merged v2.6.27). */
  readonly unserializedSysctl: boolean;
}

/** The formula constants of a configuration. */
export function constantsOf(c: MsgmniConfig): FormulaConstants {
  return c.formula === 'kernel' ? KERNEL : SCALED;
}

/** The recompute locals a step would read now: L and nr_ipc_ns (1 for V4). */
export function readLocals(s: { L: number; nr: number }, f: MsgmniFlags): RcLocals {
  return { L: s.L, n: f.noDivision ? 1 : s.nr };
}

/** No context mid-flight and the work item idle. */
export function quiescent(s: MsgmniState): boolean {
  return Object.keys(s.ctxs).length === 0 && workerState(s.wq) === 'idle';
}

