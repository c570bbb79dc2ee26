import { describe, expect, test } from 'vitest';
import { explore } from '../properties/explore.js';
import { countersToy } from '../test/toys.js';
import type { PhaseSplit } from './phases.js';
import { packedCeiling, phaseSplit, rulesCeiling } from './phases.js';

const toy = countersToy();

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
