/**
 * Every model the CLI and the suites know. A new mechanism adds one
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

/**
 * Where a worker thread finds a registered model: this module's URL, the
 * export that holds it and its name (workers load models by module, never
 * through a registry of their own).
 */
export function modelSource(name: string): { readonly module: string; readonly exportName: string; readonly model: string } {
  return { module: import.meta.url, exportName: 'MODELS', model: name };
}
