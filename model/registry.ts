/**
 * Every model the CLI and the suites know, by name. A new mechanism adds one
 * line here.
 */
import type { AnyModel } from './contract.js';
import { balloonModel } from './balloon/model.js';
import { memcgModel } from './memcg/model.js';
import { slabModel } from './slab/model.js';
import { msgmniModel } from './msgmni/model.js';
import { reserveModel } from './reserve/model.js';

/** All models, in listing order. */
export const MODELS: readonly AnyModel[] = [memcgModel, slabModel, balloonModel, msgmniModel, reserveModel];

/** Looks a model up by name; throws a one-line error listing the known ones. */
export function modelByName(name: string): AnyModel {
  const m = MODELS.find((x) => x.name === name);
  if (!m) throw new Error(`unknown model '${name}' (known: ${MODELS.map((x) => x.name).join(', ')})`);
  return m;
}
