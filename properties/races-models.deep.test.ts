/**
 * Spec 06 §5's race check on every triaged model's reference and the
 * variants whose exploration takes seconds, complete on the configuration
 * `mmcheck races` uses. The balloon's one race is a finding of the merged
 * code (model/balloon/races.ts), msgmni's are the msg_ctlmni overwrites
 * spec 01 is about (its header).
 */
import { describe, expect, test } from 'vitest';
import { balloonModel } from '../model/balloon/model.js';
import { memcgModel } from '../model/memcg/model.js';
import { msgmniModel } from '../model/msgmni/model.js';
import { reserveModel } from '../model/reserve/model.js';
import { slabModel } from '../model/slab/model.js';
import { racesOf } from '../test/races.js';

describe('the race check on the references', () => {
  test('balloon: totalram_pages, decremented by cmm_alloc_pages under cmm_lock and lowered by offline_pages under the hotplug locks', () => {
    expect(racesOf(balloonModel, 'reference').races).toEqual(['totalram T/H (A4, offline.4)']);
  });

  test('msgmni: msg_ctlmni of the init namespace, written by the sysctl write and by recomputes in every context, nothing else', () => {
    const { races } = racesOf(msgmniModel, 'reference');
    expect(races).toHaveLength(9);
    for (const r of races) expect(r).toMatch(/^ns\.init\.msgmni /);
    expect(races).toContain('ns.init.msgmni E/K (E1, RC)');
  });

  test('memcg, reserve and slab: no race', () => {
    expect(racesOf(memcgModel, 'reference').races).toEqual([]);
    expect(racesOf(reserveModel, 'reference').races).toEqual([]);
    expect(racesOf(slabModel, 'reference').races).toEqual([]);
  });

  test('memcg V2 (the shrink callback) and reserve F1 (limits first): no race', () => {
    expect(racesOf(memcgModel, 'V2').races).toEqual([]);
    expect(racesOf(reserveModel, 'F1').races).toEqual([]);
  });
});
