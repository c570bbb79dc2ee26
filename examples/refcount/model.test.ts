/**
 * The example user model checked the way a user would: one line with the
 * vitest helper of the public API.
 */
import { checkModel } from 'mmcheck/vitest';
import { model } from './model.js';

checkModel(model, { seeds: 5, runs: 300 });
