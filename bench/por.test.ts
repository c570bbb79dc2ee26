import { describe, expect, test } from 'vitest';
import type { AnyMachine, Property } from '../model/contract.js';
import { kernelState } from '../model/kernel/state.js';
import type { KernelState } from '../model/kernel/state.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';
import type { RuleAction } from '../model/rules.js';
import { porPotential } from './por.js';

/** A counts its own steps in `a`; B and C share `shared`. */
interface Toy {
  readonly k: KernelState;
  readonly a: number;
  readonly shared: number;
  readonly c: number;
}

const rule = rulesFor<Toy>();

/** The toy, with a property that reads only `shared`, or one that also watches A's counter. */
function toy(watchA: boolean): AnyMachine {
  const sharedOk: Property<Toy, RuleAction> = { kind: 'always', name: 'shared-bound', doc: 'shared ≤ 3', check: (t) => (t.next.shared <= 3 ? undefined : 'too much') };
  const aOk: Property<Toy, RuleAction> = { kind: 'always', name: 'a-bound', doc: 'a ≤ 2', check: (t) => (t.next.a <= 2 ? undefined : 'a ran over') };
  const m = machineFromRules<Toy>({
    init: () => ({ k: kernelState({}), a: 0, shared: 0, c: 0 }),
    rules: [
      rule({ step: 'A1', fn: 'a_step', ctx: 'A', enabled: (s) => when(s.a < 2), apply: (d) => void (d.a += 1) }),
      rule({ step: 'B1', fn: 'b_step', ctx: 'B', enabled: (s) => when(s.shared < 2), apply: (d) => void (d.shared += 1) }),
      rule({ step: 'C1', fn: 'c_step', ctx: 'C', enabled: (s) => when(s.c < 1), apply: (d) => void ((d.shared += 1), (d.c += 1)) }),
    ],
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: watchA ? [sharedOk, aOk] : [sharedOk],
  });
  return m as AnyMachine;
}

describe('bench -- por measures the room it claims', () => {
  test("a context whose step touches only its own field and no property reads it: ample-set room, A's states counted", () => {
    const r = porPotential(toy(false), 1000, 1);
    expect(r.complete).toBe(true);
    // a ∈ 0..2, c ∈ 0..1, shared ∈ 0..3 where reachable: 18 states
    expect(r.states).toBe(18);
    expect(r.local).toBeGreaterThan(0);
    expect(r.invisible).toBe(r.local);
    expect(r.visibleBy).toEqual([]);
    // B1 and C1 write what the property reads: A1 is the only invisible step, in exactly the states where A is the local context
    expect(r.someInvisible).toBe(r.invisible);
    expect(r.invisibleSteps).toEqual([['A1 (A)', r.invisible]]);
  });

  test('the same step, once a property reads what it writes: local, but no longer invisible, and the field is named', () => {
    const r = porPotential(toy(true), 1000, 1);
    expect(r.local).toBe(porPotential(toy(false), 1000, 1).local);
    expect(r.invisible).toBe(0);
    expect(r.visibleBy[0]?.[0]).toBe('a (A1)');
    // every step now writes a field some property reads: no state has an invisible one
    expect(r.someInvisible).toBe(0);
  });
});
