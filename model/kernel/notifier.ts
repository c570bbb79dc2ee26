/**
 * Notifier chains (spec 00 §1; kernel/notifier.c, include/linux/notifier.h,
 * v2.6.33) as plain data plus operations on immer drafts.
 *
 * **Representation.** A chain is the kernel's singly linked list, not an
 * array: `head` names the first block and every block carries its own `next`
 * link. The table `blocks` holds every block the chain's memory knows —
 * linked ones and ones that were unregistered but not yet freed — sorted by
 * id so that equal chains serialize equally. Callbacks are not data: a model
 * decides what calling block `id` does.
 *
 * Links make the kernel's hazards fall out of the kernel's own algorithms
 * instead of being special-cased:
 * - registering a block that is already linked rewires its `next` (cutting
 *   off blocks, or linking the block to itself when it is the last of its
 *   priority) and marks the chain `corrupt`;
 * - {@link resetBlock} overwrites a linked block (memset + set priority),
 *   cutting off everything after it;
 * - a walk follows the `next` link it read *before* calling a block, so it
 *   still visits a block unregistered meanwhile (atomic chains), and sees
 *   blocks registered ahead of its position.
 *
 * **Walks** ({@link ChainCall}) are stepwise: enter (lock / RCU read lock),
 * then per block {@link callNext} → the model runs the callback (one or more
 * steps) → {@link callReturn}, then {@link callExit}. The read lock of a
 * blocking chain is an rwsem in the {@link KernelState}, taken through
 * locks.ts, so waiting, FIFO fairness and deadlocks come for free.
 */
import type { Draft } from 'immer';
import { produce } from './immer.js';
import type { Acquire } from './locks.js';
import { downRead, downWrite, mightSleep, spinLock, spinUnlock, upRead, upWrite } from './locks.js';
import { ENOENT } from './errno.js';
import { marked, unrecorded } from './footprint.js';
import type { KernelState } from './state.js';
import { waitingOn } from './state.js';

type K = Draft<KernelState>;

/** The callback did not care. */
export const NOTIFY_DONE = 0;
/** The callback handled the event. */
export const NOTIFY_OK = 1;
/** Bit that stops the walk after the callback returning it. */
export const NOTIFY_STOP_MASK = 0x8000;
/** Veto (`NOTIFY_STOP_MASK | 2`); decodes to -EPERM. */
export const NOTIFY_BAD = 0x8002;
/** Handled, stop the walk (`NOTIFY_STOP_MASK | NOTIFY_OK`); decodes to 0. */
export const NOTIFY_STOP = 0x8001;

/**
 * notifier_from_errno, v2.6.33: `NOTIFY_STOP_MASK | (NOTIFY_OK - err)` as a
 * 32-bit int, with no special case for 0 (so `from(0)` is NOTIFY_STOP; later
 * kernels return NOTIFY_OK). A positive `err` gives a negative int that
 * still has the stop bit set: see {@link notifierToErrno}.
 */
export function notifierFromErrno(err: number): number {
  return NOTIFY_STOP_MASK | (NOTIFY_OK - err);
}

/**
 * notifier_to_errno: `r = ret & ~NOTIFY_STOP_MASK`; `NOTIFY_OK - r` if
 * `r > NOTIFY_OK`, else 0. The value from a positive errno is negative after
 * masking, so it decodes to 0: the walk stopped but the caller sees success.
 */
export function notifierToErrno(ret: number): number {
  const r = ret & ~NOTIFY_STOP_MASK;
  return r > NOTIFY_OK ? NOTIFY_OK - r : 0;
}

/** Whether a callback result stops the walk. */
export function stopsWalk(ret: number): boolean {
  return (ret & NOTIFY_STOP_MASK) === NOTIFY_STOP_MASK;
}

/** `blocking`: rwsem, callbacks may sleep. `atomic`: spinlock for writers, RCU for walks, callbacks must not sleep. */
export type ChainFlavour = 'blocking' | 'atomic';

