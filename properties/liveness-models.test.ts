/**
 * The liveness engine on the models: each reference keeps its
 * eventually-properties on its exploration configuration, each variant that
 * declares a liveness violation is caught as a lasso or a stuck state, and
 * each property is shown able to fail. Figures (states, lasso lengths) are
 * pinned: a change to a model's liveness graph shows up here in review.
 *
 * The references' liveness graphs on their exploration configurations
 * (reserve 96,194, memcg 127,050, balloon 27,654 and msgmni 23,831 states,
 * about 60 s of the suite) are pinned in `liveness-models.deep.test.ts`
 * (`npm run test:deep`); here reserve is judged on every member of its
 * family, msgmni and balloon on members where their property has work to
 * do, and W1/W2 on the member built for W2, where each is caught in a few
 * hundred states.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { balloonModel } from '../model/balloon/model.js';
import { memcgModel, SMALL as MEMCG_SMALL } from '../model/memcg/model.js';
import { msgmniModel } from '../model/msgmni/model.js';
import { reserveModel } from '../model/reserve/model.js';
import type { FamilyMember } from '../model/contract.js';
import { ReplayDivergence } from './check.js';
import { checkLiveness, replayLasso } from './liveness.js';
import { checkLivenessItem } from './suite.js';

describe('references keep their eventually-properties', () => {
  // on family members where the property has work to do (memory events; offlines, vetoes, a one-page cap,
  // disabling); the exploration configurations (23,831 and 27,654 states) are liveness-models.deep.test.ts
  test.each([
    ['msgmni', 'three-memory-events', msgmniModel, ['P7'], 188],
    ['msgmni', 'two-auto-writes', msgmniModel, ['P7'], 1_506],
    ['balloon', 'offline-retry', balloonModel, ['B7'], 1_286],
    ['balloon', 'veto-at-priority-0', balloonModel, ['B7'], 698],
    ['balloon', 'cap-one-page', balloonModel, ['B7'], 714],
    ['balloon', 'disable', balloonModel, ['B7'], 2_428],
  ] as const)('%s reference on the member %s: no liveness violation, complete, pinned state count', (_, member, model, props, states) => {
    const m = model.family?.find((x) => x.name === member);
    if (!m) throw new Error(`no member ${member}`);
    const r = checkLiveness(model.machine('reference', m.config));
    expect({ properties: r.properties, complete: r.complete, violated: [...r.violations.keys()], states: r.states }).toEqual({ properties: props, complete: true, violated: [], states });
  });
});

describe('declared liveness violations are caught', () => {
  // the family member made for W2: r of one page, a waiter asleep in K5, then a set raising r
  const raises = reserveModel.family?.find((m) => m.name === 'set-raises-limit-for-waiter') as FamilyMember<unknown>;

  test('reserve W2: a waiter never woken after a limit increase is stuck once the environment stops', () => {
    const r = checkLiveness(reserveModel.machine('W2', raises.config));
    const v = r.violations.get('L1');
    expect({ states: r.states, kind: v?.kind, obligation: v?.obligation, prefix: v?.prefix }).toEqual({ states: 426, kind: 'stuck', obligation: 'E1', prefix: 11 });
    // the raise of the limit (A3) is the last step: the waiter was asleep before it and nothing wakes it
    expect(v?.trace.steps.at(-1)?.action.type).toBe('A3');
    expect(v?.trace.steps.map((s) => s.action.type)).toContain('K7');
  });

  test('reserve W1: the strict < leaves a waiter whose charge fits asleep for good', () => {
    const r = checkLiveness(reserveModel.machine('W1', raises.config));
    const v = r.violations.get('L1');
    expect({ states: r.states, kind: v?.kind, prefix: v?.prefix }).toEqual({ states: 286, kind: 'stuck', prefix: 3 });
  });

  test('reserve reference: no liveness violation on any member of its family', () => {
    const bad = (reserveModel.family ?? []).flatMap((m) => {
      const r = checkLiveness(reserveModel.machine('reference', m.config));
      return [...r.violations.keys(), ...(r.complete ? [] : ['incomplete'])].map((p) => `${m.name}: ${p}`);
    });
    expect(bad).toEqual([]);
  });

  test('memcg V3: a charger re-charging what reclaim frees keeps the writer looping — a fair cycle', () => {
    const r = checkLivenessItem(memcgModel, 'V3', {});
    expect(r.problems).toEqual([]);
    const v = r.result?.violations.get('L1+');
    expect({ kind: v?.kind, obligation: v?.obligation, prefix: v?.prefix, cycle: v?.cycle, loop: v?.trace.loop }).toEqual({ kind: 'cycle', obligation: 'S', prefix: 3, cycle: 6, loop: 3 });
    // the cycle reclaims with progress (S5 r=1) and the charger charges again
    expect(v?.trace.steps.slice(3).map((s) => s.action.type)).toEqual(expect.arrayContaining(['P5', 'C1', 'charge']));
    // and the lasso is replayable by labels and judged again
    const m = memcgModel.machine('V3', memcgModel.variants.find((x) => x.name === 'V3')?.exploreConfig ?? MEMCG_SMALL);
    const again = replayLasso(m, v?.trace.steps.map((s) => s.label) ?? [], v?.trace.loop, 'L1+', (msg) => new ReplayDivergence(msg));
    expect(again.gone).toBeUndefined();
    expect(again.trace.violations.map((x) => x.property)).toEqual(['L1+']);
  });

  test('memcg: the v2.6.33 rule bounds the writer even with V3\'s unbudgeted charger; V3 keeps L1 without a charger', () => {
    const v3 = memcgModel.variants.find((x) => x.name === 'V3')?.exploreConfig;
    const ref = checkLiveness(memcgModel.machine('reference', v3));
    expect([...ref.violations.keys()]).toEqual([]);
    expect(ref.complete).toBe(true);
    const noCharger = checkLiveness(memcgModel.machine('V3', { ...MEMCG_SMALL, charges: 0 }));
    expect(noCharger.properties).toEqual(['L1+', 'L1']);
    expect([...noCharger.violations.keys()]).toEqual([]);
  });
});

describe('eventually-properties can fail', () => {
  test('msgmni P7: without keventd ever running the work, the memory event is lost', () => {
    const m = msgmniModel.machine('reference', msgmniModel.smallConfig);
    const noWorker: AnyMachine = { ...m, actions: (s) => m.actions(s).filter((a) => a.type !== 'K1') };
    const v = checkLiveness(noWorker).violations.get('P7');
    expect(v?.kind).toBe('stuck');
    expect(v?.trace.steps.map((s) => s.action.type)).toContain('H1');
  });

  test('balloon W3: the corrupted hotplug_mutex count makes every trylock fail, loaning never catches up (B7 cycle)', () => {
    // on the member offline-retry (2,204 states); on §7 (prefix 14): liveness-models.deep.test.ts
    const retry = balloonModel.family?.find((m) => m.name === 'offline-retry');
    const r = checkLiveness(balloonModel.machine('W3', retry?.config));
    const v = r.violations.get('B7');
    expect({ states: r.states, kind: v?.kind, prefix: v?.prefix, cycle: v?.cycle }).toEqual({ states: 2_204, kind: 'cycle', prefix: 26, cycle: 1 });
    expect(v?.trace.steps.at(-1)?.action.type).toBe('T1');
  });
});
