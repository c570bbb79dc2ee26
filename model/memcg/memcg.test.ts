/**
 * memcg shrink_in_bytes suite (spec 03): the reference holds under both
 * engines with every witness reached, each buggy variant is found by both
 * engines on every seed of the `ci` budget with its declared property (10
 * seeds: `mmcheck ci --profile deep`), harmless ones pass, and each property
 * is shown able to fail.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine, Transition } from '../contract.js';
import { memcg, memcgModel, SMALL } from './model.js';
import type { MemcgAction, MemcgState, Writer } from './state.js';
import { replayLabels } from '../../properties/check.js';
import { explore } from '../../properties/explore.js';
import { randomSearch as randomCheck } from '../../shrinkers/search.js';
import { buggyVariants, expectCaught, expectedProperty, expectHolds, shortestOf, HOLDS_BUDGET, HOLDS_RANDOM_BUDGET } from '../../test/variants.js';
import { familyTests } from '../../test/family.js';

describe('memcg reference', () => {
  // the complete exploration of §7, with its pinned state count: explorations.deep.test.ts (npm run test:deep)
  test('random runs on every seed of the budget: no violation, every witness reached', () => {
    const r = expectHolds(memcgModel, 'reference', HOLDS_RANDOM_BUDGET).random;
    expect(r.map((x) => x.runs)).toEqual(HOLDS_BUDGET.seeds.map(() => HOLDS_BUDGET.runs));
    // every witness is counted by the random engine too, each at least once
    expect(r.map((x) => [...x.witnesses.keys()].sort())).toEqual(HOLDS_BUDGET.seeds.map(() => ['charge-reclaimed', 'limit-ok', 'shrink-ebusy', 'shrink-ok-after-reclaim']));
    for (const x of r) for (const [name, count] of x.witnesses) expect({ name, count: count > 0 }).toEqual({ name, count: true });
  });
});

describe('memcg buggy variants are found by both engines on every seed', () => {
  for (const name of buggyVariants(memcgModel)) {
    test(`${name} violates ${expectedProperty(memcgModel, name) ?? ''}`, () => {
      expectCaught(memcgModel, name);
    });
  }

  test('the shortest counterexamples have the shape the spec describes', () => {
    const len = (variant: string): number | undefined => shortestOf(memcgModel, variant).counterexample?.steps.length;
    // W1: the write itself parses 2^64-1 to 0
    expect(len('W1')).toBe(1);
    // V2: L0, L1, L3 (usage 3 pages > 2), CB1, CB2 with r=0 → success, limit unchanged
    expect(len('V2')).toBe(5);
  });
});

describe('memcg harmless variants and L1 vs L1+', () => {
  test('W3 (two limit writers, no set_limit_mutex) passes both engines', () => {
    expectHolds(memcgModel, 'W3');
  });

  test('V3 keeps L1: without a charger every write returns within its bound', () => {
    const r = explore(memcgModel.machine('V3', { ...SMALL, charges: 0 }));
    expect(r.complete).toBe(true);
    expect([...r.violated.keys()]).toEqual([]);
    expect(memcgModel.machine('V3', { ...SMALL, charges: 0 }).properties.map((p) => p.name)).toContain('L1');
  });
});

describe('every memcg property can fail', () => {
  const m = memcg.machine('reference', SMALL);
  const s0 = m.init();
  const w = (x: Partial<Writer>): Writer => ({
    pc: 'P3', input: '8K', val: 8192, retry: 2, minUsage: 12288, signal: false, result: null, noProgress: 0, seenMin: 12288, steps: 3, bound: 17, ...x,
  });
  const check = (name: string, t: Transition<MemcgState, MemcgAction>): string | undefined => {
    const p = m.properties.find((x) => x.name === name);
    if (!p || p.kind === 'sometimes' || p.kind === 'eventually') throw new Error(`no safety property ${name}`);
    return p.check(t);
  };
  test('M1: usage above limit', () => {
    expect(check('M1', { next: { ...s0, usage: 5 * 4096 } })).toMatch(/usage 20480 > limit 16384/);
  });
  test('M3: -EBUSY after too few rounds without progress', () => {
    const prev = { ...s0, writers: { S: w({ pc: 'P4', retry: 0, noProgress: 1 }) } };
    const next = { ...s0, writers: { S: w({ pc: 'done', retry: 0, noProgress: 1, result: 'EBUSY' }) } };
    expect(check('M3', { prev, action: { type: 'P4', w: 'S' }, next })).toMatch(/after 1 rounds/);
  });
  test('M3 counts rounds by its own rule from what each round observed, not by the loop\'s retry bookkeeping', () => {
    // S writes 8K with 3 pages charged: S0, S1, S3 (over), S2, S4, then reclaim
    let s = m.init();
    for (const a of [{ type: 'P0', w: 'S', input: '8K' }, { type: 'P1', w: 'S' }, { type: 'P3', w: 'S' }, { type: 'P2', w: 'S' }, { type: 'P4', w: 'S' }] as MemcgAction[]) s = m.next(s, a);
    const progressed = m.next(s, { type: 'P5', w: 'S', r: 1 });
    expect(progressed.writers.S).toMatchObject({ noProgress: 0, seenMin: 8192 });
    const flat = m.next(s, { type: 'P5', w: 'S', r: 0 });
    expect(flat.writers.S).toMatchObject({ noProgress: 1, seenMin: 12288 });
    // a loop that gave up after rounds its rule wrongly called flat: the ghost disagrees, M3 fails
    const prev = { ...progressed, writers: { S: { ...progressed.writers.S!, pc: 'P4' as const, retry: 0 } } };
    const next = { ...prev, writers: { S: { ...prev.writers.S, pc: 'done' as const, result: 'EBUSY' as const } } };
    expect(check('M3', { prev, action: { type: 'P4', w: 'S' }, next })).toMatch(/after 0 rounds without progress, not 2/);
  });
  test('M4: the shrink writer changing the limit', () => {
    const prev = { ...s0, writers: { S: w({}) } };
    expect(check('M4', { prev, action: { type: 'P3', w: 'S' }, next: { ...prev, limit: 0 } })).toMatch(/S changed limit/);
  });
  test('M6: a charge succeeding over the limit', () => {
    const prev = { ...s0, usage: 4 * 4096, charger: { pc: 'C1' as const, retries: 2, result: null } };
    const next = { ...prev, charger: { pc: 'done' as const, retries: 2, result: 'ok' as const } };
    expect(check('M6', { prev, action: { type: 'C1', kind: 'pinned' }, next })).toMatch(/C1 succeeded/);
  });
  test('L2: -ENOMEM from a step other than C2 or C5', () => {
    const prev = { ...s0, charger: { pc: 'C4' as const, retries: 2, result: null } };
    const next = { ...prev, charger: { pc: 'done' as const, retries: 2, result: 'ENOMEM' as const } };
    expect(check('L2', { prev, action: { type: 'C4' }, next })).toMatch(/-ENOMEM at C4/);
  });
  test('E-steps: an uncharge over its budget, a reclaim of pages that are not there, a miscounted charge', () => {
    const noBudget = { ...s0, unchargesLeft: 0 };
    expect(check('E-steps', { prev: noBudget, action: { type: 'uncharge', kind: 'pinned' }, next: { ...noBudget, pinned: 0, usage: 2 * 4096 } })).toMatch(/beyond the configured uncharges/);
    const prev = { ...s0, writers: { S: w({ pc: 'P5' }) } };
    expect(check('E-steps', { prev, action: { type: 'P5', w: 'S', r: 3 }, next: { ...prev, reclaimable: -1, usage: 0 } })).toMatch(/negative books/);
    const charging = { ...s0, usage: 2 * 4096, reclaimable: 1, charger: { pc: 'C1' as const, retries: 2, result: null } };
    expect(check('E-steps', { prev: charging, action: { type: 'C1', kind: 'pinned' }, next: { ...charging, usage: 3 * 4096 } })).toMatch(/pinned is 1, §2–§4 give 2/);
    expect(check('E-steps', { next: { ...s0, togglesLeft: 3 } })).toMatch(/initial state: togglesLeft/);
  });
  test('S-flow: a pending signal not honoured at S2; -EBUSY before the rounds without progress ran out', () => {
    const prev = { ...s0, writers: { S: w({ pc: 'P2', signal: true }) } };
    expect(check('S-flow', { prev, action: { type: 'P2', w: 'S' }, next: { ...prev, writers: { S: w({ pc: 'P4', signal: true, steps: 4 }) } } })).toMatch(/should return EINTR/);
    const at4 = { ...s0, writers: { S: w({ pc: 'P4', retry: 0, noProgress: 1 }) } };
    expect(check('S-flow', { prev: at4, action: { type: 'P4', w: 'S' }, next: { ...at4, writers: { S: w({ pc: 'done', retry: 0, noProgress: 1, result: 'EBUSY', steps: 4 }) } } })).toMatch(/should go to P5/);
  });
  test('C-flow: C4 retrying at usage = limit (the test is strict)', () => {
    const prev = { ...s0, usage: 4 * 4096, reclaimable: 3, charger: { pc: 'C4' as const, retries: 2, result: null } };
    const next = { ...prev, charger: { pc: 'C1' as const, retries: 2, result: null } };
    expect(check('C-flow', { prev, action: { type: 'C4' }, next })).toMatch(/should go to C5/);
  });
  test('L1+: a write past its step bound; Q-usage: usage not matching the pages', () => {
    expect(check('L1+', { next: { ...s0, writers: { S: w({ steps: 18 }) } } })).toMatch(/18 of its own steps/);
    expect(check('Q-usage', { next: { ...s0, usage: 0 } })).toMatch(/usage 0/);
  });
});

describe('replay', () => {
  test('a random counterexample replays by action names to the identical trace', () => {
    const r = randomCheck(memcgModel, 'V2', { seed: 7, runs: 1_000 });
    const f = r.failure;
    expect(f).toBeDefined();
    if (!f) return;
    const again = replayLabels(memcgModel.machine('V2', f.config) as AnyMachine, f.trace.steps.map((s) => s.label)).trace;
    expect(JSON.stringify(again)).toBe(JSON.stringify(f.trace));
  });
});

/** Pinned reference state counts of the family (model/memcg/family.ts). */
familyTests(memcgModel, {
  'input-suffixes': 355,
  'input-bases': 692,
  'input-not-page-multiple': 284,
  'input-empty-and-newline': 1048,
  'input-malformed': 14,
  'input-near-wrap': 28,
  'limit-at-usage': 1014,
  'limit-unlimited': 4935,
  'usage-zero': 28,
  'all-pinned': 14,
  'one-reclaimable': 18,
  'retries-zero': 6,
  'retries-one': 47,
  'swap-cluster-two': 83,
  'reclaim-max-one': 38,
  signals: 2436,
  'second-limit-writer': 753,
  'uncharge-and-toggles': 225,
  'charger-no-wait': 136,
  'charger-unbounded': 17003,
  'no-writes': 388,
});

