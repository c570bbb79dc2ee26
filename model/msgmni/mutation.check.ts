/** msgmni's mutation check (`npm run mutation -- msgmni`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { FOCUS, TWO_CREATORS } from './config.js';
import { msgmniModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// A counterexample is read by its step names: the label of each step (its
// type and the ns it recomputes) is the model's account of what ran, and
// P1/P5/P7 find the recomputes by it. next() dispatches on the context
// alone, so a wrong label changes no state: these shortest traces (BFS,
// deterministic) pin the labels along each variant's scenario (W1's is §6's:
// K's RC1 reads n before A's RC2 writes). `C:ns1` is the creator of ns1.
// First in the file: a label mutant fails here at once (Stryker bails).
const label = (a: Record<string, unknown>): string => [a.ctx, a.type, a.ns ?? a.w ?? a.v].filter((y) => y !== undefined).join(':');
test.each([
  ['W1', FOCUS.W1, 'P2', 'write_msgmni:3 E:E1 write_auto:A A:A3 A:RC1:init offline H:H1 K:K1 K:RC1:init K:RC2:init A:RC2:init'],
  ['V2', FOCUS.V2, 'P6', 'offline create C:ns1:RC:ns1 C:ns1:C4 C:ns1:RC:init write_msgmni:-1 H:H1'],
  ['W4-27', FOCUS['W4-27'], 'P4', "write_auto:A write_auto:A' A:A2 A:A3 A:A3 A':A2 A':A3"],
  ['W3', msgmniModel.smallConfig, 'P3+', 'offline H:H1 K:K1 write_msgmni:-1 K:RC:init E:E2'],
  ['W2', msgmniModel.family?.find((m) => m.name === 'auto-out-of-range')?.config, 'P2', 'create C:ns1:RC:ns1 C:ns1:RC:init offline H:H1 K:K1 K:RC:init C:ns1:C4'],
])('%s: the shortest counterexample to %s names these steps', (variant, config, property, steps) => {
  const r = explore(msgmniModel.machine(variant, config), { target: property, maxStates: 5_000 });
  expect(r.counterexample?.steps.map((x) => label(x.action as unknown as Record<string, unknown>)).join(' ')).toBe(steps);
});

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
