import { describe, expect, it } from 'vitest';
import { litmusMachine } from './machine.js';
import { LitmusError, NOTES, parseLitmus } from './parse.js';
import { checkLitmus } from '../../properties/litmus.js';

const lit = (body: string, cond = 'exists (0:r0=1)', init = '{}'): string => `C t\n\n(*\n * Result: Sometimes\n *)\n\n${init}\n\n${body}\n\n${cond}\n`;

function refused(src: string): LitmusError {
  try {
    parseLitmus(src, 'f.litmus');
  } catch (e) {
    if (e instanceof LitmusError) return e;
    throw e;
  }
  throw new Error('parsed');
}

describe('litmus parser', () => {
  it('reads the header, Result, init forms, parameters, declarations with and without initialiser', () => {
    const l = parseLitmus(
      lit('P0(int *x, int **y, spinlock_t *s)\n{\n\tint r0;\n\tint *r1 = rcu_dereference(*y);\n\tr0 = READ_ONCE(*r1);\n\tspin_lock(s);\n\tspin_unlock(s);\n}', 'exists (0:r0=1 /\\ 0:r1=x)', '{\n\ty=z;\n\tint x;\n\tspinlock_t s;\n\tz=1;\n}'),
      'f.litmus',
    );
    expect(l.name).toBe('t');
    expect(l.result).toBe('Sometimes');
    expect(l.init).toEqual({ x: 0, y: 'z', z: 1 });
    expect(l.locks).toEqual(['s']);
    expect(l.procs[0]?.regs).toEqual(['r0', 'r1']);
    expect(l.procs[0]?.code.map((i) => i.k)).toEqual(['read', 'read', 'lock', 'unlock']);
    expect(l.procs[0]?.code[1]).toMatchObject({ k: 'read', into: 'r0', addr: { k: 'reg', r: 'r1' }, order: 'once', text: 'r0 = READ_ONCE(*r1)' });
    expect(l.notes).toEqual([NOTES.deref]);
  });

  it('hoists a plain read out of an expression and notes plain accesses', () => {
    const l = parseLitmus(lit('P0(int *x, int *y)\n{\n\tint r0;\n\tif (*x == 1)\n\t\t*y = 2;\n\telse\n\t\tr0 = 3;\n}'), 'f.litmus');
    expect(l.procs[0]?.code.map((i) => i.k)).toEqual(['read', 'branch', 'write', 'jump', 'assign']);
    expect(l.procs[0]?.code[1]).toMatchObject({ k: 'branch', target: 4 });
    expect(l.procs[0]?.code[3]).toMatchObject({ k: 'jump', target: 5 });
    expect(l.notes).toContain(NOTES.plain);
  });

  it('reads ~exists, forall, \\/ and ~ in the condition, and a locations line', () => {
    const l = parseLitmus(lit('P0(int *x)\n{\n\tint r0 = READ_ONCE(*x);\n}', 'locations [x; 0:r0]\n~exists (~0:r0=0 \\/ (x=0 /\\ 0:r0=-1))'), 'f.litmus');
    expect(l.cond.quant).toBe('~exists');
    expect(l.cond.prop).toMatchObject({ k: 'or', a: { k: 'not' }, b: { k: 'and', b: { k: 'eq', val: -1 } } });
  });

  it('says what it expected and where, for a malformed file', () => {
    expect(refused('P0(int *x) {}').message).toBe("f.litmus:1: parse error: expected the header 'C <name>'");
    expect(refused(lit('P0(int *x)\n{\n\tWRITE_ONCE(*x, 1)\n}')).message).toBe("f.litmus:11: parse error: expected ';' after ')' at the end of the line, got '}' on line 12");
    expect(refused(lit('P0(int *x)\n{\n\tWRITE_ONCE(*q, 1);\n}')).message).toMatch(/^f\.litmus:11: parse error: unknown pointer 'q'/);
    expect(refused(lit('P0(int *x)\n{\n\tint r0 = READ_ONCE(*x);\n}', 'exists (1:r0=1)')).kind).toBe('parse');
    expect(refused(lit('P0(int *x)\n{\n}', '')).message).toMatch(/expected the final condition 'exists', '~exists' or 'forall', got end of file/);
  });

  it('refuses constructs outside spec 06 §1 by name', () => {
    const u = refused(lit('P0(unsigned long *v)\n{\n\tset_bit(0, v);\n}'));
    expect([u.kind, u.line, u.detail]).toEqual(['unsupported', 11, "'set_bit'"]);
    expect(refused(lit('P0(int *x)\n{\n\tsynchronize_rcu();\n}')).detail).toBe("'synchronize_rcu'");
    expect(refused(lit('P0(int *x)\n{\n\twhile (1) ;\n}')).detail).toBe("'while' statement");
    expect(refused(lit('P0(int *x)\n{\n}', 'filter (x=1)\nexists (x=1)')).detail).toBe("'filter' clause");
    expect(refused('X86 t\n{}\n').detail).toMatch(/architecture 'X86'/);
  });
});