/** A struct notifier_block: its callback is the model's, its link is here. */
export interface NotifierBlock {
  readonly id: string;
  readonly priority: number;
  /** Id of the next block, as stored in this block's memory (meaningful only while linked, or for a walk that read it). */
  readonly next: string | null;
}

/** A context inside an RCU read-side walk of an atomic chain. */
export interface RcuWalker {
  readonly ctx: string;
  /** Contexts in synchronize_rcu that must wait for this walk to end. */
  readonly graceWaiters: readonly string[];
}

/** A notifier chain head plus the memory of its blocks. */
export interface NotifierChain {
  readonly name: string;
  readonly flavour: ChainFlavour;
  /**
   * Lock in the {@link KernelState}: an rwsem for a blocking chain, a spinlock
   * for an atomic one; `null` when the model does not model it.
   */
  readonly lock: string | null;
  readonly head: string | null;
  /** Every known block, linked or detached (unregistered, not freed), sorted by id. */
  readonly blocks: readonly NotifierBlock[];
  /** RCU readers (atomic chains only), in entry order. */
  readonly walkers: readonly RcuWalker[];
  /** Set when a linked block was registered again, overwritten or freed: the links no longer match any registration history. */
  readonly corrupt: boolean;
}

/** A list operation that never ends: it walks a cycle (left by a duplicate registration) without finding its stop condition. */
export type Hang = 'hang';

/**
 * A chain with the given blocks registered in order, as at boot (no lock
 * taken). `lock` names the chain's rwsem (blocking) or spinlock (atomic).
 */
export function notifierChain(
  name: string,
  flavour: ChainFlavour,
  opts: { lock?: string; blocks?: readonly { id: string; priority: number }[] } = {},
): NotifierChain {
  const c: NotifierChain = { name, flavour, lock: opts.lock ?? null, head: null, blocks: [], walkers: [], corrupt: false };
  return produce(c, (d) => {
    for (const b of opts.blocks ?? []) register(d, b);
  });
}

function find<C extends NotifierChain | Draft<NotifierChain>>(c: C, id: string): C['blocks'][number] | undefined {
  return c.blocks.find((b) => b.id === id);
}

function setLink(c: Draft<NotifierChain>, prev: string | null, to: string | null): void {
  if (prev === null) c.head = to;
  else {
    const b = find(c, prev);
    if (b) b.next = to;
  }
}

function upsert(c: Draft<NotifierChain>, id: string, priority: number, next: string | null): void {
  const b = find(c, id);
  if (b) {
    b.priority = priority;
    b.next = next;
    return;
  }
  const i = c.blocks.findIndex((x) => x.id > id);
  c.blocks.splice(i < 0 ? c.blocks.length : i, 0, { id, priority, next });
}

/**
 * The blocks a walk from the head visits, in order. Stops before a block that
 * was freed, and after the first block seen twice (a cycle).
 */
export function chainOrder(c: NotifierChain): NotifierBlock[] {
  const out: NotifierBlock[] = [];
  const seen = new Set<string>();
  let cur = c.head;
  while (cur !== null) {
    const b = find(c, cur);
    if (!b || seen.has(cur)) break;
    seen.add(cur);
    out.push(b);
    cur = b.next;
  }
  return out;
}

/** Ids of {@link chainOrder}. */
export function chainIds(c: NotifierChain): string[] {
  return chainOrder(c).map((b) => b.id);
}

/** Whether a walk from the head reaches `id`. */
export function isLinked(c: NotifierChain, id: string): boolean {
  return chainIds(c).includes(id);
}

/** Whether a walk from the head never ends (some block links back to one already visited). */
export function hasCycle(c: NotifierChain): boolean {
  const order = chainOrder(c);
  const last = order[order.length - 1];
  return last !== undefined && last.next !== null && order.some((b) => b.id === last.next);
}

