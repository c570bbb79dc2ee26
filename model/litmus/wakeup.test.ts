/**
 * Sleep and wake-up under LKMM (issue 19, spec 06 §1 and §4): the
 * sleeper/waker pattern of include/linux/sched.h's comment on
 * set_current_state(), as the two seed litmus tests of test/litmus/seeds/.
 * With set_current_state() the lost wake-up is Never; with
 * __set_current_state() it is Sometimes under LKMM and Never under SC, and
 * the witness shows the reordering: the waker reads the sleeper's old state
 * after the sleeper stored the new one.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
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
