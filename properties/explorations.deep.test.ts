/**
 * The largest explorations, pinned (`npm run test:deep`, run by CI after
 * `npm test`): each reference on its §7 (exploration) configuration, and
 * the harmless variants whose exploration configuration is as large, are
 * complete, violate nothing, reach every witness, and have the pinned number
 * of distinct states: a change to a model's state space shows up here in
 * review. `npm test` keeps the random runs of the same variants
 * (`HOLDS_RANDOM_BUDGET`) and the complete exploration of every family
 * member; `mmcheck ci` runs these explorations without the pins. Also here:
 * the shortest counterexamples on §7 of reserve W2 and balloon V1 (`npm
 * test` finds each on a family member where it shows sooner).
 */
import { describe, expect, test } from 'vitest';
import { balloonModel } from '../model/balloon/model.js';
import { memcgModel } from '../model/memcg/model.js';
import { msgmniModel } from '../model/msgmni/model.js';
import { reserveModel } from '../model/reserve/model.js';
import { slabModel } from '../model/slab/model.js';
import type { AnyModel } from '../model/contract.js';
import { variantOf } from '../model/contract.js';
import { explore } from './explore.js';
import type { VariantCheckOptions } from './suite.js';
import { expectHolds, HOLDS_BUDGET, shortestOf } from '../test/variants.js';

/** The exploration alone: the random runs of the same variants are `npm test`'s. */
const EXPLORE_ONLY: VariantCheckOptions = { ...HOLDS_BUDGET, seeds: [] };

/** The complete exploration of `variant` on its exploration configuration, judged by {@link expectHolds}. */
const bfsOf = (model: AnyModel, variant: string) => expectHolds(model, variant, EXPLORE_ONLY).bfs;

describe('references: complete exploration of §7, no violation, every witness, pinned state count, at most 40 bytes per state', () => {
  test.each([
    // §7 with one creator (two creators, §7 as written: properties/explore.test.ts)
    ['msgmni', msgmniModel, 23_831, ['auto-reenabled', 'manual-survives-hotplug', 'ns-destroyed', 'walk-during-create', 'work-coalesced']],
    // §7 with min_mem 5 pages, no OOM event, no offline retry (model/balloon/config.ts SMALL). §7 as
    // written (min_mem 2 pages, one OOM event, an offline retry, an online) exceeds 2,000,000 states:
    // the BFS stopped there at depth 21 of at least 45, after 210 s of CPU.
    ['balloon', balloonModel, 33_930, ['alloc-paused', 'isolated-by-count', 'loan-resumed', 'offline-vetoed', 'offline-with-balloon']],
    ['memcg', memcgModel, 345_707, ['charge-reclaimed', 'limit-ok', 'shrink-ebusy', 'shrink-ok-after-reclaim']],
    ['reserve', reserveModel, 96_194, ['pool-served', 'set-changed-root', 'woken-by-free']],
    ['slab', slabModel, 25_312, ['plain-refused-reserve', 'reserve-slab-created', 'reserve-slab-returned']],
  ] as const)('%s', (_, model, states, witnesses) => {
    const r = bfsOf(model, 'reference');
    expect(r?.states).toBe(states);
    expect([...(r?.witnesses.keys() ?? [])].sort()).toEqual(witnesses);
    // issue 18: taken on the fast path, at most 40 bytes per state in fingerprint mode
    expect(r?.fastPath).toBe(true);
    expect(r?.bytesPerState).toBeLessThanOrEqual(40);
  });
});

describe('harmless variants: complete exploration of their exploration configuration, no violation, every witness', () => {
  test('reserve V6 ("reserve = pages"), swapon setting r while it is detached; the reference agrees on the same configuration', () => {
    expect(bfsOf(reserveModel, 'V6')?.complete).toBe(true);
    const ref = explore(reserveModel.machine('reference', variantOf(reserveModel, 'V6').exploreConfig ?? reserveModel.smallConfig));
    expect(ref.complete && ref.violated.size === 0).toBe(true);
  });

  test('msgmni V5 (no work_pending test): its state space is the reference\'s', () => {
    expect(bfsOf(msgmniModel, 'V5')?.states).toBe(bfsOf(msgmniModel, 'reference')?.states);
  });

  test('balloon V3 (CMM above the vetoing callback) on §7', () => {
    expect(variantOf(balloonModel, 'V3').exploreConfig ?? balloonModel.smallConfig).toEqual(balloonModel.smallConfig);
    expect(bfsOf(balloonModel, 'V3')?.complete).toBe(true);
  });
});

describe('reserve W2 on §7', () => {
  test('the shortest counterexample: the set raised the limit to 12 with the waiter still asleep, 14 steps', () => {
    const w2 = shortestOf(reserveModel, 'W2').counterexample;
    expect(w2?.violations.find((x) => x.property === 'L1')?.message).toMatch(/limit 12\)/);
    expect(w2?.steps.at(-1)?.info.step).toBe('A3');
    expect(w2?.steps).toHaveLength(14);
  });
});

describe('balloon V1 on §7', () => {
  // 21 steps until issue 19 made V1's A1/A2 and T2/T3/T4 separate steps (its atomics are read with no lock)
  test('the shortest counterexample: A6 loans a page after a successful offline, 26 steps (npm test finds V1 on cap-one-page)', () => {
    const v1 = shortestOf(balloonModel, 'V1').counterexample;
    expect(v1?.violations.find((x) => x.property === 'B5')?.message).toMatch(/^A6 loans a page after a successful offline/);
    expect(v1?.steps).toHaveLength(26);
  });
});
