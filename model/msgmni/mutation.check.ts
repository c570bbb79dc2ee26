/** msgmni's mutation check (`npm run mutation -- msgmni`; see test/mutation-suite.ts). */
import { msgmniModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

mutationSuite(msgmniModel);
