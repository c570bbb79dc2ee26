/**
 * Probes of the read-modify-write rules (spec 06 §1–§2) through litmus
 * tests written here: the kernel's suite has no atomics. Each expected
 * verdict is LKMM's (tools/memory-model/Documentation/atomic_t.txt and
 * explanation.txt: value-returning atomics are fully ordered, void ones
 * are relaxed, an RMW is atomic).
 */
import { describe, expect, it } from 'vitest';
import { parseLitmus } from './parse.js';
import { checkLitmus } from '../../properties/litmus.js';

const two = (p0: string, p1: string, cond: string, params = 'int *x, int *y'): string =>
  `C probe\n\n{}\n\nP0(${params})\n{\n\tint r0;\n\tint r1;\n${p0}\n}\n\nP1(${params})\n{\n\tint r0;\n\tint r1;\n${p1}\n}\n\nexists (${cond})\n`;
const verdict = (src: string): string => checkLitmus(parseLitmus(src, 'probe.litmus')).verdict;

describe('read-modify-write under LKMM', () => {
  it('store buffering: a value-returning xchg is a full barrier; a relaxed one and a void atomic_inc are not', () => {
    const sb = (op: (v: string) => string): string => two(`\t${op('x')};\n\tr1 = READ_ONCE(*y);`, `\t${op('y')};\n\tr1 = READ_ONCE(*x);`, '0:r1=0 /\\ 1:r1=0');
    expect(verdict(sb((v) => `r0 = xchg(${v}, 1)`))).toBe('Never');
    expect(verdict(sb((v) => `r0 = atomic_inc_return(${v})`))).toBe('Never');
    expect(verdict(sb((v) => `r0 = xchg_relaxed(${v}, 1)`))).toBe('Sometimes');
    expect(verdict(sb((v) => `atomic_inc(${v})`))).toBe('Sometimes');
    expect(verdict(sb((v) => `atomic_inc(${v});\n\tsmp_mb__after_atomic()`))).toBe('Never');
  });

  it('atomicity: two increments never lose one; two cmpxchg(0→1) never both succeed', () => {
    expect(verdict(two('\tatomic_inc(x);', '\tatomic_inc(x);', 'x=1'))).toBe('Never');
    expect(verdict(two('\tatomic_inc(x);', '\tatomic_inc(x);', 'x=2'))).toBe('Always');
    expect(verdict(two('\tr0 = cmpxchg(x, 0, 1);', '\tr0 = cmpxchg(x, 0, 1);', '0:r0=0 /\\ 1:r0=0'))).toBe('Never');
    expect(verdict(two('\tr0 = cmpxchg(x, 0, 1);', '\tr0 = cmpxchg(x, 0, 1);', '0:r0=0 \\/ 1:r0=0'))).toBe('Always');
  });

  it('message passing: xchg_release pairs with an acquire load; xchg_relaxed does not', () => {
    const mp = (op: string): string => two(`\tWRITE_ONCE(*x, 1);\n\tr0 = ${op}(y, 1);`, '\tr0 = smp_load_acquire(y);\n\tr1 = READ_ONCE(*x);', '1:r0=1 /\\ 1:r1=0');
    expect(verdict(mp('xchg_release'))).toBe('Never');
    expect(verdict(mp('xchg'))).toBe('Never');
    expect(verdict(mp('xchg_relaxed'))).toBe('Sometimes');
  });

  it('an RMW may read an older message than the latest and write right after it (coherence order as free as a write\'s)', () => {
    // P1's xchg may come before P0's store in x's order: x ends 1 with r0=0
    const src = two('\tWRITE_ONCE(*x, 1);', '\tr0 = xchg_relaxed(x, 2);', '1:r0=0 /\\ x=1');
    const r = checkLitmus(parseLitmus(src, 'probe.litmus'));
    expect(r.verdict).toBe('Sometimes');
    // but never between another RMW and the message it read: two increments still give 2
    expect(verdict(two('\tWRITE_ONCE(*x, 5);\n\tatomic_inc(x);', '\tatomic_inc(x);', 'x=6'))).toBe('Sometimes');
    expect(verdict(two('\tatomic_inc(x);', '\tatomic_inc(x);\n\tr0 = READ_ONCE(*x);', '1:r0=1 /\\ x=1'))).toBe('Never');
  });

  it('atomic_dec_if_positive stores only when the result is ≥ 0 and returns it either way', () => {
    const src = 'C dec\n\n{ v=1; }\n\nP0(atomic_t *v)\n{\n\tint r0;\n\tint r1;\n\tr0 = atomic_dec_if_positive(v);\n\tr1 = atomic_dec_if_positive(v);\n}\n\nexists (0:r0=0 /\\ 0:r1=-1 /\\ v=0)\n';
    const r = checkLitmus(parseLitmus(src, 'dec.litmus'));
    expect(r.outcomes).toEqual(['0:r0=0; 0:r1=-1; v=0']);
  });
});
