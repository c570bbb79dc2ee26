import { describe, expect, test } from 'vitest';
import { Collapser, kernelComponents, layoutOf, reading } from './collapse.js';

describe('collapsed states', () => {
  test('a record whose keys never change is cut into components; a dictionary that grows is one', () => {
    const l = layoutOf([
      { k: { locks: {}, faults: [] }, d: {}, n: 1 },
      { k: { locks: {}, faults: [] }, d: { x: 1 }, n: 2 },
    ]);
    expect(l.paths).toEqual(['k.locks', 'k.faults', 'd', 'n']);
    expect(kernelComponents(l, { init: () => ({ k: { locks: {}, faults: [] }, d: {}, n: 1 }), kernel: (s: { k: unknown }) => s.k })).toEqual([0, 1]);
  });

  test('the reading proxy notes the components touched, and a listed record as all of them', () => {
    const s = { k: { locks: {}, faults: [] }, d: { x: 1 }, n: 2 };
    const l = layoutOf([s]);
    const seen = new Set<number>();
    const r = reading(l, s, seen) as typeof s;
    expect(r.n + r.d.x).toBe(3);
    expect([...seen].map((i) => l.paths[i]).sort()).toEqual(['d.x', 'n']);
    seen.clear();
    expect(Object.keys(r.k)).toEqual(['locks', 'faults']);
    expect([...seen].map((i) => l.paths[i]).sort()).toEqual(['k.faults', 'k.locks']);
  });

  test('a vector is a state again, equal to the one collapsed, and a state off the layout is refused', () => {
    const states = [
      { k: { locks: {}, faults: [] }, d: {}, n: 1 },
      { k: { locks: { m: 'A' }, faults: [] }, d: { x: [1, 2] }, n: 2 },
    ];
    const c = new Collapser(layoutOf(states));
    const vs = states.map((s) => c.vector(s));
    expect(vs.map((v) => [...v])).toEqual([
      [0, 0, 0, 0],
      [1, 0, 1, 1],
    ]);
    for (let i = 0; i < states.length; i++) expect(JSON.stringify(c.state(vs[i]!))).toBe(JSON.stringify(states[i]));
    // equal values, one number: a third state made of the first's k and the second's n
    expect([...c.vector({ k: { locks: {}, faults: [] }, d: {}, n: 2 })]).toEqual([0, 0, 0, 1]);
    expect(() => c.vector({ k: { locks: {} }, d: {}, n: 1 })).toThrow(/k no longer has the keys/);
  });
});
