import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { kernelState } from '../model/kernel/state.js';
import type { KernelState } from '../model/kernel/state.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';
import { explore } from '../properties/explore.js';
import type { PhaseSplit } from './phases.js';
import { packedCeiling, phaseSplit, rulesCeiling } from './phases.js';

interface Toy {
  readonly k: KernelState;
  readonly a: number;
  readonly b: number;
}

const rule = rulesFor<Toy>();

/** Two counters stepped by two contexts: 12 states, 17 transitions. */
const toy = {
  ...machineFromRules<Toy>({
    init: () => ({ k: kernelState({}), a: 0, b: 0 }),
    rules: [
      rule({ step: 'A1', fn: 'a_step', ctx: 'A', enabled: (s) => when(s.a < 3), apply: (d) => void (d.a += 1) }),
      rule({ step: 'B1', fn: 'b_step', ctx: 'B', enabled: (s) => when(s.b < 2), apply: (d) => void (d.b += 1) }),
    ],
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [],
  }),
  fastPath: true,
} as AnyMachine;

describe('bench -- phases', () => {
  test('times every transition of the graph the engine explores, and only those', () => {
    const whole = explore(toy);
    const p = phaseSplit(toy, 1000, 1);
    expect([p.states, p.transitions]).toEqual([12, 17]);
    expect([p.states, p.transitions]).toEqual([whole.states, whole.transitions]);
    for (const x of [p.actions, p.immerStep, p.fastStep, p.copy, p.share, p.key, p.hash, p.judge, p.engineImmer, p.engineFast]) expect(x).toBeGreaterThanOrEqual(0);
  });

  test('the ceilings remove what they say, and nothing else', () => {
    const p: PhaseSplit = { states: 1, transitions: 1, actions: 1, immerStep: 9, fastStep: 3, copy: 2, share: 1, key: 2, hash: 1, judge: 1, engineImmer: 24, engineFast: 12 };
    // engine fast 12 − copy 2 − share 1 − key 2 − hash 1 = 6
    expect(packedCeiling(p)).toBe(4);
    // actions 1 + (step 3 − copy 2) + judge 1 = 3
    expect(rulesCeiling(p)).toBe(8);
  });

  test('refuses a machine that has not opted in to the fast path', () => {
    expect(() => phaseSplit({ ...toy, fastPath: false }, 10)).toThrow(/opted in/);
  });
});
