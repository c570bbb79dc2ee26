/**
 * Tests of a model's family (issue 15), shared by the model suites: the
 * reference holds on every member with its pinned state count, and every
 * buggy variant is caught with its declared property on its own exploration
 * configuration or on at least one member.
 */
import { describe, expect, test } from 'vitest';
import type { AnyModel } from '../model/contract.js';
import { explore } from '../properties/explore.js';
import { checkLiveness } from '../properties/liveness.js';

/** Declares the family tests of `model`; `pins` maps every member's name to its reference state count. */
export function familyTests(model: AnyModel, pins: Readonly<Record<string, number>>): void {
  const family = model.family ?? [];
  describe(`${model.name} family`, () => {
    test('every member is pinned, names are unique', () => {
      expect(family.map((m) => m.name).sort()).toEqual(Object.keys(pins).sort());
    });

    test('the reference holds on every member: complete, no violation, pinned state counts', () => {
      const got: Record<string, number> = {};
      for (const m of family) {
        const r = explore(model.machine('reference', m.config), { maxStates: m.maxStates ?? 200_000 });
        expect({ member: m.name, violated: [...r.violated.keys()], complete: r.complete }).toEqual({ member: m.name, violated: [], complete: true });
        got[m.name] = r.states;
      }
      expect(got).toEqual(pins);
    });

    for (const v of model.variants) {
      if (v.expect.kind !== 'violates') continue;
      const property = v.expect.property;
      test(`${v.name} is caught with ${property} on its exploration configuration or a member`, () => {
        // members first (small, so a miss is cheap); the exploration configuration last
        const configs = [...family.map((m) => m.config), v.exploreConfig ?? model.smallConfig];
        const caught = configs.some((config) => {
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
