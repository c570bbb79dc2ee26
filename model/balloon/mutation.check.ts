/** balloon's mutation check (`npm run mutation -- balloon`; see test/mutation-suite.ts). */
import { SMALL } from './config.js';
import type { BalloonConfig } from './state.js';
import { balloonModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

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
// exploration and the random runs go deep); and each buggy variant is looked for on the member where a BFS finds
// it in the fewest states. 100 random runs of 60 steps from the default
// random configurations seldom complete an offline with a balloon or resume
// loaning after one; the complete exploration holds the reference to every witness.
mutationSuite(balloonModel, {
  holdsConfig: CHECK,
  holdsMaxStates: 2_000,
  holdsStates: { reference: 812, V3: 892 },
  maxStates: 150,
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