/**
 * notifier_chain_register: walk to the first block of strictly lower
 * priority, link the block before it (ties keep registration order). No
 * duplicate check: registering a linked block rewires it as the kernel does,
 * and marks the chain `corrupt`. Returns 0, or `'hang'` if the walk cycles.
 * Takes no lock (boot); see {@link lockedRegister}.
 */
export function register(c: Draft<NotifierChain>, block: { id: string; priority: number }): 0 | Hang {
  const wasLinked = isLinked(c as NotifierChain, block.id);
  let prev: string | null = null;
  let cur = c.head;
  for (let steps = 0; cur !== null; steps++) {
    if (steps > c.blocks.length) return 'hang';
    const b = find(c, cur);
    if (!b || block.priority > b.priority) break;
    prev = cur;
    cur = b.next;
  }
  // kernel order: n->next = *nl; *nl = n (so prev === n links n to itself)
  upsert(c, block.id, block.priority, cur);
  setLink(c, prev, block.id);
  if (wasLinked) c.corrupt = true;
  return 0;
}

/**
 * notifier_chain_cond_register (v2.6.26+): like {@link register}, but the
 * walk to the insertion point returns 0 unchanged if it meets the block
 * itself. A block linked *after* the insertion point (it was registered with
 * a lower priority) is not seen and gets linked twice (`corrupt`).
 */
export function conditionalRegister(c: Draft<NotifierChain>, block: { id: string; priority: number }): 0 | Hang {
  const wasLinked = isLinked(c as NotifierChain, block.id);
  let prev: string | null = null;
  let cur = c.head;
  for (let steps = 0; cur !== null; steps++) {
    if (steps > c.blocks.length) return 'hang';
    if (cur === block.id) return 0;
    const b = find(c, cur);
    if (!b || block.priority > b.priority) break;
    prev = cur;
    cur = b.next;
  }
  upsert(c, block.id, block.priority, cur);
  setLink(c, prev, block.id);
  if (wasLinked) c.corrupt = true;
  return 0;
}

/**
 * notifier_chain_unregister: unlink the first occurrence (predecessor's link
 * := the block's `next`) and return 0, or -ENOENT. The block's own `next` is
 * left as it was, so a walk that already read a link to it carries on through
 * it. The block stays in the table (detached) until {@link freeBlock}.
 */
export function unregister(c: Draft<NotifierChain>, id: string): 0 | -2 | Hang {
  let prev: string | null = null;
  let cur = c.head;
  for (let steps = 0; cur !== null; steps++) {
    if (steps > c.blocks.length) return 'hang';
    const b = find(c, cur);
    if (cur === id) {
      setLink(c, prev, b?.next ?? null);
      return 0;
    }
    if (!b) break;
    prev = cur;
    cur = b.next;
  }
  return -ENOENT as -2;
}

/**
 * Overwrites a block's memory as `memset(nb, 0); nb->priority = p` does: its
 * `next` becomes null whether or not it is linked. On a linked block this cuts
 * off every later block, and marks the chain `corrupt`.
 */
export function resetBlock(c: Draft<NotifierChain>, id: string, priority: number): void {
  // race check: whether the block is linked is the model's own look (the kernel does not check), and
  // finding it is the model's table lookup; the memset's stores are shared accesses only while the
  // block is linked — an unlinked block belongs to the context that unlinked it
  const linked = unrecorded(() => isLinked(c as NotifierChain, id));
  const b = linked ? unrecorded(() => find(c, id)) : undefined;
  if (b === undefined) {
    unrecorded(() => upsert(c, id, priority, null));
    return;
  }
  unrecorded(() => {
    c.corrupt = true;
  });
  b.priority = priority;
  b.next = null;
}

/**
 * The block's memory is freed (kfree): it leaves the table. A walk that later
 * reaches it records a use-after-free ({@link ChainCall.freed}). Freeing a
 * linked block marks the chain `corrupt`.
 */
