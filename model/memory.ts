/**
 * A model under a chosen memory model (spec 06): `memory: 'lkmm'` set in
 * every configuration it declares or draws, so its machines keep their
 * marked locations in a weak memory and its replay files record the choice.
 * Only for a model that says what it marks ({@link ModelDef.weakMemory}).
 */
import type { AnyModel } from './contract.js';

/** The memory models a run can choose: sequentially consistent, or the kernel's (LKMM). */
export type MemoryMode = 'sc' | 'lkmm';

/** `m` with `memory: mode` in every configuration (the model's own schema validates it); `sc` leaves `m` as it is. */
export function underMemoryModel(m: AnyModel, mode: MemoryMode): AnyModel {
  if (mode === 'sc') return m;
  if (m.weakMemory === undefined) throw new Error(`${m.name} marks no lockless location: it has no ${mode} mode`);
  const set = (c: unknown): unknown => m.parseConfig({ ...(c as object), memory: mode });
  return {
    ...m,
    smallConfig: set(m.smallConfig),
    randomConfig: m.randomConfig.map(set),
    ...(m.family ? { family: m.family.map((f) => ({ ...f, config: set(f.config) })) } : {}),
    variants: m.variants.map((v) => ({
      ...v,
      ...(v.exploreConfig !== undefined ? { exploreConfig: set(v.exploreConfig) } : {}),
      ...(v.randomConfig ? { randomConfig: v.randomConfig.map(set) } : {}),
    })),
  };
}
