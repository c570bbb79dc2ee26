/** memcg's mutation check (`npm run mutation -- memcg`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { memcgModel, SMALL } from './model.js';
import type { MemcgConfig } from './state.js';
import { explore } from '../../properties/explore.js';
import { mutationSuite } from '../../test/mutation-suite.js';

mutationSuite(memcgModel);

// A buggy variant that is still caught may have lost the rest of its behaviour (V2's callback
// steps, V3's own progress rule): on a few small configurations each must break only its
// declared property, every other property (E-steps, S-flow, C-flow among them) holding.
const base: MemcgConfig = { ...SMALL, charges: 0, uncharges: 0, shrinkInputs: [], limitInputs: [] };
const only: readonly [string, string, MemcgConfig, string][] = [
  // §6 V2's scenarios: 3 pinned pages (reclaim frees nothing), then 3 reclaimable pages, limit 8, write 2 pages
  ['V2', '3 pinned pages', { ...base, reclaimable: 0, pinned: 3, limitPages: 8, limitInputs: ['8K'] }, 'M2'],
  ['V2', '3 reclaimable pages', { ...base, reclaimable: 3, pinned: 0, limitPages: 8, limitInputs: ['8K'] }, 'M2'],
  ['V2', 'SWAP_CLUSTER_MAX 2', { ...base, reclaimable: 3, pinned: 0, limitPages: 8, limitInputs: ['4K'], swapClusterMax: 2, reclaimMax: 2 }, 'M2'],
  ['W1', 'inputs near 2^64', { ...base, shrinkInputs: ['18446744073709551615', '8K'], limitInputs: ['0XFFFFFFFFFFFFFFFF'] }, 'M5'],
];
for (const [variant, what, config, property] of only) {
  test(`${variant} breaks only ${property} (${what})`, () => {
    const r = explore(memcgModel.machine(variant, config), { keepGoing: true, maxStates: 1_500 });
    expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`).filter((x) => !x.startsWith(`${property}: `))).toEqual([]);
    expect([...r.violated.keys()]).toEqual([property]);
  });
}

// V3's own progress rule runs only in V3, whose check above needs a charger without budget (too
// large to explore whole here); without a charger V3 keeps L1 (§6), so its rule is judged there
test('V3 holds without a charger (L1, every other property)', () => {
  const r = explore(memcgModel.machine('V3', { ...base, shrinkInputs: ['0', '4K'], swapClusterMax: 2 }), { maxStates: 1_500 });
  expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`)).toEqual([]);
  expect(r.complete).toBe(true);
});
