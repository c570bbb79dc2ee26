/**
 * Example user model, grown from `mmcheck new`: the lost wake-up between a
 * sleeper and a waker (the pattern of `set_current_state()` /
 * `wake_up_process()`, Documentation/memory-barriers.txt "Sleep and wake-up
 * functions"), under sequential consistency.
 *
 * W waits for `cond`; K sets `cond` and wakes W.
 * - `reference`: W announces that it sleeps (`set_current_state`) before it
 *   tests `cond`, so a wake-up that comes after the test finds W asleep and
 *   makes it runnable again.
 * - `test-before-set`: W tests `cond` first and announces the sleep after.
 *   K can set `cond` and wake W in between: the wake-up finds W still
 *   RUNNING and does nothing, then W sleeps for good. Only a liveness
 *   property sees it — E1 "W eventually runs on" — and the gate judges it
 *   with the liveness engine, in every profile, with no safety twin.
 *
 * Decisions: `schedule()` is one step that W can take only when its task
 * state is RUNNING again (a sleeping task is not picked to run); after it
 * W is done (the kernel would loop and test again: one round is enough to
 * lose the wake-up). The waker's two steps are one context, K.
 *
 * Run it: `npx mmcheck ci --model examples/lost-wakeup/model.ts`.
 */
import fc from 'fast-check';
import type { KernelState } from 'mmcheck';
import { defineModel, kernelState, machineFromRules, rulesFor, when, z } from 'mmcheck';

/** W's task state, as `current->__state` holds it. */
type TaskState = 'RUNNING' | 'UNINTERRUPTIBLE';

/** The state: the condition, W's task state and both program counters. */
export interface WakeState {
  readonly k: KernelState;
  readonly cond: boolean;
  readonly task: TaskState;
  /** W's next step, 1–3; 4 when it ran on. */
  readonly w: number;
  /** K's next step, 1–2; 3 when done. */
  readonly kpc: number;
  /** Ghost: W went through schedule() (the sometimes-property's witness). */
  readonly slept: boolean;
}

/** No configuration to vary: the two contexts are the whole scenario. */
export type WakeConfig = Record<string, never>;

interface Flags {
  /** The test of `cond` comes before `set_current_state` (the bug). */
  readonly testFirst: boolean;
}

const rule = rulesFor<WakeState>();
const W_DONE = 4;
const K_DONE = 3;

function rules(f: Flags) {
  const setPc = f.testFirst ? 2 : 1;
  const testPc = f.testFirst ? 1 : 2;
  return [
    rule({ step: `W${setPc}`, fn: 'set_current_state', ctx: 'W', enabled: (s) => when(s.w === setPc), apply: (d) => void ((d.task = 'UNINTERRUPTIBLE'), (d.w = setPc + 1)), text: () => 'set_current_state(TASK_UNINTERRUPTIBLE)' }),
    rule({
      step: `W${testPc}`,
      fn: 'READ_ONCE(cond)',
      ctx: 'W',
      enabled: (s) => when(s.w === testPc),
      apply: (d) => {
        if (d.cond) {
          d.task = 'RUNNING';
          d.w = W_DONE;
        } else d.w = testPc + 1;
      },
      text: (s) => (s.cond ? 'cond is set: __set_current_state(TASK_RUNNING), no sleep' : 'cond is clear: go on to sleep'),
    }),
    rule({ step: 'W3', fn: 'schedule', ctx: 'W', enabled: (s) => when(s.w === 3 && s.task === 'RUNNING'), apply: (d) => void ((d.slept = true), (d.w = W_DONE)), text: () => 'schedule() returns: W was woken' }),
    rule({ step: 'K1', fn: 'WRITE_ONCE(cond, 1)', ctx: 'K', enabled: (s) => when(s.kpc === 1), apply: (d) => void ((d.cond = true), (d.kpc = 2)) }),
    rule({
      step: 'K2',
      fn: 'wake_up_process',
      ctx: 'K',
      enabled: (s) => when(s.kpc === 2),
      apply: (d) => void ((d.task = 'RUNNING'), (d.kpc = K_DONE)),
      text: (s) => (s.task === 'RUNNING' ? 'wake_up_process(W) found the task RUNNING: no-op' : 'wake_up_process(W): UNINTERRUPTIBLE → RUNNING'),
    }),
  ];
}

/** The model. */
export const model = defineModel({
  name: 'lost-wakeup',
  title: 'a sleeper and a waker: set_current_state before the test (example user model)',
  spec: 'examples/lost-wakeup/model.ts',
  smallConfig: {} as WakeConfig,
  randomConfig: fc.constant<WakeConfig>({}),
  variants: {
    reference: { flags: { testFirst: false }, summary: 'set_current_state, then test cond, then schedule', expect: { kind: 'holds' } },
    'test-before-set': { flags: { testFirst: true }, summary: 'test cond, then set_current_state: a wake-up in between is lost', expect: { kind: 'violates', property: 'E1' } },
  },
  configSchema: z.strictObject({}) as z.ZodType<WakeConfig>,
  machine: (f: Flags) =>
    machineFromRules<WakeState>({
      init: () => ({ k: kernelState({}), cond: false, task: 'RUNNING', w: 1, kpc: 1, slept: false }),
      rules: rules(f),
      quiescent: (s) => s.w === W_DONE && s.kpc === K_DONE,
      // `mmcheck races`: both shared fields are only touched by the kernel's marked accesses
      raceExempt: {
        cond: 'WRITE_ONCE / READ_ONCE: marked accesses (spec 06 §1)',
        task: "the task state, written by set_current_state() and by wake_up_process() under the task's pi_lock, read by the scheduler: the kernel's marked accesses",
      },
      kernel: (s) => s.k,
      properties: [
        { kind: 'always', name: 'A1', doc: 'W runs on only once cond is set', check: ({ next }) => (next.w === W_DONE && !next.cond ? 'W ran on with cond clear' : undefined) },
        { kind: 'sometimes', name: 'slept', doc: 'W slept in schedule() and was woken', check: ({ next }) => next.slept },
        { kind: 'eventually', name: 'E1', doc: 'W eventually runs on past its wait', pending: (s) => (s.w === W_DONE ? [] : ['W waits for cond']) },
      ],
    }),
});
