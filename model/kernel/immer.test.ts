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

describe('the compiled copier (one per object shape and place)', () => {
  const copyOf = <T>(v: T): T => onFastPath(() => produce(v, () => undefined)) as T;

  test('a place meeting more shapes than it compiles becomes a dictionary, and still copies deeply, in key order', () => {
    // contexts by name, as msgmni keeps them: a new key set at the same place every time
    const states = Array.from({ length: 12 }, (_, i) => ({ ctxs: Object.fromEntries(Array.from({ length: (i % 4) + 1 }, (_, j) => [`c${i}-${j}`, { pc: j, held: [j] }])), n: i }));
    for (const s of [...states, ...states]) {
      const c = copyOf(s);
      expect(c).toEqual(s);
      expect(Object.keys(c.ctxs)).toEqual(Object.keys(s.ctxs));
      for (const k of Object.keys(s.ctxs)) {
        expect(c.ctxs[k]).not.toBe(s.ctxs[k]);
        expect(c.ctxs[k]!.held).not.toBe(s.ctxs[k]!.held);
      }
    }
  });

  test('two key orders at one place are two shapes: each copy keeps its own order', () => {
    const a = { w: { x: 1, y: 2 } };
    const b = { w: { y: 2, x: 1 } };
    expect(Object.keys(copyOf(a).w)).toEqual(['x', 'y']);
    expect(Object.keys(copyOf(b).w)).toEqual(['y', 'x']);
    expect(Object.keys(copyOf(a).w)).toEqual(['x', 'y']);
  });

  test('a frozen state copies to a writable one; an own __proto__ field stays a field', () => {
    const frozen: { readonly a: { n: number } } = Object.freeze({ a: Object.freeze({ n: 1 }) });
    const next = onFastPath(() => produce(frozen, (d) => void (d.a.n = 2)));
    expect(next.a.n).toBe(2);
    expect(frozen.a.n).toBe(1);
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
    const c = copyOf(parsed);
    expect(Object.keys(c)).toEqual(['__proto__', 'k']);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('shareWith through compiled shapes and dictionaries gives back equal subtrees of the parent', () => {
    const prev = { ctxs: { a: { pc: 1, q: [1] }, b: { pc: 2, q: [2] } }, meta: { n: 0, tag: 'x' } };
    const next = onFastPath(() => produce(prev, (d) => void (d.ctxs.b.pc = 3)));
    const kept = shareWith(prev, next) as typeof prev;
    expect(kept).toEqual({ ctxs: { a: { pc: 1, q: [1] }, b: { pc: 3, q: [2] } }, meta: { n: 0, tag: 'x' } });
    expect(kept.meta).toBe(prev.meta);
    expect(kept.ctxs.a).toBe(prev.ctxs.a);
    expect(kept.ctxs.b).not.toBe(prev.ctxs.b);
    expect(kept.ctxs.b.q).toBe(prev.ctxs.b.q);
    expect(shareWith(prev, copyOf(prev))).toBe(prev);
  });
});
