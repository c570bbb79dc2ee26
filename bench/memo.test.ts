import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { kernelState } from '../model/kernel/state.js';
import type { KernelState } from '../model/kernel/state.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';
import type { MemoSplit } from './memo.js';
import { memoCeiling, memoSplit } from './memo.js';

interface Toy {
  readonly k: KernelState;
  readonly a: number;
  readonly b: number;
  readonly ctx: { readonly A: string; readonly B: string };
}

const rule = rulesFor<Toy>();

/** Two counters stepped by two contexts (12 states, 17 transitions); one property reads `a` of the next state. */
const toy = {
  ...machineFromRules<Toy>({
    init: () => ({ k: kernelState({}), a: 0, b: 0, ctx: { A: 'run', B: 'run' } }),
    rules: [
      rule({ step: 'A1', fn: 'a_step', ctx: 'A', enabled: (s) => when(s.a < 3), apply: (d) => void (d.a += 1) }),
      rule({ step: 'B1', fn: 'b_step', ctx: 'B', enabled: (s) => when(s.b < 2), apply: (d) => void (d.b += 1) }),
    ],
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [{ name: 'P', doc: 'a stays at most 3', kind: 'always', check: (t) => (t.next.a > 3 ? 'a above 3' : undefined) }],
  }),
  fastPath: true,
} as AnyMachine;

describe('bench -- memo', () => {
  test('each cache holds one entry per distinct key of the code it replaces', () => {
    const p = memoSplit(toy, 1000, 0);
    expect([p.states, p.transitions, p.actionCalls, p.guards, p.judgeParts]).toEqual([12, 17, 24, 2, 2]);
    // k.locks, k.faults, a, b, ctx.A, ctx.B
    expect(p.components).toBe(6);
    // A1's guard sees a ∈ 0..3, B1's b ∈ 0..2
    expect(p.entriesActions).toBe(7);
    // A1 from a ∈ 0..2, B1 from b ∈ 0..1 (the kernel slice is in every key, and never changes here)
    expect(p.entriesStep).toBe(5);
    // P sees the next a ∈ 0..3; the built-in checks, the kernel slice: one value
    expect(p.entriesJudge).toBe(5);
    expect(p.conflicts).toEqual([0, 0, 0]);
    expect([p.vectors, p.keys]).toEqual([12, 12]);
  });

  test('a `next` that reads what its recipe made, unseen, makes keys meet two outcomes, and the bench counts them', () => {
    // a step that leaves a at 2 also resets b: decided by reading the result's a, which no view sees
    const unseen = {
      ...toy,
      next: (s: unknown, a: never) => {
        const r = toy.next(s, a) as Toy;
        return r.a === 2 ? { ...r, b: 0 } : r;
      },
    } as AnyMachine;
    expect(memoSplit(toy, 1000, 0).conflicts).toEqual([0, 0, 0]);
    // A1 from a = 1 resets b where it was 1 (seen as a write) and not where it was 0 (nothing to see): one key, two outcomes
    expect(memoSplit(unseen, 1000, 0).conflicts[1]).toBeGreaterThan(0);
  });

  test('the ceiling charges each entry once at its code\'s share', () => {
    const base: MemoSplit = {
      states: 1, transitions: 10, actionCalls: 2, guards: 5, judgeParts: 2, components: 1, rowActions: 1, rowStepMax: 1, rowJudge: 1,
      entriesActions: 0, entriesStep: 0, entriesJudge: 0, conflicts: [0, 0, 0], vectors: 1, keys: 1,
      codeActions: 4, codeStep: 2, codeJudge: 3, hitActions: 1, hitStep: 1, hitJudge: 1, hash: 1, engineImmer: 40,
    };
    expect(memoCeiling(base)).toBe(10);
    // 10 guard calls: 5 misses at 4 ÷ 10 each = 2; 5 of 10 steps at 2 = 1; 10 of 20 checks at 3 = 1.5; 4 + 4.5 = 8.5
    expect(memoCeiling({ ...base, entriesActions: 5, entriesStep: 5, entriesJudge: 10 })).toBeCloseTo(40 / 8.5, 9);
  });
});
