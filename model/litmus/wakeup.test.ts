/**
 * Sleep and wake-up under LKMM (issue 19, spec 06 §1 and §4): the
 * sleeper/waker pattern of include/linux/sched.h's comment on
 * set_current_state(), as the two seed litmus tests of test/litmus/seeds/.
 * With set_current_state() the lost wake-up is Never; with
 * __set_current_state() it is Sometimes under LKMM and Never under SC, and
 * the witness shows the reordering: the waker reads the sleeper's old state
 * after the sleeper stored the new one. Then reserve's K5 waiters (spec 04)
 * with a lockless waitqueue_active() test before the wake-up.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axiomatic } from './axiomatic.js';
import { LitmusError, parseLitmus } from './parse.js';
import { checkLitmus } from '../../properties/litmus.js';
import type { Litmus } from './program.js';

const SEEDS = resolve(import.meta.dirname, '..', '..', 'test', 'litmus', 'seeds');
const load = (f: string): Litmus => parseLitmus(readFileSync(resolve(SEEDS, f), 'utf8'), f);
const BARRIER = 'WakeUp+setcurrentstate+wakeupprocess.litmus';
const BARE = 'WakeUp+__setcurrentstate+wakeupprocess.litmus';

describe('lost wake-up: sleeper and waker', () => {
  it('set_current_state + wake_up_process: the lost wake-up is Never (LKMM and SC); states pinned', () => {
    const lkmm = checkLitmus(load(BARRIER));
    expect([lkmm.verdict, lkmm.agrees, lkmm.states, lkmm.witness]).toEqual(['Never', true, 70, undefined]);
    expect(lkmm.outcomes).toEqual([
      '0:r0=0; 1:r1=1; cond=1; sleeper=0',
      '0:r0=1; 1:r1=0; cond=1; sleeper=2',
      '0:r0=1; 1:r1=1; cond=1; sleeper=0',
    ]);
    const sc = checkLitmus(load(BARRIER), 'sc');
    expect([sc.verdict, sc.states]).toEqual(['Never', 59]);
  });

  it('__set_current_state + wake_up_process: Sometimes under LKMM, Never under SC; states pinned', () => {
    const lkmm = checkLitmus(load(BARE));
    expect([lkmm.verdict, lkmm.agrees, lkmm.states, lkmm.satisfying]).toEqual(['Sometimes', true, 49, 1]);
    expect(lkmm.outcomes).toContain('0:r0=0; 1:r1=0; cond=1; sleeper=2');
    const sc = checkLitmus(load(BARE), 'sc');
    expect([sc.verdict, sc.agrees, sc.states]).toEqual(['Never', false, 45]);
  });

  it("the witness: the sleeper stores its state and reads no condition; the waker then reads the old TASK_RUNNING and wakes nobody", () => {
    const w = checkLitmus(load(BARE)).witness;
    if (!w) throw new Error('no witness');
    const at = (ctx: string, step: string): number => w.steps.findIndex((s) => s.info.ctx === ctx && s.info.step.includes(step));
    const store = at('P0', '__set_current_state(TASK_UNINTERRUPTIBLE)');
    const test = at('P0', 'READ_ONCE(*cond)');
    const stale = at('P1', 'READ_ONCE(sleeper->__state)');
    expect(store).toBeGreaterThanOrEqual(0);
    expect(w.steps[store]?.info.fn).toBe('writes sleeper=2');
    expect(w.steps[test]?.info.fn).toBe('reads cond=0 (initial value)');
    // the reordering SC cannot produce: the state store comes first in the run, and the waker still reads the initial value
    expect(stale).toBeGreaterThan(store);
    expect(w.steps[stale]?.info.fn).toBe('reads sleeper=0 (initial value)');
    expect(w.steps.some((s) => s.info.step.includes('= TASK_RUNNING'))).toBe(false);
    expect(w.steps.map((s) => s.info.ctx)).toEqual(['P0', 'P0', 'P1', 'P1', 'P1', 'P1', 'P1', 'P1', 'P1']);
  });

  it('set_current_state needs one struct task_struct * parameter; wake_up_process names one', () => {
    const src = (params: string, body: string): string => `C t\n\n{}\n\nP0(${params})\n{\n\tint r0;\n${body}\n}\n\nexists (0:r0=0)\n`;
    expect(() => parseLitmus(src('int *x', '\tset_current_state(TASK_INTERRUPTIBLE);'), 't.litmus')).toThrow(LitmusError);
    expect(() => parseLitmus(src('int *x', '\tset_current_state(TASK_INTERRUPTIBLE);'), 't.litmus')).toThrow(/exactly one 'struct task_struct \*' parameter in P0 \(it has 0\)/);
    expect(() => parseLitmus(src('int *x', '\tr0 = wake_up_process(x);'), 't.litmus')).toThrow(/'x' is not a 'struct task_struct \*' parameter/);
    // a task that was never put to sleep is not woken
    expect(checkLitmus(parseLitmus(src('struct task_struct *t', '\tr0 = wake_up_process(t);'), 't.litmus')).verdict).toBe('Always');
  });
});

describe("reserve's waiters: a waitqueue_active() test before the wake-up", () => {
  const run = (f: string, mode: 'lkmm' | 'sc' = 'lkmm'): [string, boolean | undefined, number] => {
    const r = checkLitmus(load(f), mode);
    return [r.verdict, r.agrees, r.states];
  };

  it('the waiter tests usage under res->lock: even a bare waitqueue_active() after the unlock loses no wake-up', () => {
    expect(run('Reserve+waitqueueactive-after-unlock.litmus')).toEqual(['Never', true, 67]);
  });

  it('the waiter tests usage locklessly: bare waitqueue_active() loses the wake-up under LKMM only; wq_has_sleeper() does not', () => {
    expect(run('Reserve+waitqueueactive-lockless.litmus')).toEqual(['Sometimes', true, 58]);
    expect(run('Reserve+waitqueueactive-lockless.litmus', 'sc')).toEqual(['Never', false, 56]);
    expect(run('Reserve+wqhassleeper-lockless.litmus')).toEqual(['Never', true, 72]);
    const w = checkLitmus(load('Reserve+waitqueueactive-lockless.litmus')).witness;
    if (!w) throw new Error('no witness');
    // the waker's lockless test reads the empty queue although the waiter queued itself earlier in the run
    const queued = w.steps.findIndex((s) => s.info.ctx === 'P0' && s.info.fn === 'writes wq=1');
    const test = w.steps.findIndex((s) => s.info.ctx === 'P1' && s.info.step === 'waitqueue_active(wq): READ_ONCE(wq)');
    expect(queued).toBeGreaterThanOrEqual(0);
    expect(test).toBeGreaterThan(queued);
    expect(w.steps[test]?.info.fn).toBe('reads wq=0 (initial value)');
  });

  it('the axiomatic oracle (no locks) agrees on the lock-free core of that shape: the unlock as a release store', () => {
    const src = (fence: string): string =>
      `C core\n{\n\tusage = 1;\n}\nP0(int *usage, int *wq)\n{\n\tint r0;\n\tWRITE_ONCE(*wq, 1);\n\tsmp_mb();\n\tr0 = READ_ONCE(*usage);\n}\n` +
      `P1(int *usage, int *wq, int *l)\n{\n\tint r1;\n\tWRITE_ONCE(*usage, 0);\n\t${fence};\n\tr1 = READ_ONCE(*wq);\n}\nexists (0:r0=1 /\\ 1:r1=0)\n`;
    for (const [fence, want] of [['smp_store_release(l, 0)', 'Sometimes'], ['smp_mb()', 'Never']] as const) {
      const l = parseLitmus(src(fence), 'core.litmus');
      expect([fence, axiomatic(l)?.verdict, checkLitmus(l).verdict]).toEqual([fence, want, want]);
    }
  });
});
