/**
 * The lost wake-up example checked as a user would: test-before-set is
 * found by the liveness engine (E1), the reference keeps E1 and A1.
 */
import { checkModel } from 'mmcheck/vitest';
import { model } from './model.js';

checkModel(model, { seeds: 3, runs: 300 });
