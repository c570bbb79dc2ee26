/**
 * Families of configurations (issue 15): a bug that the small configuration
 * hides is found by `explore --family` and fails the gate; a buggy variant
 * is reported with the members that catch it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { erase } from '../model/contract.js';
import { gateReport, PROFILES, runItems, workItems } from '../cli/ci.js';
import { EXIT } from '../cli/exit.js';
import { main } from '../cli/main.js';
import { model as toy } from '../test/family-toy.js';
import { explore } from './explore.js';
import { exploreFamily } from './family.js';

const model = erase(toy);
const FIXTURE = resolve(import.meta.dirname, '..', 'test', 'family-toy.ts');
const ci = PROFILES.ci ?? { seeds: 1, runs: 100, maxStates: 1_000, allowIncomplete: false, compareShortest: false, liveness: false };

describe('explore --family', () => {
  test('the small configuration hides the bug: plain explore says complete, no violation', () => {
    const r = explore(model.machine('reference', model.smallConfig));
    expect(r.complete).toBe(true);
    expect(r.violated.size).toBe(0);
  });

  test('the family finds it on the member past the threshold, and says which members completed', () => {
    const f = exploreFamily(model, 'reference');
    expect(f.summary).toBe('reference VIOLATES on 1 of 3 members: top-3 (P)');
    expect(f.outcomes.map((o) => [o.member, o.complete, o.violated.join()])).toEqual([['top-0', true, ''], ['top-2', true, ''], ['top-3', false, 'P']]);
    expect(f.problems.map((p) => p.kind)).toEqual(['safety']);
  });

  test('a buggy variant is listed with the members that catch it', () => {
    expect(exploreFamily(model, 'V1').summary).toBe('V1 (P) caught on 2 of 3 members: top-2, top-3');
  });

  test('a family that holds says "holds on the family (k of n members complete)"', () => {
    const fixed = erase({ ...toy, family: toy.family?.filter((m) => m.name !== 'top-3') ?? [] });
    expect(exploreFamily(fixed, 'reference').summary).toBe('reference holds on the family (2 of 2 members complete)');
    // a member's state budget bounds it: the verdict counts it as incomplete, not as a failure
    const bounded = erase({ ...toy, family: [{ name: 'top-2-cut', why: 'cut short', config: { top: 2 }, maxStates: 2 }] });
    expect(exploreFamily(bounded, 'reference').summary).toBe('reference holds on the family (0 of 1 members complete)');
  });

  test('the CLI prints each member and the verdict, saves the counterexample and exits 1', async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'mmcheck-family-'));
    const code = await main(['explore', '--model', FIXTURE, '--family', '--out', dir], (s) => lines.push(s), () => undefined, null);
    const text = lines.join('\n');
    expect(code).toBe(EXIT.safety);
    expect(text).toMatch(/^ {2}top-0: complete, 1 states/m);
    expect(text).toMatch(/^ {2}top-3: P in 3 steps/m);
    expect(text).toMatch(/member top-3: shortest counterexample 3 steps, written to .*family-toy-reference-explore\.json/);
    expect(lines.at(-1)).toBe('reference VIOLATES on 1 of 3 members: top-3 (P)');
  });
});

describe('the gate and the family', () => {
  test('one item per (variant that must hold, member): the hidden bug fails the gate', () => {
    const items = workItems([model], { ...ci, seeds: 1, runs: 50 }, 1);
    expect(items.filter((i) => i.member !== undefined).map((i) => `${i.variant}:${i.member}`)).toEqual(['reference:top-0', 'reference:top-2', 'reference:top-3']);
    const { lines, code } = gateReport(runItems(items, { ...ci, seeds: 1, runs: 50 }));
    expect(code).toBe(EXIT.safety);
    expect(lines.join('\n')).toMatch(/family-toy reference: family member top-3: P violated/);
    expect(lines.join('\n')).toMatch(/family-toy\s+V1\s+P\s+ok/);
  });

  test('without the breaking member the gate passes', () => {
    const fixed = erase({ ...toy, family: toy.family?.filter((m) => m.name !== 'top-3') ?? [] });
    const profile = { ...ci, seeds: 1, runs: 50 };
    expect(gateReport(runItems(workItems([fixed], profile, 1), profile)).code).toBe(EXIT.ok);
  });
});
