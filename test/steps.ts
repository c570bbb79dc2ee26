/**
 * A bounded walk over a machine's steps, for checks that look at what each
 * kind of step is (its lane, name and function in a trace) rather than at
 * what the properties say: breadth-first from the initial state, each
 * distinct state expanded once, until the bound on states is reached.
 */
import type { ActionBase, Machine, StepInfo } from '../model/contract.js';

/** Calls `visit` on every step taken from the first `maxStates` distinct states, with the step's description and the state it is taken from. */
export function eachStep<S, A extends ActionBase>(m: Machine<S, A>, maxStates: number, visit: (a: A, info: StepInfo, from: S) => void): void {
  const seen = new Set<string>();
  let frontier = [m.init()];
  while (frontier.length > 0 && seen.size < maxStates) {
    const next: S[] = [];
    for (const s of frontier) {
      const key = JSON.stringify(s);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const a of m.actions(s)) {
        const t = m.next(s, a);
        visit(a, m.describe(a, s, t), s);
        next.push(t);
      }
    }
    frontier = next;
  }
}
