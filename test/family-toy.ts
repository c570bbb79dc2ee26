/**
 * A toy model with a family (issue 15): a counter raised one step at a time
 * up to a configured `top`, whose property P says it never passes 2. The
 * small configuration (`top` = 2) sits just below the threshold, so plain
 * `explore` says "no violation … complete" on a reference that the family
 * member `top-3` (the other side of the threshold) breaks. V1 jumps by 3 and
 * is caught wherever the counter can move at all.
 */
import fc from 'fast-check';
import { produce } from 'immer';
import type { Machine, ModelDef } from '../model/contract.js';
import type { KernelState } from '../model/kernel/state.js';
import { kernelState } from '../model/kernel/state.js';

interface S {
  readonly k: KernelState;
  readonly x: number;
}
interface A {
  readonly type: 'inc';
}
interface C {
  readonly top: number;
}

function machine(variant: string, c: C): Machine<S, A> {
  const by = variant === 'V1' ? 3 : 1;
  return {
    init: () => ({ k: kernelState({}), x: 0 }),
    actions: (s) => (s.x < c.top ? [{ type: 'inc' }] : []),
    next: (s) => produce(s, (d) => { d.x += by; }),
    describe: () => ({ ctx: 'T', step: 'T1', fn: 'inc' }),
    quiescent: (s) => s.x >= c.top,
    kernel: (s) => s.k,
    properties: [
      { kind: 'always', name: 'P', doc: 'the counter never passes 2', check: ({ next }) => (next.x > 2 ? `x = ${next.x}` : undefined) },
      // a witness that only a configuration where the counter moves can reach
      ...(c.top > 0 ? [{ kind: 'sometimes' as const, name: 'moved', doc: 'the counter moved', check: ({ next }: { next: S }) => next.x > 0 }] : []),
    ],
  };
}

/** The toy: small configuration `top` = 2, family {0, 2, 3}. */
export const model: ModelDef<S, A, C> = {
  name: 'family-toy',
  title: 'a counter whose bug needs a value the small configuration leaves out',
  spec: 'test/family-toy.ts',
  smallConfig: { top: 2 },
  family: [
    { name: 'top-0', why: 'zero: the counter cannot move', config: { top: 0 } },
    { name: 'top-2', why: 'the threshold itself (the small configuration)', config: { top: 2 } },
    { name: 'top-3', why: 'one past the threshold', config: { top: 3 }, maxStates: 10 },
  ],
  randomConfig: fc.constant({ top: 2 }),
  propertyNames: ['P', 'moved'],
  variants: [
    { name: 'reference', summary: 'raises by one', expect: { kind: 'holds' } },
    { name: 'V1', summary: 'raises by three', expect: { kind: 'violates', property: 'P' } },
  ],
  parseConfig: (raw) => {
    const top = (raw as { top?: unknown } | null)?.top;
    if (typeof top !== 'number' || !Number.isInteger(top) || top < 0) throw new Error("family-toy config field 'top' must be a natural");
    return { top };
  },
  machine,
};
