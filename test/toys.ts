/**
 * Tiny models that make each built-in check fire: two contexts taking two
 * mutexes in opposite orders (deadlock), a context unlocking a mutex it does
 * not own, and a context taking a mutex while holding a spinlock; a graph
 * toy for the liveness engine; and models built of them, for tests of the
 * gate that are about the gate rather than about a kernel design.
 */
import fc from 'fast-check';
import { match } from 'ts-pattern';
import { produce } from '../model/kernel/immer.js';
import type { AnyMachine, AnyModel, Machine, ModelDef } from '../model/contract.js';
import { canProceed, mutexLock, mutexUnlock, spinLock, spinUnlock } from '../model/kernel/locks.js';
import type { KernelState } from '../model/kernel/state.js';
import { kernelState } from '../model/kernel/state.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';

/** A toy state: the kernel slice and a program counter per context. */
export interface ToyState {
  readonly k: KernelState;
  readonly pc: { readonly [ctx: string]: number };
}
/** A toy action: context `ctx` takes its next step. */
export interface ToyAction {
  readonly type: 'step';
  readonly ctx: string;
}

type Op = { op: 'lock' | 'unlock' | 'spin_lock' | 'spin_unlock'; lock: string };

/** A machine where each context runs a fixed list of lock operations. */
export function toyMachine(locks: Record<string, 'spin' | 'mutex'>, programs: Record<string, Op[]>): Machine<ToyState, ToyAction> {
  const ctxs = Object.keys(programs).sort();
  return {
    init: () => ({ k: kernelState(locks), pc: Object.fromEntries(ctxs.map((c) => [c, 0])) }),
    actions: (s) => ctxs.filter((c) => (s.pc[c] ?? 0) < (programs[c]?.length ?? 0) && canProceed(s.k, c)).map((ctx) => ({ type: 'step', ctx })),
    next: (s, a) =>
      produce(s, (d) => {
        const op = programs[a.ctx]?.[d.pc[a.ctx] ?? 0];
        if (!op) return;
        const done = match(op.op)
          .with('lock', () => mutexLock(d.k, op.lock, a.ctx) === 'acquired')
          .with('spin_lock', () => spinLock(d.k, op.lock, a.ctx) === 'acquired')
          .with('unlock', () => (mutexUnlock(d.k, op.lock, a.ctx), true))
          .with('spin_unlock', () => (spinUnlock(d.k, op.lock, a.ctx), true))
          .exhaustive();
        if (done) d.pc[a.ctx] = (d.pc[a.ctx] ?? 0) + 1;
      }),
    describe: (a) => ({ ctx: a.ctx, step: 'step', fn: 'toy' }),
    quiescent: (s) => ctxs.every((c) => (s.pc[c] ?? 0) >= (programs[c]?.length ?? 0)),
    kernel: (s) => s.k,
    properties: [],
  };
}

/** ABBA: A takes m1 then m2, B takes m2 then m1. */
export const abba = toyMachine(
  { m1: 'mutex', m2: 'mutex' },
  {
    A: [{ op: 'lock', lock: 'm1' }, { op: 'lock', lock: 'm2' }, { op: 'unlock', lock: 'm2' }, { op: 'unlock', lock: 'm1' }],
    B: [{ op: 'lock', lock: 'm2' }, { op: 'lock', lock: 'm1' }, { op: 'unlock', lock: 'm1' }, { op: 'unlock', lock: 'm2' }],
  },
);

/** Same order in both contexts: no deadlock. */
export const ordered = toyMachine(
  { m1: 'mutex', m2: 'mutex' },
  {
    A: [{ op: 'lock', lock: 'm1' }, { op: 'lock', lock: 'm2' }, { op: 'unlock', lock: 'm2' }, { op: 'unlock', lock: 'm1' }],
    B: [{ op: 'lock', lock: 'm1' }, { op: 'lock', lock: 'm2' }, { op: 'unlock', lock: 'm2' }, { op: 'unlock', lock: 'm1' }],
  },
);

/** B unlocks the mutex A holds. */
export const nonOwner = toyMachine(
  { m: 'mutex' },
  { A: [{ op: 'lock', lock: 'm' }], B: [{ op: 'unlock', lock: 'm' }] },
);

/** A takes a mutex (may sleep) while holding a spinlock. */
export const sleepy = toyMachine(
  { s: 'spin', m: 'mutex' },
  { A: [{ op: 'spin_lock', lock: 's' }, { op: 'lock', lock: 'm' }, { op: 'unlock', lock: 'm' }, { op: 'spin_unlock', lock: 's' }] },
);

