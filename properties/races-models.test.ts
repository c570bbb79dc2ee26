/**
 * Spec 06 §5's race check on the built-in models, the configurations that
 * explore in a second or two (the references' whole explorations are in
 * races-models.deep.test.ts). Each pins the races found, so an exemption
 * that grows to hide one, or a lock a step stops declaring, shows here.
 */
import { describe, expect, test } from 'vitest';
import { memcgModel } from '../model/memcg/model.js';
import { msgmniModel } from '../model/msgmni/model.js';
import { reserveModel } from '../model/reserve/model.js';
import { slabModel } from '../model/slab/model.js';
import { racesOf } from '../test/races.js';

describe('the race check on the models (small explorations)', () => {
  test('reserve V5 (ADJ without var_free_mutex): the unlocked read-modify-writes race, var_free_kbytes among them', () => {
    const { races } = racesOf(reserveModel, 'V5');
    expect(races).toContain('varFreeKb S2/S1 (A2, ADJ)');
    expect(races).toHaveLength(7);
  });

  test('memcg W3: no race; the counter is only touched under its lock or by a lockless read named in raceExempt', () => {
    const w3 = racesOf(memcgModel, 'W3');
    expect(w3.races).toEqual([]);
    expect(w3.shared).toBeGreaterThan(0);
  });

  test('msgmni W2 (two creators): only msg_ctlmni races, written by concurrent recomputes (P1, P5 judge the overwrites)', () => {
    const { races } = racesOf(msgmniModel, 'W2');
    expect(races).toHaveLength(16);
    for (const r of races) expect(r).toMatch(/^ns\.(init|ns1|ns2)\.msgmni .* \(RC, RC\)$/);
  });

  test('slab V5 (the split per-CPU store) and W2 (v3.6 SLAB): no race', () => {
    const v5 = racesOf(slabModel, 'V5');
    expect(v5.races).toEqual([]);
    expect(v5.shared).toBeGreaterThan(0);
    expect(racesOf(slabModel, 'W2').races).toEqual([]);
  });
});