export function freeBlock(c: Draft<NotifierChain>, id: string): void {
  // the model's own check (the kernel does not look): not part of the step's footprint
  unrecorded(() => {
    if (isLinked(c as NotifierChain, id)) c.corrupt = true;
  });
  const i = c.blocks.findIndex((b) => b.id === id);
  if (i >= 0) c.blocks.splice(i, 1);
}

/**
 * Takes the chain's writer lock: down_write (blocking; may sleep) or
 * spin_lock (atomic). `'acquired'` when the chain has no modelled lock.
 */
export function chainLock(k: K, c: NotifierChain | Draft<NotifierChain>, ctx: string): Acquire {
  if (c.lock === null) return 'acquired';
  return c.flavour === 'blocking' ? downWrite(k, c.lock, ctx) : spinLock(k, c.lock, ctx);
}

/** Releases the chain's writer lock. */
export function chainUnlock(k: K, c: NotifierChain | Draft<NotifierChain>, ctx: string): void {
  if (c.lock === null) return;
  if (c.flavour === 'blocking') upWrite(k, c.lock, ctx);
  else spinUnlock(k, c.lock, ctx);
}

/**
 * One step of `*_notifier_chain_register`: take the writer lock, register,
 * release. `'waiting'` leaves the context queued; retry the same call once
 * `canProceed`. On `'hang'` the lock stays held: the kernel spins forever
 * inside the critical section.
 */
export function lockedRegister(k: K, c: Draft<NotifierChain>, block: { id: string; priority: number }, ctx: string): 'waiting' | 0 | Hang {
  if (chainLock(k, c, ctx) === 'waiting') return 'waiting';
  const r = register(c, block);
  if (r !== 'hang') chainUnlock(k, c, ctx);
  return r;
}

/** One step of `blocking_notifier_chain_cond_register`; see {@link lockedRegister}. */
export function lockedConditionalRegister(
  k: K,
  c: Draft<NotifierChain>,
  block: { id: string; priority: number },
  ctx: string,
): 'waiting' | 0 | Hang {
  if (chainLock(k, c, ctx) === 'waiting') return 'waiting';
  const r = conditionalRegister(c, block);
  if (r !== 'hang') chainUnlock(k, c, ctx);
  return r;
}

/**
 * One step of `*_notifier_chain_unregister`. For an atomic chain the kernel
 * then calls synchronize_rcu: this step records the grace period (every RCU
 * walker now in progress must end) and flags sleeping in atomic context; the
 * model's next step for `ctx` waits for {@link rcuGraceDone}.
 */
export function lockedUnregister(k: K, c: Draft<NotifierChain>, id: string, ctx: string): 'waiting' | 0 | -2 | Hang {
  if (chainLock(k, c, ctx) === 'waiting') return 'waiting';
  const r = unregister(c, id);
  if (r === 'hang') return r;
  chainUnlock(k, c, ctx);
  if (c.flavour === 'atomic') {
    mightSleep(k, ctx, `synchronize_rcu(${c.name})`);
    rcuMightSleep(k, [c as NotifierChain], ctx, `synchronize_rcu(${c.name})`);
    rcuGraceBegin(c, ctx);
  }
  return r;
}

/** synchronize_rcu, first half: every walker of `c` now in progress must end before `ctx` goes on. */
export function rcuGraceBegin(c: Draft<NotifierChain>, ctx: string): void {
  for (const w of c.walkers) if (w.ctx !== ctx && !w.graceWaiters.includes(ctx)) w.graceWaiters.push(ctx);
}

/** synchronize_rcu, guard: no walker that was in progress at {@link rcuGraceBegin} is still walking. */
export function rcuGraceDone(c: NotifierChain, ctx: string): boolean {
  return !c.walkers.some((w) => w.graceWaiters.includes(ctx));
}

