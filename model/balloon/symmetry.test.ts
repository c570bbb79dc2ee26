/**
 * balloon's state keys against the oracle of symmetry-oracle.ts, on
 * configurations whose classes have more than one page: every state of an
 * exploration without symmetry, the symmetry key held to the slowest honest
 * canonical form (every in-class renumbering tried), the plain view to the
 * state itself. The state and orbit counts are pinned: the orbits are the
 * states a reduced exploration must find.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { balloonMachine } from './model.js';
import { SMALL } from './config.js';
import { checkStateKeys, classPermutations, SYMMETRY_CONFIGS, symmetryClasses } from './symmetry-oracle.js';

describe('the oracle', () => {
  test('classes: one per pageblock of the offlinable block, one for the never-offlined pages', () => {
    expect(symmetryClasses(SYMMETRY_CONFIGS['two-pages-per-pageblock']?.config ?? SMALL)).toEqual([[0, 1], [2, 3], [4, 5, 6, 7]]);
  });
  test('renumberings keep each page in its class, and there are 2!·2!·4! of them', () => {
    const maps = classPermutations([[0, 1], [2, 3], [4, 5, 6, 7]], 8);
    expect(maps).toHaveLength(96);
    expect(new Set(maps.map((m) => m.join())).size).toBe(96);
    for (const m of maps) expect([m[0], m[1]].sort()).toEqual([0, 1]);
  });
});

describe.each(Object.entries(SYMMETRY_CONFIGS))('%s', (_, { variant, config, states, orbits }) => {
  test('the symmetry key splits states exactly as the canonical form, the view as the state', () => {
    const r = checkStateKeys(balloonMachine(variant, config, { symmetry: false }), config, 20_000);
    expect(r.problem).toBeUndefined();
    expect({ states: r.states, orbits: r.orbits }).toEqual({ states, orbits });
    // the reduction is used: fewer orbits than states
    expect(r.orbits).toBeLessThan(r.states);
  });
});

// a buggy variant's exploration does not go on from a violation, so only the reference's meets every orbit
const REFERENCE_CASES = Object.entries(SYMMETRY_CONFIGS).filter(([, c]) => c.variant === 'reference');
test.each(REFERENCE_CASES)('%s: the reduced exploration finds one state per orbit', (_, { variant, config, orbits }) => {
  expect(explore(balloonMachine(variant, config), { maxStates: 20_000 }).states).toBe(orbits);
});
