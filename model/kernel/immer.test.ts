/**
 * The fast path's own pieces: `produce` on plain copies, `original` there,
 * and `shareWith`, which gives a kept state back the sharing immer would
 * have given it without changing a value or a key order.
 */
import { describe, expect, test } from 'vitest';
import { nextOnFastPath, onFastPath, original, produce, shareWith } from './immer.js';

describe('produce on the fast path', () => {
  test('the recipe changes a deep copy; the base is untouched and original() is the base', () => {
    const base = { a: { n: 1 }, list: [{ x: 1 }], k: 0 };
    let seen: unknown;
    const next = onFastPath(() =>
      produce(base, (d) => {
        seen = original(d);
        d.a.n = 2;
        d.list[0]!.x = 5;
      }),
    );
    expect(seen).toBe(base);
    expect(base).toEqual({ a: { n: 1 }, list: [{ x: 1 }], k: 0 });
    expect(next).toEqual({ a: { n: 2 }, list: [{ x: 5 }], k: 0 });
    // nothing shared: every object is a copy
    expect(next.list).not.toBe(base.list);
  });

  test('outside the fast path it is immer, which shares what the recipe left alone', () => {
    const base = { a: { n: 1 }, b: { n: 2 } };
    const next = produce(base, (d) => {
      d.a.n = 3;
    });
    expect(next.b).toBe(base.b);
    const m = { next: (s: typeof base) => produce(s, (d) => void (d.a.n = 4)) };
    expect(nextOnFastPath(m, base, undefined).b).not.toBe(base.b);
  });
});

describe('shareWith', () => {
  test('equal subtrees become the previous ones, changed ones stay, values are unchanged', () => {
    const prev = { a: { n: 1, deep: [1, 2] }, b: [{ x: 1 }, { x: 2 }], c: 'same' };
    const next = { a: { n: 1, deep: [1, 2] }, b: [{ x: 1 }, { x: 3 }], c: 'same' };
    const out = shareWith(prev, next) as typeof next;
    expect(out).toBe(next);
    expect(out.a).toBe(prev.a);
    expect(out.b).not.toBe(prev.b);
    expect(out.b[0]).toBe(prev.b[0]);
    expect(out.b[1]).toEqual({ x: 3 });
    expect(out).toEqual({ a: { n: 1, deep: [1, 2] }, b: [{ x: 1 }, { x: 3 }], c: 'same' });
  });

  test('an equal state is the previous one; a different key order, an extra key or a longer array is not equal', () => {
    const prev = { a: { x: 1, y: 2 }, l: [1] };
    expect(shareWith(prev, { a: { x: 1, y: 2 }, l: [1] })).toBe(prev);
    const reordered = { a: { y: 2, x: 1 }, l: [1] };
    expect((shareWith(prev, reordered) as typeof reordered).a).not.toBe(prev.a);
    expect(Object.keys((shareWith(prev, reordered) as typeof reordered).a)).toEqual(['y', 'x']);
    const extra = { a: { x: 1, y: 2, z: 3 }, l: [1] };
    expect((shareWith(prev, extra) as typeof extra).a).not.toBe(prev.a);
    const longer = { a: { x: 1, y: 2 }, l: [1, 2] };
    expect((shareWith(prev, longer) as typeof longer).l).toEqual([1, 2]);
    expect(shareWith(prev, longer)).toBe(longer);
  });

  test('a frozen part is compared, never written: equal, it is replaced from its parent; changed, it stays whole', () => {
    const prev = { k: Object.freeze({ locks: Object.freeze({ m: 1 }) }), n: 1 };
    const same = { k: Object.freeze({ locks: Object.freeze({ m: 1 }) }), n: 2 };
    expect((shareWith(prev, same) as typeof same).k).toBe(prev.k);
    const changed = { k: Object.freeze({ locks: Object.freeze({ m: 2 }), other: Object.freeze({ q: 1 }) }), n: 2 };
    const out = shareWith(prev, changed) as typeof changed;
    expect(out.k).toBe(changed.k);
    expect(out.k).toEqual({ locks: { m: 2 }, other: { q: 1 } });
  });
});
