/**
 * The exhaustive engine's own graph, for the benches that study it
 * (`por.ts`, `phases.ts`): every transition it takes, read through the sink
 * the race check uses, with the states grouped by the state they leave. The
 * engine hands a state's transitions over in a row, so a new parent starts
 * a new group.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import type { ExploreOptions, ExploreResult } from '../properties/explore.js';
import { explore } from '../properties/explore.js';

/** Calls `visit` on each transition of `m`'s exploration (`first`: the first one leaving `s`); returns the exploration's result. */
export function walkGraph(m: AnyMachine, opts: Pick<ExploreOptions, 'maxStates' | 'fastPath'>, visit: (s: unknown, a: ActionBase, n: unknown, first: boolean) => void): ExploreResult {
  let parent: unknown;
  let any = false;
  return explore(m, {
    ...opts,
    races: {
      addStep: (_m, s, a, n) => {
        const first = !any || s !== parent;
        any = true;
        parent = s;
        visit(s, a, n, first);
      },
    },
  });
}
