import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../contract.js';
import { explore } from '../../properties/explore.js';
import { runTrace } from '../../properties/check.js';
import { abba, nonOwner, ordered, sleepy } from '../../test/toys.js';
import { builtinViolations, lockCycle } from './checks.js';
import { kernelState } from './state.js';

const any = (m: unknown): AnyMachine => m as AnyMachine;

describe('built-in checks on tiny models', () => {
  test('two mutexes taken in opposite orders: a deadlock with its 4-step trace', () => {
    const r = explore(any(abba));
    // each context takes its first lock, then queues on the other's
    expect(r.counterexample?.steps.map((s) => s.info.ctx).sort()).toEqual(['A', 'A', 'B', 'B']);
    expect(r.counterexample?.steps).toHaveLength(4);
    const v = r.counterexample?.violations[0];
    expect(v?.property).toBe('deadlock');
    expect(v?.message).toMatch(/A holds m1 and waits for m2, held by B/);
    expect(v?.message).toMatch(/B holds m2 and waits for m1, held by A/);
  });

  test('the same two mutexes in one order: no deadlock, complete search', () => {
    const r = explore(any(ordered));
    expect(r.counterexample).toBeUndefined();
    expect(r.complete).toBe(true);
    expect(r.states).toBeGreaterThan(5);
  });

  test('unlock of a free mutex is found first (1 step) and corrupts it', () => {
    const r = explore(any(nonOwner));
    expect(r.counterexample?.steps).toHaveLength(1);
    expect(r.counterexample?.violations[0]?.property).toBe('lock-discipline');
    expect(r.counterexample?.violations[0]?.message).toMatch(/B unlocks mutex m, which is not locked \(count becomes 2\)/);
  });

  test('unlock by a non-owner is a lock-discipline violation', () => {
    const order = ['A', 'B'];
    const r = runTrace(any(nonOwner), (i, enabled) => enabled.find((a) => (a as { ctx?: string }).ctx === order[i]));
    expect(r.trace.steps).toHaveLength(2);
    expect(r.trace.violations.map((v) => v.property)).toEqual(['lock-discipline']);
    expect(r.trace.violations[0]?.message).toMatch(/B unlocks mutex m owned by A/);
  });

  test('taking a mutex while holding a spinlock is sleep in atomic', () => {
    const r = explore(any(sleepy));
    expect(r.counterexample?.violations[0]?.property).toBe('sleep-in-atomic');
    expect(r.counterexample?.violations[0]?.message).toMatch(/A may sleep in mutex_lock\(m\) while holding spinlock s/);
  });

  test('a terminal state with a context still mid-flight is reported even without a lock cycle', () => {
    const k = kernelState({ m: 'mutex' });
    expect(lockCycle(k)).toBeUndefined();
    expect(builtinViolations(k, 0, false).map((v) => v.property)).toEqual(['deadlock']);
    expect(builtinViolations(k, 0, true)).toEqual([]);
    expect(builtinViolations(k, 3, false)).toEqual([]);
  });
});
