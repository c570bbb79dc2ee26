/**
 * `mmcheck/vitest`: the judgement behind each `checkModel` test. A variant
 * that behaves as declared passes; one that does not fails with every
 * departure named and, when there is one, its trace and a replay command
 * that reproduces it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { model as lostWakeup } from './examples/lost-wakeup/model.js';
import { erase, type AnyModel } from './model/contract.js';
import { variantFailure } from './testing.js';

const wake = erase(lostWakeup);
const opts = { seeds: 2, runs: 200 };

describe('variantFailure', () => {
  test('the lost wake-up behaves as declared, the liveness-only bug included', () => {
    expect(variantFailure(wake, 'reference', opts)).toBeUndefined();
    expect(variantFailure(wake, 'test-before-set', opts)).toBeUndefined();
  });

  test('a reference that loses the wake-up fails with its departures, the trace, and the replay file of that trace', () => {
    const out = mkdtempSync(join(tmpdir(), 'mmcheck-vitest-'));
    const broken: AnyModel = { ...wake, machine: (v, c) => wake.machine(v === 'reference' ? 'test-before-set' : v, c) };
    const msg = variantFailure(broken, 'reference', { ...opts, out, modelPath: 'examples/lost-wakeup/model.ts' }) ?? '';
    expect(msg).toMatch(/^lost-wakeup reference: .*deadlock.*liveness: E1 violated/s);
    expect(msg).toMatch(/W2 set_current_state/);
    const replay = /replay: npx mmcheck repro (\S+) --model examples\/lost-wakeup\/model.ts$/.exec(msg)?.[1];
    expect(replay).toBeDefined();
    // the file holds the trace shown: its actions are the steps of the message's lanes
    const file = JSON.parse(readFileSync(replay ?? '', 'utf8')) as { model: string; variant: string; actions: string[] };
    expect({ model: file.model, variant: file.variant }).toEqual({ model: 'lost-wakeup', variant: 'reference' });
    expect(file.actions).toEqual(['W1', 'K1', 'K2', 'W2']);
  });

  test('liveness: false on a bug only the liveness engine sees is a failure, not a pass', () => {
    expect(variantFailure(wake, 'test-before-set', { ...opts, liveness: false })).toBe('lost-wakeup test-before-set: declares E1, an eventually-property, and liveness: false leaves nothing to judge it');
    expect(variantFailure(wake, 'reference', { ...opts, liveness: false })).toBeUndefined();
  });

  test('a bug no longer found fails as lost power, without a trace', () => {
    const fixed: AnyModel = { ...wake, machine: (v, c) => wake.machine(v === 'test-before-set' ? 'reference' : v, c) };
    expect(variantFailure(fixed, 'test-before-set', opts)).toBe('lost-wakeup test-before-set: liveness: E1 not found among 13 states');
  });
});
