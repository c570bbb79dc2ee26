import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { diff, differs } from './diff.js';

/** Plain state-like values: objects (some fields undefined), arrays, and the JSON leaves plus NaN, -0 and undefined. */
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(0, -0, 1, 2, NaN, 'a', 'b', '', true, false, null, undefined),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'pc', '__proto__'), tie('value'), { maxKeys: 3 }),
  ),
}));

/** A copy of `v` with one leaf replaced, one field dropped or added, or an array grown, at a path drawn by `pick`. */
function tweak(v: unknown, pick: number[], leaf: unknown): unknown {
  const c = structuredClone(v);
  let at: unknown = c;
  for (const p of pick) {
    if (Array.isArray(at)) {
      if (at.length === 0) break;
      const i = p % at.length;
      if (typeof at[i] !== 'object' || at[i] === null || p % 5 === 0) {
        at[i] = p % 7 === 0 ? [...(at as unknown[]), leaf] : leaf;
        return c;
      }
      at = at[i];
    } else if (typeof at === 'object' && at !== null) {
      const o = at as Record<string, unknown>;
      const keys = Object.keys(o);
      const k = keys.length === 0 || p % 3 === 0 ? ['a', 'b', 'c', 'pc'][p % 4] ?? 'a' : (keys[p % keys.length] as string);
      if (typeof o[k] !== 'object' || o[k] === null || p % 5 === 0) {
        if (p % 11 === 0) delete o[k];
        else Object.defineProperty(o, k, { value: leaf, writable: true, enumerable: true, configurable: true });
        return c;
      }
      at = o[k];
    } else break;
  }
  return c;
}

describe('differs is diff without the list', () => {
  test('it says "different" exactly when diff lists a change: equal copies, one-field tweaks, unrelated values', () => {
    const pairs = fc.oneof(
      value.map((v) => [v, structuredClone(v)] as const),
      fc.tuple(value, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), value).map(([v, pick, leaf]) => [v, tweak(v, pick, leaf)] as const),
      fc.tuple(value, value),
    );
    let changed = 0;
    let same = 0;
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const listed = diff(a, b).length > 0;
        if (listed) changed++;
        else same++;
        expect(differs(a, b)).toBe(listed);
        expect(differs(b, a)).toBe(diff(b, a).length > 0);
      }),
      { seed: 18, numRuns: 3000 },
    );
    // both answers were exercised
    expect(changed).toBeGreaterThan(300);
    expect(same).toBeGreaterThan(300);
  });

  test('the cases diff treats specially', () => {
    expect(differs({ a: 1, b: undefined }, { a: 1 })).toBe(false);
    expect(differs({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(differs({ a: { x: [1, 2] } }, { a: { x: [1, 3] } })).toBe(true);
    expect(differs([1, 2], [1, 2, 3])).toBe(true);
    expect(differs(NaN, null)).toBe(false);
    expect(differs(0, -0)).toBe(false);
    expect(differs({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    const own = JSON.parse('{"__proto__": 1}') as unknown;
    expect(differs(own, JSON.parse('{"__proto__": 2}'))).toBe(true);
    expect(differs(own, JSON.parse('{"__proto__": 1}'))).toBe(false);
  });
});