/**
 * Flags sleep-in-atomic if `ctx` is inside an RCU walk of any of the given
 * atomic chains. The RCU read lock is not a lock in the {@link KernelState},
 * so `mightSleep` cannot see it: a callback of an atomic chain calls this
 * before any step that may block (mutex_lock, down_*, a `__GFP_WAIT`
 * allocation), next to the lock operation (which itself checks spinlocks).
 */
export function rcuMightSleep(k: K, chains: readonly NotifierChain[], ctx: string, what: string): void {
  for (const c of chains) {
    if (c.flavour === 'atomic' && c.walkers.some((w) => w.ctx === ctx)) {
      k.faults.push({ kind: 'sleep-in-atomic', ctx, what, detail: `${ctx} may sleep in ${what} inside atomic notifier chain ${c.name} (rcu_read_lock)` });
    }
  }
}

/**
 * Where a walk is:
 * - `enter`: not started (blocking: the lock-free head check, then down_read; atomic: rcu_read_lock);
 * - `walk`: ready to call `cur`;
 * - `callback`: the model is running block `calling`;
 * - `exit`: walk over, lock / RCU still held;
 * - `done`: released; `ret` is the result.
 */
export type CallStage = 'enter' | 'walk' | 'callback' | 'exit' | 'done';

/**
 * One notifier_call_chain in progress, kept in the calling context's locals.
 *
 * `cur` is the link the walk will follow next, read from the previous block
 * *before* that block's callback ran (or from the head at entry). The walk
 * therefore behaves as the kernel's under concurrent modification (possible
 * for atomic chains, and for blocking chains only through bugs such as
 * {@link resetBlock} outside the lock):
 * - a block unregistered after its predecessor was called is still called,
 *   and the walk goes on through its (unchanged) `next`;
 * - a block registered right after the block being called is not seen;
 *   one registered further ahead is;
 * - a block freed before the walk reaches it is reported in `freed`.
 */
export interface ChainCall {
  readonly chain: string;
  readonly val: number;
  readonly stage: CallStage;
  readonly cur: string | null;
  readonly calling: string | null;
  /** Last callback result; NOTIFY_DONE until one returns. */
  readonly ret: number;
  /** First block the walk reached after it had been freed (a use-after-free), else null. */
  readonly freed: string | null;
}

/** A walk of `chain` with event `val`, not yet entered (no step taken). */
export function callBegin(chain: string | NotifierChain, val: number): ChainCall {
  return { chain: typeof chain === 'string' ? chain : chain.name, val, stage: 'enter', cur: null, calling: null, ret: NOTIFY_DONE, freed: null };
}

function same(call: ChainCall | Draft<ChainCall>, c: NotifierChain | Draft<NotifierChain>): void {
  if (call.chain !== c.name) throw new Error(`walk of ${call.chain} driven with chain ${c.name}`);
}

function stage(call: ChainCall | Draft<ChainCall>, want: CallStage, fn: string): void {
  if (call.stage !== want) throw new Error(`${fn} on a walk of ${call.chain} at stage ${call.stage}, expected ${want}`);
}

/**
 * Entry step of a walk.
 *
 * Blocking: `if (head) { down_read; walk }`. The lock-free head check is made
 * in the same step as the first down_read attempt and only then: a context
 * already queued on the rwsem retries the down_read alone, as the kernel
 * sleeps inside down_read after one check. `'empty'` ends the walk with
 * NOTIFY_DONE without touching the lock; `'waiting'` leaves the context queued
 * (retry once `canProceed`).
 *
 * Atomic: rcu_read_lock (never waits); the context becomes a walker of `c`.
 *
 * After entry the walk reads the head under the lock; with nothing to call it
 * goes straight to `exit`.
 */
