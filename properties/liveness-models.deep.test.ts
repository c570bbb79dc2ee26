/**
 * The largest liveness graphs, pinned (`npm run test:deep`, not `npm test`):
 * the references on their exploration configurations, and
 * reserve's two lost wake-ups on reserve's §7 configuration. `npm test`
 * keeps the same judgements on smaller graphs (liveness-models.test.ts);
 * `mmcheck ci --profile deep` runs the same checks without the pins.
 */
import { describe, expect, test } from 'vitest';
import { balloon, balloonModel } from '../model/balloon/model.js';
import { memcgModel } from '../model/memcg/model.js';
import { msgmniModel } from '../model/msgmni/model.js';
import { reserveModel } from '../model/reserve/model.js';
import { checkLiveness } from './liveness.js';
import { checkLivenessItem } from './suite.js';
import { expectReferenceLiveness } from '../test/liveness.js';

describe('references keep their eventually-properties on their exploration configurations', () => {
  test.each([
    ['reserve', reserveModel, ['L1'], 96_194],
    ['memcg', memcgModel, ['L1+'], 127_050],
    ['msgmni', msgmniModel, ['P7'], 23_831],
    ['balloon', balloonModel, ['B7'], 27_654],
  ] as const)('%s reference: no liveness violation, complete, pinned state count', (_, model, props, states) => expectReferenceLiveness(model, props, states));
});

describe('reserve lost wake-ups on the §7 configuration', () => {
  test('W2: a waiter never woken after a limit increase is stuck once the environment stops', () => {
    const r = checkLivenessItem(reserveModel, 'W2', {});
    expect(r.problems).toEqual([]);
    const v = r.result?.violations.get('L1');
    expect({ kind: v?.kind, obligation: v?.obligation, prefix: v?.prefix }).toEqual({ kind: 'stuck', obligation: 'E1', prefix: 14 });
    expect(v?.trace.steps.at(-1)?.action.type).toBe('A3');
  });

  test('W1: the strict < leaves a waiter whose charge fits asleep for good', () => {
    const r = checkLivenessItem(reserveModel, 'W1', {});
    expect(r.problems).toEqual([]);
    expect(r.result?.violations.get('L1')?.kind).toBe('stuck');
  });
});

describe('balloon V1 on §7 under --memory lkmm', () => {
  test('B7 holds, complete (pinned): with stale reads kept out of cycles, the lasso that re-read hotplug_active forever is gone', () => {
    const r = checkLiveness(balloon.machine('V1', { ...balloon.smallConfig, memory: 'lkmm' }));
    expect({ complete: r.complete, states: r.states, violated: [...r.violations.keys()] }).toEqual({ complete: true, states: 195_796, violated: [] });
  });
});

describe('balloon W3 on §7', () => {
  test('the corrupted hotplug_mutex count makes every trylock fail: a B7 cycle of one step after a 14-step prefix', () => {
    const v = checkLiveness(balloonModel.machine('W3', balloonModel.smallConfig)).violations.get('B7');
    expect({ kind: v?.kind, prefix: v?.prefix, cycle: v?.cycle }).toEqual({ kind: 'cycle', prefix: 14, cycle: 1 });
    expect(v?.trace.steps.at(-1)?.action.type).toBe('T1');
  });
});
