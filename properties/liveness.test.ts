/**
 * The liveness engine on explicit graphs: what weak fairness with a
 * stopping environment reports (fair cycles, stuck states) and what it
 * must not (a cycle that starves a context enabled all along it, a cycle
 * that needs the environment).
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine, Machine } from '../model/contract.js';
import type { WeakMemory } from '../model/kernel/lkmm.js';
import { latest, read, readable, weakMemory, write } from '../model/kernel/lkmm.js';
import type { KernelState } from '../model/kernel/state.js';
import { kernelState } from '../model/kernel/state.js';
import { graphToy } from '../test/toys.js';
import type { LivenessProgress } from './liveness.js';
import { checkLiveness, replayLasso } from './liveness.js';

const run = (edges: readonly (readonly [string, string, string])[], pending: readonly string[]) => checkLiveness(graphToy(edges, pending) as unknown as AnyMachine);
const path = (r: ReturnType<typeof run>): string[] => r.violations.get('E')?.trace.steps.map((s) => `${s.info.ctx}${s.info.step}`) ?? [];

describe('liveness on toy graphs', () => {
  test('a fair cycle: B is enabled only at s1, so A cycling s0 ↔ s1 is weakly fair and keeps the obligation pending', () => {
    const r = run([['s0', 'A', 's1'], ['s1', 'A', 's0'], ['s1', 'B', 'done']], ['s0', 's1']);
    const v = r.violations.get('E');
    expect(v?.kind).toBe('cycle');
    expect(v?.obligation).toBe('w');
    expect({ prefix: v?.prefix, cycle: v?.cycle, loop: v?.trace.loop }).toEqual({ prefix: 0, cycle: 2, loop: 0 });
    expect(path(r)).toEqual(['A→s1', 'A→s0']);
    expect(r.complete).toBe(true);
  });

  test('an unfair cycle is not reported: B is enabled in every state of the cycle and never steps', () => {
    const r = run([['s0', 'A', 's1'], ['s1', 'A', 's0'], ['s0', 'B', 'done'], ['s1', 'B', 'done']], ['s0', 's1']);
    expect([...r.violations.keys()]).toEqual([]);
    expect(r.states).toBe(3);
  });

  test('a cycle that exists only through environment events is not reported (the environment stops)', () => {
    const r = run([['s0', 'A', 's1'], ['s1', 'env', 's0'], ['s1', 'A', 'done']], ['s0', 's1']);
    expect([...r.violations.keys()]).toEqual([]);
  });

  test('a stuck state: pending, and only the environment could move', () => {
    const r = run([['s0', 'A', 's1'], ['s1', 'env', 'done']], ['s1']);
    const v = r.violations.get('E');
    expect(v?.kind).toBe('stuck');
    expect(v?.prefix).toBe(1);
    expect(v?.trace.loop).toBeUndefined();
    expect(v?.message).toMatch(/no context can move/);
  });

  test('a context stepping in place forever (a self-loop) is a fair cycle of one step', () => {
    const r = run([['s0', 'env', 's1'], ['s1', 'A', 's1']], ['s1']);
    const v = r.violations.get('E');
    expect({ kind: v?.kind, prefix: v?.prefix, cycle: v?.cycle, loop: v?.trace.loop }).toEqual({ kind: 'cycle', prefix: 1, cycle: 1, loop: 1 });
  });

  test('the lasso passes the state that disables B: the short cycle s0 ↔ s1 alone would starve B', () => {
    const r = run([['s0', 'A', 's1'], ['s1', 'A', 's0'], ['s1', 'A', 's2'], ['s2', 'A', 's0'], ['s0', 'B', 'x'], ['s1', 'B', 'x']], ['s0', 's1', 's2']);
    const v = r.violations.get('E');
    expect(v?.kind).toBe('cycle');
    expect(path(r)).toContain('A→s2');
  });

  test('no obligation pending at all: nothing to report', () => {
    const r = run([['s0', 'A', 's0']], []);
    expect([...r.violations.keys()]).toEqual([]);
    expect(r.properties).toEqual(['E']);
  });
});

describe('liveness progress', () => {
  test('the graph build reports its states and transitions as they grow, never past the final counts', () => {
    // a chain of 3,000 nodes: the clock polls every 256 transitions, so it reports several times
    const n = 3_000;
    const chain = Array.from({ length: n - 1 }, (_, i) => [`s${i}`, 'A', `s${i + 1}`] as const);
    const m = graphToy(chain, chain.map(([f]) => f));
    const seen: LivenessProgress[] = [];
    const r = checkLiveness(m, { onProgress: (p) => seen.push(p), progressMs: 0 });
    expect(r.states).toBe(n);
    expect(seen.length).toBeGreaterThan(1);
    const states = seen.map((p) => p.states);
    expect(states).toEqual([...states].sort((a, b) => a - b));
    expect(states[0]).toBeGreaterThan(0);
    expect(Math.max(...states)).toBeLessThanOrEqual(r.states);
    expect(Math.max(...seen.map((p) => p.transitions))).toBeLessThanOrEqual(r.transitions);
  });
});

/**
 * A reader R that spins until it reads x = 1, and a writer W that stores it
 * once (or never, `writes: false`), over the weak memory of
 * model/kernel/lkmm.ts: each message R may read is an action.
 */
