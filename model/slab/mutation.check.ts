/** slab's mutation check (`npm run mutation -- slab`; see test/mutation-suite.ts). */
import { slabModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// slab steps are slow (about 1,000 states/s on a loaded machine): smaller bounds keep a mutant near two seconds
mutationSuite(slabModel, {
  maxStates: 400,
  runs: 50,
  exploreConfigFirst: { W2: 'W2 needs two caches under the SLAB design with pressure toggling (W2_CONFIG); no family member catches it within the bound' },
});
