/** slab's mutation check (`npm run mutation -- slab`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { slabModel } from './model.js';
import type { SlabConfig } from './state.js';
import { explore } from '../../properties/explore.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// slab steps are slow (about 1,000 states/s on a loaded machine): smaller bounds keep a mutant near two seconds
mutationSuite(slabModel, {
  maxStates: 400,
  runs: 50,
  // W2 needs two caches under the SLAB design with pressure toggling (W2_CONFIG); no family member catches it within the bound
  searchFirst: { W2: 'exploreConfig' },
});

// A buggy design that is still caught may have lost the rest of its behaviour (its lists, its
// accounting, its frees): on k = 3 (Peter's scenario, complete in a few hundred states) each SLUB
// design must break only S1 (and S1r, the same leak judged after the step), S2–S5 holding; P4 (W2)
// without pressure must hold everything. And small members keep the state counts pinned in
// properties/slab.test.ts: a mutant that offers an event where it should not, or merges states
// in slabKey, changes the count.
const member = (name: string): SlabConfig => slabModel.family?.find((m) => m.name === name)?.config as SlabConfig;
const only: readonly [string, string, string[]][] = [
  ['V0', 'k-three', ['S1', 'S1r']],
  ['V1', 'k-three', ['S1', 'S1r']],
  ['V2', 'k-three', ['S1', 'S1r']],
  ['V3', 'k-three', ['S1', 'S1r']],
  ['W1', 'k-three', ['S1', 'S1r']],
  ['W2', 'pressure-never', []],
];
for (const [variant, name, properties] of only) {
  test(`${variant} on family member ${name} breaks only ${properties.join(', ') || 'nothing'}`, () => {
    const r = explore(slabModel.machine(variant, member(name)), { keepGoing: true, maxStates: 2_000 });
    expect(r.complete).toBe(true);
    expect([...r.violated.keys()].sort()).toEqual(properties);
  });
}
const pinned: Readonly<Record<string, number>> = { 'pages-one': 136, 'pressure-always-on': 112, 'allocs-one': 186 };
test(`reference state counts on ${Object.keys(pinned).join(', ')}`, () => {
  const got = Object.fromEntries(Object.keys(pinned).map((name) => [name, explore(slabModel.machine('reference', member(name)), { maxStates: 1_000 }).states]));
  expect(got).toEqual(pinned);
});
