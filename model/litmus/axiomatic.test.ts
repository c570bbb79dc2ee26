/**
 * Differential tests (spec 06 §2): the operational model against an
 * independent checker of LKMM's axioms, outcome set by outcome set, on the
 * kernel's lock-free litmus tests and on random small tests. The
 * operational model must never produce an outcome the axioms forbid; it may
 * miss only load-buffering outcomes (the listed gap).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axiomatic, axiomaticUnsupported } from './axiomatic.js';
import { parseLitmus } from './parse.js';
import { randomLitmus } from './random.js';
import { agreesWith, checkLitmus } from '../../properties/litmus.js';
import type { Litmus } from './program.js';

const DIR = resolve(import.meta.dirname, '..', '..', 'test', 'litmus', 'kernel');
const load = (f: string): Litmus => parseLitmus(readFileSync(resolve(DIR, f), 'utf8'), f);
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort();

describe('axiomatic LKMM oracle', () => {
  it('covers the 34 lock-free kernel tests and gives every documented Result, LB+poonceonces included', () => {
    const covered = FILES.filter((f) => axiomaticUnsupported(load(f)) === undefined);
    expect(covered).toHaveLength(34);
    for (const f of covered) {
      const l = load(f);
      const ax = axiomatic(l);
      expect([f, agreesWith(l.result ?? 'Never', ax?.verdict ?? 'Never')]).toEqual([f, true]);
    }
  });

  it('equals the operational outcome sets on the kernel tests, except the one load-buffering outcome', () => {
    for (const f of FILES) {
      const l = load(f);
      const ax = axiomatic(l)?.outcomes;
      if (!ax) continue;
      const op = checkLitmus(l).outcomes;
      expect([f, op.filter((o) => !ax.includes(o))]).toEqual([f, []]);
      const missed = ax.filter((o) => !op.includes(o));
      expect([f, missed]).toEqual([f, f === 'LB+poonceonces.litmus' ? ['0:r0=1; 1:r0=1; x=1; y=1'] : []]);
    }
  });

  it('on 100 random tests the operational model reaches no outcome the axioms forbid, and misses none of these', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const src = randomLitmus(seed);
      const l = parseLitmus(src, `random-${seed}`);
      const ax = axiomatic(l)?.outcomes ?? [];
      const op = checkLitmus(l).outcomes;
      expect([seed, op.filter((o) => !ax.includes(o))]).toEqual([seed, []]);
      expect([seed, ax.filter((o) => !op.includes(o))]).toEqual([seed, []]);
    }
  });

  it('with RMWs (xchg in four orderings, cmpxchg, atomic_inc, the atomic fences): 40 random tests, equal outcome sets', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const l = parseLitmus(randomLitmus(seed, { rmw: true }), `random-rmw-${seed}`);
      const ax = axiomatic(l)?.outcomes ?? [];
      const op = checkLitmus(l).outcomes;
      expect([seed, op.filter((o) => !ax.includes(o))]).toEqual([seed, []]);
      expect([seed, ax.filter((o) => !op.includes(o))]).toEqual([seed, []]);
    }
  });

  it('a control dependency reaches only the branch in LKMM; the operational model keeps it after the if (a listed gap)', () => {
    const s = (tail: string): Litmus =>
      parseLitmus(
        `C S+ctrl\n\n{}\n\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 2);\n\tsmp_wmb();\n\tWRITE_ONCE(*y, 1);\n}\n\nP1(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\tr0 = READ_ONCE(*y);\n${tail}\n}\n\nexists (x=2 /\\ 1:r0=1)\n`,
        's.litmus',
      );
    const inside = s('\tif (r0)\n\t\tWRITE_ONCE(*x, 1);');
    expect([axiomatic(inside)?.verdict, checkLitmus(inside).verdict]).toEqual(['Never', 'Never']);
    const after = s('\tif (r0)\n\t\tr1 = 1;\n\tWRITE_ONCE(*x, 1);');
    expect([axiomatic(after)?.verdict, checkLitmus(after).verdict]).toEqual(['Sometimes', 'Never']);
  });

  it('the oracle itself allows load buffering, which the operational model misses (a seed found by the differential run)', () => {
    const l = parseLitmus(randomLitmus(393), 'random-393');
    const ax = axiomatic(l)?.outcomes ?? [];
    const op = checkLitmus(l).outcomes;
    expect(ax.filter((o) => !op.includes(o))).toEqual(['0:r0=3; 1:r0=1; x=3; y=1']);
  });
});