/** A graph toy's state: the node it is at. */
export interface GraphState {
  readonly k: KernelState;
  readonly at: string;
}
/** A graph toy's action: context `ctx` moves along an edge to `to`. */
export interface GraphAction {
  readonly type: 'go';
  readonly ctx: string;
  readonly to: string;
}

/**
 * A machine that is an explicit graph, for the liveness engine: `edges` are
 * `[from, ctx, to]` (ctx `env` is the environment), the initial node is
 * `s0`, and the eventually-property `E` is pending (obligation `w`) at the
 * nodes in `pending`.
 */
export function graphToy(edges: readonly (readonly [string, string, string])[], pending: readonly string[]): Machine<GraphState, GraphAction> {
  return {
    init: () => ({ k: kernelState({}), at: 's0' }),
    actions: (s) => edges.filter(([f]) => f === s.at).map(([, ctx, to]) => ({ type: 'go', ctx, to })),
    next: (s, a) => ({ ...s, at: a.to }),
    describe: (a) => ({ ctx: a.ctx, step: `→${a.to}`, fn: 'toy' }),
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [{ kind: 'eventually', name: 'E', doc: 'toy obligation', pending: (s) => (pending.includes(s.at) ? ['w'] : []) }],
  };
}

/** A counter toy's state. */
export interface CounterState {
  readonly k: KernelState;
  readonly n: number;
}
/** A counter toy's action: `inc` adds one, `jump` ten. */
export interface CounterAction {
  readonly type: 'inc' | 'jump';
}

/**
 * A counter that a single context A increments to 3, broken on purpose by
 * variant: `next` throws on the second step (`next`), `actions` throws at
 * n = 2 (`actions`), or `actions` throws at n = 2 where the always-property
 * `P` (n < 2) is already violated (`violates-then-throws`, which must be
 * reported as P). The eventually-property `E` (pending until n = 3) gives
 * the liveness engine something to check.
 */
export const throwToy: ModelDef<CounterState, CounterAction, Record<string, never>> = {
  name: 'throwtoy',
  title: 'a counter that throws',
  spec: 'none',
  smallConfig: {},
  randomConfig: fc.constant({}),
  variants: [
    { name: 'next', summary: 'next throws on the second step', expect: { kind: 'violates', property: 'model-threw' } },
    { name: 'actions', summary: 'actions throws at n = 2', expect: { kind: 'violates', property: 'model-threw' } },
    { name: 'violates-then-throws', summary: 'P fails at n = 2, where actions throws', expect: { kind: 'violates', property: 'P' } },
  ],
  propertyNames: ['P', 'E'],
  parseConfig: () => ({}),
  machine: (variant) => ({
    init: () => ({ k: kernelState({}), n: 0 }),
    actions: (s) => {
      if (s.n === 2 && variant !== 'next') throw new Error('boom in actions at n = 2');
      return s.n < 3 ? [{ type: 'inc' }] : [];
    },
    next: (s, a) => {
      if (variant === 'next' && s.n === 1) throw new Error('boom in next at n = 1');
      return { ...s, n: s.n + (a.type === 'inc' ? 1 : 10) };
    },
    describe: (a) => ({ ctx: 'A', step: a.type, fn: 'toy' }),
    quiescent: (s) => s.n >= 3,
    kernel: (s) => s.k,
    properties: [
      ...(variant === 'violates-then-throws' ? [{ kind: 'always' as const, name: 'P', doc: 'n < 2', check: (t: { next: CounterState }) => (t.next.n >= 2 ? `n = ${t.next.n}` : undefined) }] : []),
      { kind: 'eventually', name: 'E', doc: 'n reaches 3', pending: (s) => (s.n < 3 ? ['n'] : []) },
    ],
  }),
};

/**
 * A model that breaks the contract: `actions` lists `inc` and `jump` in an
 * order that changes from call to call (it rotates every third call), so a
 * recorded action index means another action on replay. `P` (n < 10) fails
 * after a jump.
 */
export function flippingToy(): Machine<CounterState, CounterAction> {
  let calls = 0;
  return {
    init: () => ({ k: kernelState({}), n: 0 }),
    actions: (s): CounterAction[] => (s.n >= 10 ? [] : ++calls % 3 === 2 ? [{ type: 'jump' }, { type: 'inc' }] : [{ type: 'inc' }, { type: 'jump' }]),
    next: (s, a) => ({ ...s, n: s.n + (a.type === 'inc' ? 1 : 10) }),
    describe: (a) => ({ ctx: 'A', step: a.type, fn: 'toy' }),
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [{ kind: 'always', name: 'P', doc: 'n < 10', check: (t) => (t.next.n >= 10 ? `n = ${t.next.n}` : undefined) }],
  };
}