interface SpinState {
  readonly k: KernelState;
  readonly mem: WeakMemory;
  readonly written: boolean;
  readonly saw: boolean;
}
type SpinAction = { readonly type: 'store' } | { readonly type: 'load'; readonly t: number };
function spinToy(writes: boolean): Machine<SpinState, SpinAction> {
  return {
    init: () => ({ k: kernelState({}), mem: weakMemory('lkmm', { x: 0 }, ['W', 'R']), written: false, saw: false }),
    actions: (s) => [
      ...(writes && !s.written ? [{ type: 'store' } as const] : []),
      ...(s.saw ? [] : readable(s.mem, 'R', 'x').map((msg) => ({ type: 'load', t: msg.t }) as const)),
    ],
    next: (s, a) => {
      if (a.type === 'store') return { ...s, mem: write(s.mem, 'W', 'x', 1, 'once', latest(s.mem, 'x').t), written: true };
      const { mem, msg } = read(s.mem, 'R', 'x', a.t, 'once');
      return { ...s, mem, saw: msg.v === 1 };
    },
    describe: (a) => ({ ctx: a.type === 'store' ? 'W' : 'R', step: a.type, fn: a.type === 'store' ? 'WRITE_ONCE' : 'READ_ONCE' }),
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [{ kind: 'eventually', name: 'E', doc: 'R reads the 1', pending: (s) => (s.saw ? [] : ['x = 1 seen']) }],
  };
}

describe('liveness under a weak memory: every write becomes visible eventually', () => {
  test('R re-reading the old 0 forever after W stored 1 is not a fair cycle (it was reported before)', () => {
    const r = checkLiveness(spinToy(true) as unknown as AnyMachine);
    expect([...r.violations.keys()]).toEqual([]);
    expect(r.complete).toBe(true);
  });

  test('with no writer, R reading the latest 0 forever is a fair cycle, still reported', () => {
    const v = checkLiveness(spinToy(false) as unknown as AnyMachine).violations.get('E');
    expect(v?.kind).toBe('cycle');
    expect(v?.trace.steps.at(-1)?.info.step).toBe('load');
  });

  test('a lasso file whose cycle re-reads the old value is judged unfair on replay', () => {
    const m = spinToy(true) as unknown as AnyMachine;
    const r = replayLasso(m, ['store', 'load(t=0)', 'load(t=0)'], 2, 'E', (msg) => new Error(msg));
    expect(r.gone).toBe('the cycle is not fair: step 3 reads an old value that a cycle would read forever (every write becomes visible eventually)');
  });
});
