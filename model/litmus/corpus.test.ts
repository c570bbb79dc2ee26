/**
 * The validation corpus (spec 06 §3): the 43 litmus tests of the Linux
 * tree's tools/memory-model/litmus-tests/, each explored under the weak
 * model. Every one must agree with its own `Result:` line except the listed
 * load-buffering gap; whole outcome sets are pinned in
 * test/litmus/kernel-outcomes.json as the regression (a change of the rules
 * that adds or removes an outcome shows up here, not only a changed verdict).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLitmus } from './parse.js';
import { checkLitmus } from '../../properties/litmus.js';
import type { LitmusReport } from '../../properties/litmus.js';

const DIR = resolve(import.meta.dirname, '..', '..', 'test', 'litmus');
const FILES = readdirSync(resolve(DIR, 'kernel'))
  .filter((f) => f.endsWith('.litmus'))
  .sort();

interface Pin {
  readonly result: string;
  readonly verdict: string;
  readonly agrees: boolean;
  readonly states: number;
  readonly outcomes: readonly string[];
}
const PINS = JSON.parse(readFileSync(resolve(DIR, 'kernel-outcomes.json'), 'utf8')) as Record<string, Pin>;

/** Tests the operational model cannot reach, with the reason (spec 06 §2, README). */
const KNOWN_GAPS: Record<string, string> = {
  'LB+poonceonces.litmus': 'load buffering: a read never sees a write that comes later in another process',
};

const run = (f: string, mode: 'lkmm' | 'sc' = 'lkmm'): LitmusReport => checkLitmus(parseLitmus(readFileSync(resolve(DIR, 'kernel', f), 'utf8'), f), mode);

describe('the kernel litmus suite under LKMM (spec 06 §3)', () => {
  it('has all 43 files, each with a Result: line and a pin', () => {
    expect(FILES).toHaveLength(43);
    expect(Object.keys(PINS).sort()).toEqual(FILES);
  });

  it.each(FILES)('%s', (f) => {
    const r = run(f);
    const pin = PINS[f] as Pin;
    expect(r.test.result).toBeDefined();
    // a Never reported reachable is a defect of the rules: never pinned away
    if (r.test.result === 'Never') expect(r.verdict).toBe('Never');
    expect(r.agrees).toBe(!(f in KNOWN_GAPS));
    expect({ verdict: r.verdict, states: r.states, outcomes: r.outcomes }).toEqual({ verdict: pin.verdict, states: pin.states, outcomes: pin.outcomes });
    // a reachable condition comes with a witness that ends where it holds
    expect(r.witness !== undefined).toBe(r.verdict !== 'Never');
  });

  it('every sc outcome is an LKMM outcome; sc reaches no condition, and LKMM adds outcomes exactly where it reaches one', () => {
    for (const f of FILES) {
      const weak = run(f);
      const sc = run(f, 'sc');
      expect(weak.outcomes).toEqual(expect.arrayContaining([...sc.outcomes]));
      // every condition of the suite is a non-SC outcome
      expect(sc.verdict).toBe('Never');
      expect([f, weak.outcomes.length > sc.outcomes.length]).toEqual([f, weak.verdict !== 'Never']);
    }
  });
});
