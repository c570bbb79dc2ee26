/**
 * The dedicated check a model's mutants are run against
 * (`model/<m>/mutation.check.ts`, `npm run mutation -- <m>`). It must fail
 * when a mutant changes behaviour the properties are meant to judge, and run
 * in a couple of seconds, so every exploration is bounded:
 *
 * - the reference and each harmless variant hold on the small configuration
 *   and the reference on every member of the model's family: no violation
 *   (a model that throws is one), and, on the small configuration, every
 *   sometimes-witness reached when the bounded exploration completed;
 * - some hundreds of random runs of the reference find no violation, and
 *   the liveness engine finds no lasso on a family member (models with
 *   eventually-properties);
 * - each buggy variant is still caught with its declared property, by a
 *   targeted exploration of the family's members, then of its exploreConfig
 *   (or the liveness engine when that property is an eventually-property
 *   only), as the family tests ask.
 *
 * One vitest test per exploration, so Stryker's per-test coverage runs a
 * mutant only against the explorations that execute its code.
 */
import { expect, test } from 'vitest';
import type { AnyModel, FamilyMember } from '../model/contract.js';
import { explore } from '../properties/explore.js';
import { checkLiveness } from '../properties/liveness.js';
import { randomCheck } from '../properties/random.js';

/** Budgets of a mutation check; defaults keep a model's whole check near two seconds. */
export interface MutationCheckOptions {
  /** State bound of each exploration of a configuration that must hold (default 1,500). */
  readonly maxStates?: number;
  /** State bound of each targeted search for a buggy variant (default 200,000: it stops at the first hit). */
  readonly targetMaxStates?: number;
  /** Random runs of the reference (default 100, each at most 60 steps). */
  readonly runs?: number;
  /** Seed of the random runs (default 1). */
  readonly seed?: number;
  /** Require every sometimes-witness in the random runs (default true). */
  readonly randomWitnesses?: boolean;
  /** Family members to leave out of the check, by name, each with the reason (e.g. too large for a mutant's budget). */
  readonly skipMembers?: Readonly<Record<string, string>>;
  /**
   * Buggy variants whose own exploration configuration is searched before the family's members,
   * each with the reason (e.g. no member catches it: the members' searches only cost time). Default none.
   */
  readonly exploreConfigFirst?: Readonly<Record<string, string>>;
}

function holds(model: AnyModel, variant: string, config: unknown, maxStates: number, witnesses: boolean): void {
  const r = explore(model.machine(variant, config), { maxStates });
  expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`)).toEqual([]);
  // a member is one boundary: it need not reach every witness of the model
  if (witnesses && r.complete) expect([...r.witnesses].filter(([, seen]) => !seen).map(([w]) => w)).toEqual([]);
}

/** Declares the vitest tests of a model's mutation check (see the file header). */
export function mutationSuite(model: AnyModel, opts: MutationCheckOptions = {}): void {
  const maxStates = opts.maxStates ?? 1_500;
  const targetMaxStates = opts.targetMaxStates ?? 200_000;
  const members: readonly FamilyMember<unknown>[] = (model.family ?? []).filter((m) => !(m.name in (opts.skipMembers ?? {})));

  for (const v of model.variants.filter((x) => x.expect.kind !== 'violates')) {
    test(`${v.name} holds on the small configuration`, () => holds(model, v.name, v.exploreConfig ?? model.smallConfig, maxStates, true));
  }
  for (const m of members) {
    test(`reference holds on family member ${m.name}`, () => holds(model, 'reference', m.config, Math.min(maxStates, m.maxStates ?? maxStates), false));
  }
  // the liveness engine reads what no other engine does (fairness, the liveness key): judge the
  // reference's eventually-properties on the family's first member (the small configuration without one)
  const smallest = members[0]?.config ?? model.smallConfig;
  if (model.machine('reference', smallest).properties.some((p) => p.kind === 'eventually'))
    test('reference: no lasso on a family member (liveness)', () => {
      const r = checkLiveness(model.machine('reference', smallest), { maxStates });
      expect([...r.violations.keys()]).toEqual([]);
    });
  test('reference: random runs find no violation', () => {
    const r = randomCheck(model, 'reference', { seed: opts.seed ?? 1, runs: opts.runs ?? 100, maxSteps: 60, noShrink: true });
    expect(r.modelError).toBeUndefined();
    expect(r.failure ? `${r.failure.property}: ${r.failure.message}` : undefined).toBeUndefined();
    if (opts.randomWitnesses ?? true) expect([...r.witnesses].filter(([, n]) => n === 0).map(([w]) => w)).toEqual([]);
  });
  for (const v of model.variants) {
    if (v.expect.kind !== 'violates') continue;
    const property = v.expect.property;
    test(`${v.name} is still caught with ${property}`, () => {
      // the family's members first (small: a miss is cheap), then the variant's exploration configuration
      // (first for the variants of exploreConfigFirst)
      const own: [unknown, number] = [v.exploreConfig ?? model.smallConfig, targetMaxStates];
      const family = members.map((m): [unknown, number] => [m.config, maxStates]);
      const configs: [unknown, number][] = v.name in (opts.exploreConfigFirst ?? {}) ? [own, ...family] : [...family, own];
      const caught = configs.some(([config, bound]) => {
        const m = model.machine(v.name, config);
        const p = m.properties.filter((x) => x.name === property);
        if (p.length > 0 && p.every((x) => x.kind === 'eventually')) return checkLiveness(m, { maxStates: bound }).violations.has(property);
        return explore(m, { target: property, maxStates: bound }).counterexample?.violations.some((x) => x.property === property) === true;
      });
      expect(caught).toBe(true);
    });
  }
}