export function callEnter(k: K, call: Draft<ChainCall>, c: Draft<NotifierChain>, ctx: string): 'entered' | 'empty' | 'waiting' {
  same(call, c);
  stage(call, 'enter', 'callEnter');
  if (c.flavour === 'blocking') {
    if (c.lock !== null) {
      const retry = waitingOn(k as KernelState, ctx) === c.lock;
      // the lock-free test is rcu_dereference(nh->head): a marked read
      if (!retry && marked(() => c.head === null)) {
        call.stage = 'done';
        call.ret = NOTIFY_DONE;
        return 'empty';
      }
      if (downRead(k, c.lock, ctx) === 'waiting') return 'waiting';
    }
  } else {
    c.walkers.push({ ctx, graceWaiters: [] });
  }
  call.cur = c.head;
  call.stage = c.head === null ? 'exit' : 'walk';
  return 'entered';
}

/**
 * Starts the callback of the next block: reads that block's `next` link
 * (before the call, as the kernel does) and returns the block id, or
 * `undefined` when nothing is left (the walk moves to `exit`). The model
 * runs the callback for the returned id and then calls {@link callReturn};
 * this is not a step of its own but the start of the callback's first step.
 */
export function callNext(call: Draft<ChainCall>, c: NotifierChain | Draft<NotifierChain>): string | undefined {
  same(call, c);
  if (call.stage !== 'walk') return undefined;
  const id = call.cur;
  if (id === null) {
    call.stage = 'exit';
    return undefined;
  }
  const b = find(c, id);
  if (!b && call.freed === null) call.freed = id;
  call.cur = b ? b.next : null;
  call.calling = id;
  call.stage = 'callback';
  return id;
}

/**
 * Records the running callback's result. A result with the stop bit, or no
 * block left, ends the walk (`exit`); otherwise the walk is ready for the next
 * {@link callNext}.
 */
export function callReturn(call: Draft<ChainCall>, result: number): void {
  stage(call, 'callback', 'callReturn');
  call.ret = result;
  call.calling = null;
  call.stage = stopsWalk(result) || call.cur === null ? 'exit' : 'walk';
}

/** Exit step: up_read (blocking) or rcu_read_unlock (atomic). */
export function callExit(k: K, call: Draft<ChainCall>, c: Draft<NotifierChain>, ctx: string): void {
  same(call, c);
  stage(call, 'exit', 'callExit');
  if (c.flavour === 'blocking') {
    if (c.lock !== null) upRead(k, c.lock, ctx);
  } else {
    const i = c.walkers.findIndex((w) => w.ctx === ctx);
    if (i >= 0) c.walkers.splice(i, 1);
  }
  call.stage = 'done';
}

/** Whether the walk has released everything and has a result. */
export function callDone(call: ChainCall): boolean {
  return call.stage === 'done';
}

/** The walk's result: the last callback's return value, NOTIFY_DONE if none ran. */
export function callResult(call: ChainCall): number {
  return call.ret;
}

/**
 * Runs a whole walk in one step with single-step callbacks: enter, every
 * callback, exit. Returns the result, or `'waiting'` if the read lock is
 * contended (retry later). This collapses the walk's interleavings; use it
 * only where the spec makes the walk one step.
 */
export function callAll(k: K, call: Draft<ChainCall>, c: Draft<NotifierChain>, ctx: string, cb: (id: string, val: number) => number): number | 'waiting' {
  if (call.stage === 'enter') {
    const e = callEnter(k, call, c, ctx);
    if (e === 'waiting') return 'waiting';
    if (e === 'empty') return call.ret;
  }
  for (let n = 0, id = callNext(call, c); id !== undefined; n++, id = callNext(call, c)) {
    // a walk round a cycle never ends in the kernel either; refuse to spin forever inside one step
    if (n > c.blocks.length) throw new Error(`callAll on ${c.name}: the walk does not end, drive it step by step`);
    callReturn(call, cb(id, call.val));
  }
  if (call.stage === 'exit') callExit(k, call, c, ctx);
  return call.ret;
}
