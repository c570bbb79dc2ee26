/** balloon's mutation check (`npm run mutation -- balloon`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { SMALL } from './config.js';
import type { BalloonConfig, BalloonState } from './state.js';
import { balloonMachine, balloonModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';
import { checkStateKeys, SYMMETRY_CONFIGS } from './symmetry-oracle.js';

/**
 * §7's shape with one page per pageblock (4 pages) and min_mem 3 pages (a
 * balloon of at most 1 entry): about 800 states, so a mutant's exploration
 * completes and is held to every witness (the offline with a balloon, the
 * vetoed offline, loaning resumed after an online, isolation by count,
 * allocation paused). §7's reduction itself (SMALL) has about 34,000.
 */
const CHECK: BalloonConfig = { ...SMALL, pagesPerPageblock: 1, initial: ['free', 'free', 'free', 'free'], minMem: 3 };

// Budgets for a check of a few seconds: the complete exploration above, its
// state count pinned (a mutant of the state space or of its key fails there,
// first); the family's members explored to a shallow bound (the complete
// explorations and the random runs go deep); each buggy variant looked for on
// the member where a BFS finds it in the fewest states. 30 random runs of 60
// steps seldom complete an offline with a balloon or resume loaning after
// one, so they are not held to the witnesses: the complete exploration is.
mutationSuite(balloonModel, {
  holdsConfig: CHECK,
  holdsMaxStates: 2_000,
  holdsStates: { reference: 812, V3: 892 },
  maxStates: 100,
  runs: 30,
  targetMaxStates: 3_000,
  randomWitnesses: false,
  targets: {
    V1: ['preloaded-balloon'],
    robert: ['request-over-cap'],
    V2: ['request-over-cap'],
    W1: ['negative-request'],
    W2: ['request-over-cap'],
    W3: ['preloaded-balloon'],
    W4: ['request-over-cap'],
    W5: ['request-over-cap'],
  },
});

/**
 * The OOM notifier's path (O1's FREE, O2, O3, and oom_freed lowering the
 * target) is in no configuration above but the members (explored shallow)
 * and the random runs: a complete exploration of it, 4 pages and a request
 * of 1 page, held to its witness, its state count pinned.
 */
const OOM: BalloonConfig = { ...CHECK, loanRequests: [1], oomEvents: 1, offlineEvents: 0, onlineEvents: 0, allocFail: false, vetoCallback: false };
test('reference holds on the OOM configuration, complete, oom-freed reached, state count pinned', () => {
  const r = explore(balloonMachine('reference', OOM), { maxStates: 2_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.witnesses.get('oom-freed')).toBe(true);
  expect(r.states).toBe(426);
});

/**
 * With symmetry off the machine offers every pageblock, not one per class,
 * and the engine keys states by the plain view: CHECK's exploration without
 * symmetry, its state count pinned (the reduced one is pinned above).
 */
test('reference holds on the check\'s configuration with symmetry off, state count pinned', () => {
  const r = explore(balloonMachine('reference', CHECK, { symmetry: false }), { maxStates: 2_000, symmetry: false });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.states).toBe(1_240);
});

/**
 * Paths CHECK leaves out, each explored completely, with no violation and its
 * state count pinned. CHECK caps the balloon at 1 entry, so ALLOC never
 * starts with pages loaned and FREE never leaves some (the sizes `target −
 * loaned` and `loaned − target`): a cap of 2 (min_mem 2 of 4 pages), the
 * request moving between 2 and 1, no hotplug, with the disable write, another
 * user's allocations, or plpar_page_set_loaned failing (A5; no member has
 * hv errors). And step 3's migration of a movable page out of the block,
 * which succeeds or finds no free page (a pinned page elsewhere).
 */
const NO_HOTPLUG: BalloonConfig = { ...CHECK, minMem: 2, loanRequests: [2, 1], offlineEvents: 0, onlineEvents: 0, vetoCallback: false };
test.each([
  ['a cap of 2 and the disable write', { ...NO_HOTPLUG, disable: true }, 513],
  ['a cap of 2 and other allocations', { ...NO_HOTPLUG, otherEvents: 1 }, 760],
  ['a cap of 2 and hv errors', { ...NO_HOTPLUG, hvErrors: true }, 342],
  ['a movable page to migrate', { ...CHECK, initial: ['free', 'other_movable', 'free', 'other_pinned'], onlineEvents: 0, allocFail: false, vetoCallback: false }, 324],
] as const)('reference holds with %s, state count pinned', (_, config, states) => {
  const r = explore(balloonMachine('reference', config), { maxStates: 2_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.states).toBe(states);
});

/**
 * Metric B10 (spec 02 §5: pages unloaned by offlines that end cancelled; V3
 * makes it positive) is no state key and no property, so the check judges it
 * here against a count of its own, over every schedule of two balloons that
 * start with entries in block 0 (the offline's): the pages the offline's G3
 * step (G4's search) took off the balloon, added when that offline ends with
 * its block still online. In V3 the priority-5 veto comes after G4; in the
 * reference G5 fails to replace a list page of the block after G4 ran.
 */
const B10_CONFIGS: readonly BalloonConfig[] = [
  { ...SMALL, minMem: 4, onlineEvents: 0, loanRequests: [0], preload: [[4, 0, 1], [5, 2, 3]] },
  { ...SMALL, minMem: 4, onlineEvents: 0, loanRequests: [0], preload: [[0, 1, 4]] },
];
test.each(['V3', 'reference'])('%s: metric B10 counts the pages unloaned by cancelled offlines', (variant) => {
  let most = 0;
  for (const config of B10_CONFIGS) {
    const m = balloonMachine(variant, config);
    type Node = { s: BalloonState; unloaned: number; b10: number };
    const seen = new Set<string>();
    const queue: Node[] = [{ s: m.init(), unloaned: 0, b10: 0 }];
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const key = `${JSON.stringify(n.s)}|${n.unloaned}|${n.b10}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const a of m.actions(n.s)) {
        const t = m.next(n.s, a);
        let { unloaned, b10 } = n;
        if (a.type === 'G3') unloaned += n.s.loaned - t.loaned;
        const op = n.s.H.op;
        if (op !== null && op.op === 'offline' && t.H.op === null) {
          if (t.blocks[op.block]?.state !== 'offline') b10 += unloaned;
          unloaned = 0;
        }
        expect(t.b10).toBe(b10);
        most = Math.max(most, b10);
        queue.push({ s: t, unloaned, b10 });
      }
    }
    expect(seen.size).toBeLessThan(5_000);
  }
  expect(most).toBeGreaterThan(0);
});

/**
 * The state keys against the symmetry oracle (symmetry-oracle.ts): every
 * state of an exploration without symmetry, the symmetry key splitting them
 * exactly as the slow canonical form does and the view as the state does.
 * A mutant of the key that merges two states, or keeps two symmetric ones
 * apart, fails here; one whose key still splits them rightly is equivalent.
 * Last in the file: the cheaper checks above kill most mutants first.
 */
test.each(Object.entries(SYMMETRY_CONFIGS).filter(([name]) => name !== 'one-page-per-pageblock'))('%s: the state keys agree with the symmetry oracle', (_, { variant, config, states, orbits }) => {
  const r = checkStateKeys(balloonMachine(variant, config, { symmetry: false }), config, 20_000);
  expect(r.problem).toBeUndefined();
  expect({ states: r.states, orbits: r.orbits }).toEqual({ states, orbits });
});