/**
 * A model that breaks the contract by writing to its input: `next` bumps
 * `n` in place and returns the same object (so the engines would see states
 * change under them).
 */
export function mutatingToy(): Machine<CounterState, CounterAction> {
  return {
    init: () => ({ k: kernelState({}), n: 0 }),
    actions: (s) => (s.n < 3 ? [{ type: 'inc' }] : []),
    next: (s) => {
      (s as { n: number }).n++;
      return s;
    },
    describe: (a) => ({ ctx: 'A', step: a.type, fn: 'toy' }),
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [],
  };
}

/**
 * A model whose variants are toys: `machines` maps each variant to its
 * machine and `expect` to the property it declares violated (absent: it must
 * hold). The configuration is unused (`null`); every engine, the gate
 * included, can run it in milliseconds.
 */
export function toyModel(name: string, machines: Readonly<Record<string, AnyMachine>>, expect: Readonly<Record<string, string>>): AnyModel {
  const variants = Object.keys(machines).map((v) => {
    const property = expect[v];
    return { name: v, summary: `toy ${v}`, expect: property === undefined ? { kind: 'holds' as const } : { kind: 'violates' as const, property } };
  });
  return {
    name,
    title: `toy ${name}`,
    spec: 'none',
    smallConfig: null,
    randomConfig: fc.constant(null),
    variants,
    propertyNames: [...new Set(Object.values(machines).flatMap((m) => m.properties.map((p) => p.name)))],
    parseConfig: () => null,
    machine: (variant) => {
      const m = machines[variant];
      if (!m) throw new Error(`toy ${name} has no variant ${variant}`);
      return m;
    },
  };
}

const erased = <S, A extends ToyAction | GraphAction>(m: Machine<S, A>): AnyMachine => m as unknown as AnyMachine;

/** Lock toys as a model: `reference` (one lock order) holds; `abba` deadlocks; `non-owner` breaks lock discipline. */
export const locksModel: AnyModel = toyModel(
  'locks',
  { reference: erased(ordered), abba: erased(abba), 'non-owner': erased(nonOwner) },
  { abba: 'deadlock', 'non-owner': 'lock-discipline' },
);

/**
 * Graph toys as a model for liveness (its eventually-property `E`):
 * `reference` goes s0 → s1 → done and nothing is pending at `done`; in `loop`
 * A may circle s0 ↔ s1 forever while B, enabled only at s1, never has to
 * step: a weakly fair cycle with the obligation pending all along.
 */
export const livenessModel: AnyModel = toyModel(
  'live',
  {
    reference: erased(graphToy([['s0', 'A', 's1'], ['s1', 'A', 'done']], ['s0', 's1'])),
    loop: erased(graphToy([['s0', 'A', 's1'], ['s1', 'A', 's0'], ['s1', 'B', 'done']], ['s0', 's1'])),
  },
  { loop: 'E' },
);

/** The state of {@link countersToy}. */
export interface CountersState {
  readonly k: KernelState;
  readonly a: number;
  readonly b: number;
  /** Never changed by the rules (a `next` wrapper in a test may). */
  readonly c: number;
  /** A record whose keys never change. */
  readonly ctx: { readonly A: string; readonly B: string };
}

const counterRule = rulesFor<CountersState>();

/**
 * Two counters stepped by two contexts, built from rules on the fast path:
 * A takes `a` to 3 and B takes `b` to 2, in any interleaving (12 states, 17
 * transitions). Property P says `a` stays at most `max` (3: it holds). For
 * the benches that study the engine's graph (bench/*.test.ts).
 */
export function countersToy(max = 3): AnyMachine {
  const m = machineFromRules<CountersState>({
    init: () => ({ k: kernelState({}), a: 0, b: 0, c: 0, ctx: { A: 'run', B: 'run' } }),
    rules: [
      counterRule({ step: 'A1', fn: 'a_step', ctx: 'A', enabled: (s) => when(s.a < 3), apply: (d) => void (d.a += 1) }),
      counterRule({ step: 'B1', fn: 'b_step', ctx: 'B', enabled: (s) => when(s.b < 2), apply: (d) => void (d.b += 1) }),
    ],
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [{ name: 'P', doc: `a stays at most ${max}`, kind: 'always', check: (t) => (t.next.a > max ? `a is ${t.next.a}` : undefined) }],
  });
  return { ...m, fastPath: true } as AnyMachine;
}
