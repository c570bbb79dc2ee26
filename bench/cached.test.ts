import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { kernelState } from '../model/kernel/state.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';
import { explore } from '../properties/explore.js';
import type { CountersState } from '../test/toys.js';
import { countersToy } from '../test/toys.js';
import { cachedSearch, ReadTrie } from './cached.js';

const rule = rulesFor<CountersState>();

describe('bench -- cached', () => {
  test('meets the engine\'s states and transitions, running each piece of code once per distinct read', () => {
    const m = countersToy(3);
    const e = explore(m);
    const c = cachedSearch(m, 1000, 5);
    expect([c.states, c.transitions, c.complete]).toEqual([e.states, e.transitions, true]);
    expect([c.states, c.transitions]).toEqual([12, 17]);
    // guards: A1 sees a ∈ 0..3, B1 b ∈ 0..2; steps: A1 from a ∈ 0..2, B1 from b ∈ 0..1;
    // checks: P sees the next a ∈ 0..3, the built-ins one kernel slice
    expect(c.misses).toEqual([7, 5, 5]);
    expect(c.lookups).toEqual([24, 17, 34]);
    expect(c.violated).toEqual([]);
  });

  test('a violated property is found from the cache too', () => {
    expect(cachedSearch(countersToy(2), 1000, 5).violated).toEqual(['P']);
  });

  test('what a `next` wrapper reads of its state and writes outside the recipe counts', () => {
    // c counts the steps taken while b is 1: read and written outside the rules' recipe, as balloon's kernel slice is
    const base = countersToy(3);
    const m = {
      ...base,
      next: (s: unknown, a: never) => {
        const r = base.next(s, a) as CountersState;
        return (s as CountersState).b === 1 ? { ...r, c: (s as CountersState).c + 1 } : r;
      },
    } as AnyMachine;
    const e = explore(m);
    const c = cachedSearch(m, 1000, 5);
    expect(e.states).toBeGreaterThan(12);
    expect([c.states, c.transitions]).toEqual([e.states, e.transitions]);
  });

  test('a blind write (a value set without being read) is replayed whole, also where it changed nothing', () => {
    // R sets c to 0 without reading it: first met where c is already 0
    const m = {
      ...machineFromRules<CountersState>({
        init: () => ({ k: kernelState({}), a: 0, b: 0, c: 0, ctx: { A: 'run', B: 'run' } }),
        rules: [
          rule({ step: 'R', fn: 'reset', ctx: 'A', enabled: () => when(true), apply: (d) => void (d.c = 0) }),
          rule({ step: 'I', fn: 'bump', ctx: 'B', enabled: (s) => when(s.c < 1), apply: (d) => void (d.c += 1) }),
        ],
        quiescent: () => true,
        kernel: (s) => s.k,
        properties: [{ name: 'Z', doc: 'a reset leaves c at 0', kind: 'always', check: (t) => (t.action?.type === 'R' && t.next.c !== 0 ? 'c kept its value' : undefined) }],
      }),
      fastPath: true,
    } as AnyMachine;
    const c = cachedSearch(m, 100, 2);
    expect([c.states, c.transitions]).toEqual([2, 3]);
    expect(c.violated).toEqual([]);
  });

  test('a read trie answers only what it was told, and refuses two outcomes for the same reads', () => {
    const t = new ReadTrie<string>(2);
    const v = (x: number, y: number): Int32Array => Int32Array.from([x, y]);
    const none = new Int32Array(0);
    expect(t.get(v(0, 0), none, 0)).toBeUndefined();
    t.put([1, 0], v(0, 5), none, 0, 'x');
    expect(t.get(v(0, 5), none, 0)).toBe('x');
    expect(t.get(v(1, 5), none, 0)).toBeUndefined();
    t.put([1], v(9, 6), none, 0, 'y');
    expect(t.get(v(3, 6), none, 0)).toBe('y');
    // after reading component 1 = 5, the code read component 0 before
    expect(() => t.put([1, 1], v(2, 5), none, 0, 'z')).toThrow(/read component 1 where it read 0/);
    expect(() => t.put([1], v(0, 6), none, 0, 'w')).toThrow(/two outcomes/);
  });
});
