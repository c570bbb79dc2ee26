/**
 * Two seeds of spec 06 §4 as litmus tests. msgmni's `pending` bit under LKMM (issue 19, spec 06 §4): the workqueue
 * handshake of v2.6.27 (test_and_set_bit() fully ordered in schedule_work,
 * clear_bit() relaxed in run_workqueue before the work function reads
 * lowmem), as the two seed litmus tests of test/litmus/seeds/. Without a
 * barrier after the clear, the lost update — the callback finds the work
 * pending, the running work reads the old lowmem — is Sometimes under LKMM
 * and Never under SC; with smp_mb__after_atomic() it is Never. The
 * axiomatic transcription of LKMM (no locks here) gives the same verdicts.
 * Then v3.6 SLAB's lockless `pfmemalloc_active` read after a refill under
 * list_lock: Never, because the lock orders the flag's store before it —
 * and Sometimes once the refill's read of the list is taken out of the lock.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLitmus } from '../../properties/litmus.js';
import { axiomatic } from './axiomatic.js';
import { parseLitmus } from './parse.js';
import type { Litmus } from './program.js';

const SEEDS = resolve(import.meta.dirname, '..', '..', 'test', 'litmus', 'seeds');
const load = (f: string): Litmus => parseLitmus(readFileSync(resolve(SEEDS, f), 'utf8'), f);
const BARE = 'Msgmni+pending-clearbit.litmus';
const FENCED = 'Msgmni+pending-clearbit+mb.litmus';

describe("msgmni's pending bit: schedule_work against the worker's clear_bit", () => {
  it('clear_bit then the read of lowmem: Sometimes under LKMM (the operational model and the axioms), Never under SC; states pinned', () => {
    const lkmm = checkLitmus(load(BARE));
    expect([lkmm.verdict, lkmm.agrees, lkmm.states, lkmm.satisfying]).toEqual(['Sometimes', true, 14, 1]);
    expect(axiomatic(load(BARE))?.verdict).toBe('Sometimes');
    const sc = checkLitmus(load(BARE), 'sc');
    expect([sc.verdict, sc.agrees]).toEqual(['Never', false]);
  });

  it('the witness: the worker clears the bit the callback set, yet reads lowmem as it was before the callback', () => {
    const w = checkLitmus(load(BARE)).witness;
    if (!w) throw new Error('no witness');
    const fns = w.steps.map((s) => `${s.info.ctx} ${s.info.fn}`);
    expect(fns).toContain("P1 reads pending=1 (from P0's write), writes pending=0");
    expect(fns).toContain('P1 reads lowmem=0 (initial value)');
    // P0's store to lowmem comes before its test_and_set_bit, which comes before the worker's read
    const store = fns.findIndex((f) => f.startsWith('P0 writes lowmem=1'));
    const stale = fns.indexOf('P1 reads lowmem=0 (initial value)');
    expect(store).toBeGreaterThanOrEqual(0);
    expect(stale).toBeGreaterThan(store);
  });

  it('with smp_mb__after_atomic() after clear_bit: Never, by both', () => {
    const lkmm = checkLitmus(load(FENCED));
    expect([lkmm.verdict, lkmm.agrees, lkmm.states]).toEqual(['Never', true, 18]);
    expect(axiomatic(load(FENCED))?.verdict).toBe('Never');
  });
});

describe("slab's pfmemalloc_active: a lockless read after a refill under list_lock", () => {
  const FILE = 'Slab+pfmemallocactive+listlock.litmus';
  it('the refill takes a reserve object and reads the flag clear: Never under LKMM and SC; states pinned', () => {
    const lkmm = checkLitmus(load(FILE));
    expect([lkmm.verdict, lkmm.agrees, lkmm.states]).toEqual(['Never', true, 27]);
    expect(checkLitmus(load(FILE), 'sc').verdict).toBe('Never');
  });

  it('what orders it is the lock: with the list read outside list_lock the same outcome is Sometimes', () => {
    const src = readFileSync(resolve(SEEDS, FILE), 'utf8').replace(/\tspin_lock\(list_lock\);\n\tr0 = READ_ONCE\(\*listed\);\n\tspin_unlock\(list_lock\);/, '\tr0 = READ_ONCE(*listed);');
    expect(src).not.toMatch(/spin_lock\(list_lock\);\n\tr0/);
    expect(checkLitmus(parseLitmus(src, 'unlocked.litmus')).verdict).toBe('Sometimes');
  });
});
