/** memcg's mutation check (`npm run mutation -- memcg`; see test/mutation-suite.ts). */
import { memcgModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

mutationSuite(memcgModel);
