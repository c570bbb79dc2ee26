/**
 * Trace minimizer, run after fast-check's own shrinking: delta debugging over
 * the recorded action list. A candidate is kept only if every action is still
 * enabled where it stands and the *same* property still fails at its end.
 * First whole chunks are dropped (halves, quarters, … single steps), until no
 * single step can be removed.
 */
import type { AnyMachine } from '../model/contract.js';
import type { Trace } from '../properties/check.js';
import { ReplayDivergence, replayLabels } from '../properties/check.js';

/** Replays labels; the trace if `property` fails at its last step, else undefined. */
function failsWith(m: AnyMachine, labels: readonly string[], property: string): Trace | undefined {
  try {
    const { trace } = replayLabels(m, labels);
    return trace.steps.length === labels.length && trace.violations.some((v) => v.property === property) ? trace : undefined;
  } catch (e) {
    if (e instanceof ReplayDivergence) return undefined;
    throw e;
  }
}

/**
 * The shortest trace this search finds that still violates `property`
 * (at most `budget` replays). Returns the input trace when nothing shorter works.
 */
export function minimizeTrace(m: AnyMachine, trace: Trace, property: string, budget = 5000): Trace {
  let best = trace;
  let labels = trace.steps.map((s) => s.label);
  let replays = 0;
  for (let chunk = Math.max(1, labels.length >> 1); chunk >= 1; chunk >>= 1) {
    let changed = true;
    while (changed && replays < budget) {
      changed = false;
      // from the end: later steps are the likelier noise after fast-check's shrink
      for (let start = labels.length - chunk; start >= 0 && replays < budget; start--) {
        const cand = [...labels.slice(0, start), ...labels.slice(start + chunk)];
        replays++;
        const t = failsWith(m, cand, property);
        if (t) {
          labels = cand;
          best = t;
          changed = true;
          start = Math.min(start, labels.length - chunk + 1);
        }
      }
    }
  }
  return best;
}
