import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import type { CountersState } from '../test/toys.js';
import { countersToy } from '../test/toys.js';
import type { MemoSplit } from './memo.js';
import { memoCeiling, memoSplit } from './memo.js';

const toy = countersToy();

describe('bench -- memo', () => {
  test('each cache holds one entry per distinct key of the code it replaces', () => {
    const p = memoSplit(toy, 1000, 0);
    expect([p.states, p.transitions, p.actionCalls, p.guards, p.judgeParts]).toEqual([12, 17, 24, 2, 2]);
    // k.locks, k.faults, a, b, c, ctx.A, ctx.B
    expect(p.components).toBe(7);
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
        const r = toy.next(s, a) as CountersState;
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