describe('configuration schema', () => {
  test('the shipped configurations pass; a bad field, an unknown one and a group above its limit are refused by name', () => {
    expect(memcg.parseConfig(JSON.parse(JSON.stringify(SMALL)))).toEqual(SMALL);
    for (const v of memcg.variants) if (v.exploreConfig) expect(memcg.parseConfig(JSON.parse(JSON.stringify(v.exploreConfig)))).toEqual(v.exploreConfig);
    expect(() => memcg.parseConfig({ ...SMALL, retries: 'many' })).toThrow(/^memcg config field 'retries'/);
    expect(() => memcg.parseConfig({ ...SMALL, reclaimMax: -1 })).toThrow(/^memcg config field 'reclaimMax'/);
    expect(() => memcg.parseConfig({ ...SMALL, limitWriters: 3 })).toThrow(/^memcg config field 'limitWriters'/);
    expect(() => memcg.parseConfig({ ...SMALL, shrinkInputs: ['8K', 8] })).toThrow(/^memcg config field 'shrinkInputs\[1\]'/);
    expect(() => memcg.parseConfig({ ...SMALL, limitPages: 2 })).toThrow(/^memcg config field 'limitPages': 2 pages is below the 3 charged/);
    const { signals: _, ...missing } = SMALL;
    expect(() => memcg.parseConfig(missing)).toThrow(/^memcg config field 'signals'/);
    expect(() => memcg.parseConfig([])).toThrow(/^memcg config/);
  });
  test('keys an object inherits are unknown fields like any other', () => {
    for (const key of ['toString', '__proto__', 'constructor']) expect(() => memcg.parseConfig(JSON.parse(`{${JSON.stringify(SMALL).slice(1, -1)},"${key}":1}`))).toThrow(`memcg config has unknown field '${key}'`);
  });
});
