/**
 * The models' own immer instance. States are never mutated outside
 * `produce` (engines only read them), and freezing every produced state
 * costs about half of an exploration's time, so models produce unfrozen
 * states — from a private instance, so that immer's global switch (and the
 * user's own code that relies on it) is left alone.
 */
import { Immer } from 'immer';

const immer = new Immer({ autoFreeze: false });

/** immer's `produce`, without auto-freezing. */
export const produce: Immer['produce'] = immer.produce;

/**
 * immer's `original(draft)`: the state before the step. Models import it
 * from here so that a recorded footprint (spec 06 §5's race check) also
 * sees what a step reads through it.
 */
export { trackedOriginal as original } from './footprint.js';
