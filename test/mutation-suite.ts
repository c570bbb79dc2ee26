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
   * The configuration the reference and each harmless variant must hold on,
   * with every witness when its exploration completes, and the liveness
   * engine's configuration (default: the variant's exploreConfig or the
   * small configuration; liveness: the family's first member). A model whose
   * small configuration is too large for a mutant's budget names a smaller
   * one that still completes, so that its witnesses are judged.
   */
  readonly holdsConfig?: unknown;
  /** State bound of the explorations of {@link holdsConfig} (default {@link maxStates}). */
  readonly holdsMaxStates?: number;
  /**
   * Per buggy variant, the family members to look for it on (in that order,
   * each up to {@link targetMaxStates}) instead of every member and then its
   * exploreConfig: where it is found fast, so that the search stays cheap.
   */
  readonly targets?: Readonly<Record<string, readonly string[]>>;
  /**
   * Pinned state counts of the exploration of {@link holdsConfig}, by
   * variant: a mutant that adds or removes reachable states, or makes the
   * state key merge or split states (which the properties cannot see), fails
   * there, at the check's first test.
   */
  readonly holdsStates?: Readonly<Record<string, number>>;
  /**
   * Per buggy variant, where its targeted search starts: a family member's
   * name, or `'exploreConfig'` for the variant's own configuration — the one
   * that shows it fastest (default: the members in order, then exploreConfig).
   * Only the order changes: the variant must still be caught somewhere, but an
   * unmutated check no longer pays for the members that miss it.
   */
  readonly searchFirst?: Readonly<Record<string, string>>;
  /**
   * Family members whose complete exploration must find exactly this many
   * states (by name): a mutant of the state key or of a canonical order then
   * fails (a key that merges states hides them from every property; one that
   * splits them only costs time, but is not the model either). Free: the
   * member is explored anyway.
   */
  readonly pinStates?: Readonly<Record<string, number>>;
}

function holds(model: AnyModel, variant: string, config: unknown, maxStates: number, witnesses: boolean, states?: number): void {
  const r = explore(model.machine(variant, config), { maxStates });
  if (states !== undefined) expect(r.states).toBe(states);
  expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`)).toEqual([]);
  // a member is one boundary: it need not reach every witness of the model
  if (witnesses && r.complete) expect([...r.witnesses].filter(([, seen]) => !seen).map(([w]) => w)).toEqual([]);
}

/** Declares the vitest tests of a model's mutation check (see the file header). */
export function mutationSuite(model: AnyModel, opts: MutationCheckOptions = {}): void {
  const maxStates = opts.maxStates ?? 1_500;
  const targetMaxStates = opts.targetMaxStates ?? 200_000;
  const members: readonly FamilyMember<unknown>[] = (model.family ?? []).filter((m) => !(m.name in (opts.skipMembers ?? {})));
  const holdsMaxStates = opts.holdsMaxStates ?? maxStates;
  const where = opts.holdsConfig === undefined ? 'the small configuration' : 'the check\'s configuration';

  for (const v of model.variants.filter((x) => x.expect.kind !== 'violates')) {
    test(`${v.name} holds on ${where}`, () => holds(model, v.name, opts.holdsConfig ?? v.exploreConfig ?? model.smallConfig, holdsMaxStates, true, opts.holdsStates?.[v.name]));
  }
  for (const m of members) {
    test(`reference holds on family member ${m.name}`, () => holds(model, 'reference', m.config, Math.min(maxStates, m.maxStates ?? maxStates), false, opts.pinStates?.[m.name]));
  }
  // the liveness engine reads what no other engine does (fairness, the liveness key): judge the
  // reference's eventually-properties on the family's first member (the small configuration without one)
  const smallest = opts.holdsConfig ?? members[0]?.config ?? model.smallConfig;
  // the machine is built inside the test, not while vitest collects: code run at collection is
  // what Stryker calls static and leaves untested (msgmni's formula.ts was, although the check kills it)
  test(`reference: no lasso on ${opts.holdsConfig === undefined ? 'a family member' : where} (liveness)`, (ctx) => {
    const m = model.machine('reference', smallest);
    if (!m.properties.some((p) => p.kind === 'eventually')) ctx.skip('the model has no eventually-property');
    const r = checkLiveness(m, { maxStates: opts.holdsConfig === undefined ? maxStates : holdsMaxStates });
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
      // (with `targets`, only the members it names, in order; with `searchFirst`, that one first)
      const only = opts.targets?.[v.name];
      if (only !== undefined) for (const n of only) if (!(model.family ?? []).some((x) => x.name === n)) throw new Error(`mutation check: ${v.name}'s target '${n}' is no family member`);
      const named: [string, unknown, number][] =
        only !== undefined
          ? only.map((n): [string, unknown, number] => [n, (model.family ?? []).find((x) => x.name === n)?.config, targetMaxStates])
          : [...members.map((m): [string, unknown, number] => [m.name, m.config, maxStates]), ['exploreConfig', v.exploreConfig ?? model.smallConfig, targetMaxStates]];
      const first = opts.searchFirst?.[v.name];
      if (first !== undefined && !named.some(([n]) => n === first)) throw new Error(`searchFirst: ${v.name} names no member '${first}'`);
      const configs = [...named.filter(([n]) => n === first), ...named.filter(([n]) => n !== first)].map(([, c, b]): [unknown, number] => [c, b]);
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
