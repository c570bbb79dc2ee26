/**
 * The transition cache against the engine on every built-in model's §7
 * configuration (`npm run test:deep`): the cached search must meet exactly
 * the states and transitions the engine meets, and find nothing on a
 * reference. A cache keyed on too few reads would merge steps that differ
 * and change the count.
 */
import { describe, expect, test } from 'vitest';
import { expectedProperty } from '../model/contract.js';
import { MODELS } from '../model/registry.js';
import { explore } from '../properties/explore.js';
import { cachedSearch } from './cached.js';

describe('bench -- cached, on the models', () => {
  test.each(MODELS.map((m) => [m.name, m] as const))('%s: the same states and transitions as the engine, nothing violated', (_name, model) => {
    const m = model.machine('reference', model.smallConfig);
    const e = explore(m);
    const c = cachedSearch(m, 2_000_000);
    expect(e.complete).toBe(true);
    expect([c.states, c.transitions, c.complete]).toEqual([e.states, e.transitions, true]);
    expect(c.violated).toEqual([]);
    // the cache served most lookups: something was cached, not only asked
    expect(c.misses[1]).toBeLessThan(c.lookups[1]);
  });

  test.each(MODELS.map((m) => [m.name, m] as const))('%s: every property the engine finds violated by a buggy variant, the cache finds too', (_name, model) => {
    let compared = 0;
    for (const v of model.variants) {
      if (expectedProperty(v) === undefined) continue;
      const m = model.machine(v.name, v.exploreConfig ?? model.smallConfig);
      const e = explore(m, { keepGoing: true, maxStates: 400_000 });
      // a search cut short may have met its last level in another order
      if (!e.complete) continue;
      const c = cachedSearch(m, 400_000);
      // built-in checks are counted under their own names by both
      for (const p of e.violated.keys()) expect(c.violated, `${v.name}: ${p}`).toContain(p);
      compared += e.violated.size;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
