/**
 * The minimizer on traces with known answers: it drops padding, cuts a
 * context that need not run, moves a preempted context up to run on, and
 * keeps the same property failing.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { memcgModel } from '../model/memcg/model.js';
import { replayLabels } from '../properties/check.js';
import { explore } from '../properties/explore.js';
import { randomSearch as randomCheck } from './search.js';
import type { ToyState } from '../test/toys.js';
import { abba, toyMachine } from '../test/toys.js';
import { minimizeTrace, preemptions } from './minimize.js';

const any = (m: unknown): AnyMachine => m as AnyMachine;

describe('preemptions', () => {
  test('a switch counts only when the context switched away from could have run on', () => {
    // A takes m1; B takes m2; A asks for m2 and blocks; B asks for m1: deadlock
    const t = replayLabels(any(abba), ['step(ctx="A")', 'step(ctx="B")', 'step(ctx="A")', 'step(ctx="B")']).trace;
    expect(t.violations.map((v) => v.property)).toEqual(['deadlock']);
    // A→B at step 2 preempts A (it could take m2 then); B→A at 3 preempts B; A→B at 4: A is blocked, not a preemption
    expect(preemptions(any(abba), t)).toBe(2);
  });
});

describe('minimizeTrace', () => {
  test('the ABBA deadlock needs both preemptions: the minimizer keeps 4 steps and the property', () => {
    const long = replayLabels(any(abba), ['step(ctx="A")', 'step(ctx="B")', 'step(ctx="A")', 'step(ctx="B")']).trace;
    const t = minimizeTrace(any(abba), long, 'deadlock');
    expect(t.steps).toHaveLength(4);
    expect(t.violations.map((v) => v.property)).toContain('deadlock');
  });

  test('on random counterexamples: the same property, never longer, and as short as the BFS on its own configuration', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = randomCheck(memcgModel, 'V2', { seed, runs: 2_000, maxShrinks: 0 });
      const f = r.failure;
      if (!f) throw new Error(`seed ${seed}: V2 not found`);
      const m = memcgModel.machine('V2', f.config);
      expect(f.property).toBe('M2');
      expect(f.trace.steps.length).toBeLessThanOrEqual(f.shrunkSteps);
      const bfs = explore(m, { target: 'M2' });
      expect(f.trace.steps.length).toBe(bfs.counterexample?.steps.length);
      expect(replayLabels(m, f.trace.steps.map((s) => s.label)).trace.violations.map((v) => v.property)).toContain('M2');
    }
  });

  test('reduces preemptions at equal length when the bug allows it', () => {
    // A and B each lock and unlock their own mutex; 'both-done' fails once both finished,
    // which needs all four steps in any order: the interleaved trace becomes A A B B
    const base = toyMachine({ ma: 'mutex', mb: 'mutex' }, {
      A: [{ op: 'lock', lock: 'ma' }, { op: 'unlock', lock: 'ma' }],
      B: [{ op: 'lock', lock: 'mb' }, { op: 'unlock', lock: 'mb' }],
    });
    const m: AnyMachine = {
      ...any(base),
      properties: [{ kind: 'always', name: 'both-done', doc: 'toy', check: ({ next }) => (base.quiescent(next as ToyState) ? 'both finished' : undefined) }],
    };
    const mixed = replayLabels(m, ['step(ctx="A")', 'step(ctx="B")', 'step(ctx="A")', 'step(ctx="B")']).trace;
    expect(mixed.violations.map((v) => v.property)).toEqual(['both-done']);
    expect(preemptions(m, mixed)).toBe(2);
    const t = minimizeTrace(m, mixed, 'both-done');
    expect(t.steps).toHaveLength(4);
    expect(preemptions(m, t)).toBe(0);
    expect(t.steps.map((x) => x.info.ctx).join('')).toMatch(/^(AABB|BBAA)$/);
  });
});
