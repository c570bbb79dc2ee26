/**
 * The preemptions of a trace: a measure the random engine reports with
 * each counterexample and the minimizer lowers, so it lives below both.
 */
import type { AnyMachine } from '../model/contract.js';
import type { Trace } from './check.js';

/**
 * Context switches in a trace where the context switched away from could
 * still have run (a preemption, as opposed to a context that blocked or finished).
 */
export function preemptions(m: AnyMachine, trace: Trace): number {
  let n = 0;
  let s = trace.init;
  trace.steps.forEach((step, i) => {
    const prev = trace.steps[i - 1]?.info.ctx;
    if (prev !== undefined && prev !== step.info.ctx && m.actions(s).some((a) => m.describe(a).ctx === prev)) n++;
    s = step.state;
  });
  return n;
}
