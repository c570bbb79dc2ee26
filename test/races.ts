/** The race check (spec 06 §5) as the model tests run it. */
import { expect } from 'vitest';
import type { AnyModel } from '../model/contract.js';
import { explore } from '../properties/explore.js';
import { RaceLog } from '../properties/races.js';

/** The races of one variant's complete exploration, as `field ctx/ctx (step, step)`, and the fields checked. */
export function racesOf(m: AnyModel, variant: string): { races: string[]; fields: number; shared: number } {
  const v = m.variants.find((x) => x.name === variant);
  if (!v) throw new Error(`no variant ${variant}`);
  const machine = m.machine(variant, v.exploreConfig ?? m.smallConfig);
  const log = new RaceLog(machine.raceExempt ?? {});
  const r = explore(machine, { races: log, keepGoing: true });
  expect(r.complete).toBe(true);
  const races = log.list().map((x) => `${x.first.field} ${x.first.ctx}/${x.second.ctx} (${x.first.step.split(' ')[0]}, ${x.second.step.split(' ')[0]})`);
  return { races, fields: log.fields, shared: log.shared };
}

