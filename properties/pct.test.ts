/**
 * PCT: its bound is the paper's formula, and it finds the memcg bugs and
 * the toy deadlock, and passes the reference.
 */
import { describe, expect, test } from 'vitest';
import { memcgModel } from '../model/memcg/model.js';
import { pctBound } from './pct.js';
import { pctSearch as pctCheck } from '../shrinkers/search.js';

describe('PCT scheduler', () => {
  test('the bound 1/(n·k^(d−1)) and the runs it implies for 99% confidence', () => {
    expect(pctBound(3, 20, 2).p).toBeCloseTo(1 / 60);
    // the figures of the guide's arithmetic: ≈275, ≈5,524, ≈16,577 runs
    expect(pctBound(3, 20, 2).runsFor99).toBe(275);
    expect(pctBound(3, 20, 3).runsFor99).toBe(5524);
    expect(pctBound(4, 30, 3).runsFor99).toBe(16577);
  });

  test('finds the shallow memcg bugs V2 and W1 with their declared properties', () => {
    for (const [v, p] of [['V2', 'M2'], ['W1', 'M5']] as const) {
      const r = pctCheck(memcgModel, v, { seed: 1, runs: 2_000, depth: 2 });
      expect(r.failure?.property).toBe(p);
      expect(r.runs).toBeLessThan(2_000);
    }
  });

  test('passes the memcg reference', () => {
    const r = pctCheck(memcgModel, 'reference', { seed: 1, runs: 300, depth: 3 });
    expect(r.failure).toBeUndefined();
    expect(r.runs).toBe(300);
    expect(r.bound.p).toBeGreaterThan(0);
  });
});
