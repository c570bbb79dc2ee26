/**
 * A 20-step, 4-context trace over all three lock kinds that ends in an ABBA
 * deadlock, for the HTML trace view: A and B take `cache_mutex` and
 * `pool_mutex` in opposite orders, C and D contend on `map_sem` (a waiting
 * writer makes a later reader queue) and `list_lock` (a spinning waiter).
 * Each context runs a fixed program; a step is named `<ctx><n>` like a
 * spec's steps, and a contended acquire is retried by the same step.
 */
import { produce } from '../model/kernel/immer.js';
import { match } from 'ts-pattern';
import type { Machine } from '../model/contract.js';
import { canProceed, downRead, downWrite, mutexLock, mutexUnlock, spinLock, spinUnlock, upRead, upWrite } from '../model/kernel/locks.js';
import type { KernelState } from '../model/kernel/state.js';
import { kernelState } from '../model/kernel/state.js';
import type { Trace } from '../properties/check.js';
import { runTrace } from '../properties/check.js';

type Op = 'mutex_lock' | 'mutex_unlock' | 'spin_lock' | 'spin_unlock' | 'down_read' | 'up_read' | 'down_write' | 'up_write';

const PROGRAMS: Record<string, [Op, string][]> = {
  A: [['mutex_lock', 'cache_mutex'], ['spin_lock', 'list_lock'], ['spin_unlock', 'list_lock'], ['mutex_lock', 'pool_mutex'], ['mutex_unlock', 'pool_mutex']],
  B: [['mutex_lock', 'pool_mutex'], ['down_read', 'map_sem'], ['up_read', 'map_sem'], ['mutex_lock', 'cache_mutex'], ['mutex_unlock', 'cache_mutex']],
  C: [['down_read', 'map_sem'], ['spin_lock', 'list_lock'], ['spin_unlock', 'list_lock'], ['up_read', 'map_sem'], ['mutex_lock', 'cache_mutex']],
  D: [['down_write', 'map_sem'], ['spin_lock', 'list_lock'], ['spin_unlock', 'list_lock'], ['up_write', 'map_sem']],
};
const CTXS = Object.keys(PROGRAMS);

/** State: the kernel slice, a program counter and a step count per context. */
export interface LanesState {
  readonly k: KernelState;
  readonly pc: { readonly [ctx: string]: number };
  readonly tries: { readonly [ctx: string]: number };
}
/** A step: its name, e.g. `A4`. */
export interface LanesAction {
  readonly type: string;
}

const opOf = (a: LanesAction): { ctx: string; op: Op; lock: string } => {
  const ctx = a.type.slice(0, 1);
  const [op, lock] = PROGRAMS[ctx]?.[Number(a.type.slice(1)) - 1] ?? ['spin_lock', '?'];
  return { ctx, op, lock };
};

/** The machine. */
export const lanesMachine: Machine<LanesState, LanesAction> = {
  init: () => ({
    k: kernelState({ cache_mutex: 'mutex', pool_mutex: 'mutex', list_lock: 'spin', map_sem: 'rwsem' }),
    pc: Object.fromEntries(CTXS.map((c) => [c, 0])),
    tries: Object.fromEntries(CTXS.map((c) => [c, 0])),
  }),
  actions: (s) => CTXS.filter((c) => (s.pc[c] ?? 0) < (PROGRAMS[c]?.length ?? 0) && canProceed(s.k, c)).map((c) => ({ type: `${c}${(s.pc[c] ?? 0) + 1}` })),
  next: (s, a) =>
    produce(s, (d) => {
      const { ctx, op, lock } = opOf(a);
      d.tries[ctx] = (d.tries[ctx] ?? 0) + 1;
      const done = match(op)
        .with('mutex_lock', () => mutexLock(d.k, lock, ctx) === 'acquired')
        .with('spin_lock', () => spinLock(d.k, lock, ctx) === 'acquired')
        .with('down_read', () => downRead(d.k, lock, ctx) === 'acquired')
        .with('down_write', () => downWrite(d.k, lock, ctx) === 'acquired')
        .with('mutex_unlock', () => (mutexUnlock(d.k, lock, ctx), true))
        .with('spin_unlock', () => (spinUnlock(d.k, lock, ctx), true))
        .with('up_read', () => (upRead(d.k, lock, ctx), true))
        .with('up_write', () => (upWrite(d.k, lock, ctx), true))
        .exhaustive();
      if (done) d.pc[ctx] = (d.pc[ctx] ?? 0) + 1;
    }),
  describe: (a) => {
    const { ctx, op, lock } = opOf(a);
    return { ctx, step: a.type, fn: op, text: lock };
  },
  quiescent: (s) => CTXS.every((c) => (s.pc[c] ?? 0) >= (PROGRAMS[c]?.length ?? 0)),
  kernel: (s) => s.k,
  properties: [],
};

/** The order in which contexts step; the last step closes the A–B cycle. */
export const SCHEDULE = ['C', 'A', 'D', 'B', 'A', 'C', 'B', 'A', 'C', 'C', 'C', 'D', 'D', 'D', 'D', 'B', 'B', 'A', 'C', 'B'];

/** The 20-step trace. */
export function lanesTrace(): Trace {
  return runTrace(lanesMachine, (i, enabled) => enabled.find((a) => a.type.startsWith(SCHEDULE[i] ?? '-'))).trace;
}
