/**
 * Tests of a model's family (issue 15), shared by the model suites: the
 * reference holds on every member with its pinned state count, and every
 * buggy variant is caught with its declared property on its own exploration
 * configuration or on at least one member.
 */
import { describe, expect, test } from 'vitest';
import type { AnyModel } from '../model/contract.js';
import { expectedProperty } from '../model/contract.js';
import { exploreFamily } from '../properties/family.js';
import { explore } from '../properties/explore.js';
import { checkLiveness } from '../properties/liveness.js';
import { shortestMade } from './variants.js';

/** Declares the family tests of `model`; `pins` maps every member's name to its reference state count. */
export function familyTests(model: AnyModel, pins: Readonly<Record<string, number>>): void {
  const family = model.family ?? [];
  describe(`${model.name} family`, () => {
    test('every member is pinned, names are unique', () => {
      expect(family.map((m) => m.name).sort()).toEqual(Object.keys(pins).sort());
    });

    test('the reference holds on every member: complete, no violation, pinned state counts', () => {
      // the same family exploration the gate and `explore --family` run
      const f = exploreFamily(model, 'reference');
      expect(f.problems).toEqual([]);
      expect(f.summary).toBe(`reference holds on the family (${family.length} of ${family.length} members complete)`);
      expect(Object.fromEntries(f.outcomes.map((o) => [o.member, o.states]))).toEqual(pins);
    });

    for (const v of model.variants) {
      const property = expectedProperty(v);
      if (property === undefined) continue;
      test(`${v.name} is caught with ${property} on its exploration configuration or a member`, () => {
        // the exploration configuration first when this file's variant check already explored it (free);
        // else the members first (small, so a miss is cheap) and the exploration configuration last
        const made = shortestMade(model, v.name)?.counterexample?.violations.some((x) => x.property === property) === true;
        const configs = [...family.map((m) => m.config), v.exploreConfig ?? model.smallConfig];
        const caught = made || configs.some((config) => {
          const m = model.machine(v.name, config);
          const kinds = m.properties.filter((p) => p.name === property).map((p) => p.kind);
          if (kinds.length > 0 && kinds.every((k) => k === 'eventually')) return checkLiveness(m, { maxStates: 300_000 }).violations.has(property);
          return explore(m, { target: property, maxStates: 300_000 }).counterexample?.violations.some((x) => x.property === property) === true;
        });
        expect(caught).toBe(true);
      });
    }
  });
}
