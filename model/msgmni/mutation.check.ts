/** msgmni's mutation check (`npm run mutation -- msgmni`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { FOCUS, TWO_CREATORS } from './config.js';
import { msgmniModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// Each mutant runs this whole check, so it must take about a second. W1 and
// W4-26 are searched on the fewest events that show them (W1's FOCUS has its
// §7 shortest trace, 11 steps, among 86 states instead of 9,528): the gate
// still searches them on their own configurations.
const focused = {
  ...msgmniModel,
  variants: msgmniModel.variants.map((v) =>
    v.name === 'W1' ? { ...v, exploreConfig: FOCUS.W1 } : v.name === 'W4-26' ? { ...v, exploreConfig: { ...FOCUS.V2, manualValues: [-1], autoWrites: 0 } } : v,
  ),
};
// Each buggy variant is searched first where it shows fastest (measured).
mutationSuite(focused, {
  maxStates: 400,
  runs: 40,
  searchFirst: {
    V1: 'two-manual-writes',
    V2: 'kernel-below-lower-clamp',
    V3: 'scaled-above-upper-clamp',
    V4: 'auto-out-of-range',
    W1: 'exploreConfig',
    W2: 'auto-out-of-range',
    W3: 'three-memory-events',
    'W4-26': 'exploreConfig',
    'W4-27': 'exploreConfig',
  },
  // the members that complete within 400 states (reference, measured)
  pinStates: { 'three-memory-events': 188, 'no-events': 1, 'auto-out-of-range': 124 },
});

// The state key (view, and the symmetry of the two created namespaces) must
// neither merge states nor split them: a mutant there changes these pinned
// counts (the properties cannot see a coarser key, which hides states).
test.each([
  ['a manual write, an auto write, a memory event', FOCUS.W1, 62],
  ['two creators (symmetry on)', { ...TWO_CREATORS, memEvents: 0 }, 206],
])('reference state count pinned: %s', (_, config, states) => {
  expect(explore(msgmniModel.machine('reference', config)).states).toBe(states);
});