describe('litmus machine', () => {
  const mp = parseLitmus(
    lit('P0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n\tWRITE_ONCE(*y, 1);\n}\n\nP1(int *x, int *y)\n{\n\tint r0;\n\tint r1;\n\n\tr0 = READ_ONCE(*y);\n\tr1 = READ_ONCE(*x);\n}', 'exists (1:r0=1 /\\ 1:r1=0)'),
    'mp.litmus',
  );

  it('names each step after its statement and the write a read saw', () => {
    const m = litmusMachine(mp);
    let s = m.init();
    const [w] = m.actions(s);
    expect(m.describe(w as never).text).toBe('P0: WRITE_ONCE(*x, 1) writes x=1');
    s = m.next(s, w as never);
    s = m.next(s, m.actions(s)[0] as never); // P0 writes y
    const reads = m.actions(s).map((a) => a.type);
    expect(reads).toEqual(['P1: r0 = READ_ONCE(*y) reads y=0 (initial value)', 'P1: r0 = READ_ONCE(*y) reads y=1 (from P0\'s write)']);
  });

  it('gives the herd verdict over final states, with a witness ending where the condition holds', () => {
    const r = checkLitmus(mp);
    expect(r.verdict).toBe('Sometimes');
    expect(r.outcomes).toEqual(['1:r0=0; 1:r1=0; x=1; y=1', '1:r0=0; 1:r1=1; x=1; y=1', '1:r0=1; 1:r1=0; x=1; y=1', '1:r0=1; 1:r1=1; x=1; y=1']);
    expect(r.witness?.steps.at(-1)?.info.fn).toBe('reads x=0 (initial value)');
    const always = checkLitmus({ ...mp, cond: { ...mp.cond, prop: { k: 'true' } } });
    expect(always.verdict).toBe('Always');
    expect(always.agrees).toBe(true); // Result: Sometimes is met by Always
  });

  it('a forall test that fails somewhere comes with a counterexample, not a witness', () => {
    const r = checkLitmus({ ...mp, cond: { ...mp.cond, quant: 'forall', prop: { k: 'eq', place: { k: 'reg', proc: 1, r: 'r1' }, val: 1 } } });
    expect(r.verdict).toBe('Sometimes');
    expect(r.witness?.steps.at(-1)?.info.fn).toBe('reads x=0 (initial value)');
  });

  it('a branch not taken skips its statement; an else branch runs instead', () => {
    const l = parseLitmus(lit('P0(int *x)\n{\n\tint r0;\n\tint r1;\n\tr0 = READ_ONCE(*x);\n\tif (r0)\n\t\tr1 = 5;\n\telse {\n\t\tr1 = 7;\n\t}\n}', 'exists (0:r1=7)', '{ x=0; }'), 'f.litmus');
    const r = checkLitmus(l);
    expect(r.outcomes).toEqual(['0:r0=0; 0:r1=7; x=0']);
  });
});
