/** State differences for traces (they live beside the model layer, which the hygiene check also uses). */
export { compact, diff } from '../model/diff.js';
