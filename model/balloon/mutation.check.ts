/** balloon's mutation check (`npm run mutation -- balloon`; see test/mutation-suite.ts). */
import { balloonModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// 100 random runs of 60 steps from the default random configurations seldom
// complete an offline with a balloon or resume loaning after one; the
// small-configuration exploration holds the reference to every witness
mutationSuite(balloonModel, { randomWitnesses: false });
