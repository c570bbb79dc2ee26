/**
 * The liveness engine on explicit graphs: what weak fairness with a
 * stopping environment reports (fair cycles, stuck states) and what it
 * must not (a cycle that starves a context enabled all along it, a cycle
 * that needs the environment).
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { graphToy } from '../test/toys.js';
import type { LivenessProgress } from './liveness.js';
import { checkLiveness } from './liveness.js';

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
