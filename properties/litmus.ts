/**
 * Checking a litmus test: every execution explored with the exhaustive
 * engine, the final outcomes collected, the verdict on the condition
 * (herd7's Always/Sometimes/Never) and a shortest witness trace.
 *
 * The engine is reached through {@link exploreAll} alone, so a change of the
 * engine's interface is adapted in one place.
 */
import type { AnyMachine, Machine } from '../model/contract.js';
import type { Trace } from './check.js';
import { explore } from './explore.js';
import { holds, isFinal, litmusMachine, outcome } from '../model/litmus/machine.js';
import type { LitmusAction, LitmusState } from '../model/litmus/machine.js';
import type { Litmus, Verdict } from '../model/litmus/program.js';

/** What exploring a litmus test found. */
export interface LitmusReport {
  readonly test: Litmus;
  readonly mode: 'lkmm' | 'sc';
  readonly verdict: Verdict;
  /** Distinct states of the exploration. */
  readonly states: number;
  /** Every final outcome (see {@link outcome}), sorted. */
  readonly outcomes: readonly string[];
  /** How many of them satisfy the condition's proposition. */
  readonly satisfying: number;
  /** Whether the verdict agrees with the file's `Result:`; undefined when it has none. */
  readonly agrees?: boolean;
  /**
   * A shortest execution to a final state satisfying the proposition, when
   * there is one; for a `forall` test, to a final state where it fails (the
   * counterexample), when there is one.
   */
  readonly witness?: Trace;
  readonly ms: number;
}

/** Exploration bound: far above any test of the kernel's suite. */
const MAX_STATES = 2_000_000;

/**
 * The one call into the exhaustive engine: explores `m` completely, calls
 * `atFinal` on every transition into a final state, and when `goal` is
 * given returns a shortest trace to a final state where it holds.
 */
function exploreAll<S>(m: Machine<S, LitmusAction>, final: (s: S) => boolean, atFinal: (s: S) => void, goal?: (s: S) => boolean): { states: number; complete: boolean; trace?: Trace } {
  const collecting: Machine<S, LitmusAction> = {
    ...m,
    // a witness that is never satisfied is asked on every transition: it collects the outcomes
    properties: [
      {
        kind: 'sometimes',
        name: 'final outcomes',
        doc: 'collects the final outcomes',
        check: (t) => {
          if (final(t.next)) atFinal(t.next);
          return false;
        },
      },
    ],
  };
  const all = explore(collecting as unknown as AnyMachine, { maxStates: MAX_STATES, exact: true });
  if (!goal) return { states: all.states, complete: all.complete };
  const seeking: Machine<S, LitmusAction> = {
    ...m,
    properties: [{ kind: 'always', name: 'condition', doc: 'the condition holds at a final state', check: (t) => (final(t.next) && goal(t.next) ? 'reached' : undefined) }],
  };
  const w = explore(seeking as unknown as AnyMachine, { maxStates: MAX_STATES, exact: true });
  return { states: all.states, complete: all.complete, ...(w.counterexample ? { trace: w.counterexample } : {}) };
}

/** Explores every execution of `l` under `mode` and judges its condition. */
export function checkLitmus(l: Litmus, mode: 'lkmm' | 'sc' = 'lkmm'): LitmusReport {
  const t0 = performance.now();
  const m = litmusMachine(l, mode);
  const outs = new Map<string, boolean>();
  const final = (s: LitmusState): boolean => isFinal(l, s);
  const first = exploreAll(m, final, (s) => {
    const o = outcome(l, s);
    if (!outs.has(o)) outs.set(o, holds(l, s));
  });
  if (!first.complete) throw new Error(`${l.file}: exploration stopped after ${first.states} states (bound ${MAX_STATES})`);
  const satisfying = [...outs.values()].filter((b) => b).length;
  const verdict: Verdict = satisfying === 0 ? 'Never' : satisfying === outs.size ? 'Always' : 'Sometimes';
  const forall = l.cond.quant === 'forall';
  const wanted = forall ? satisfying < outs.size : satisfying > 0;
  const witness = wanted ? exploreAll(m, final, () => undefined, (s) => holds(l, s) !== forall).trace : undefined;
  return {
    test: l,
    mode,
    verdict,
    states: first.states,
    outcomes: [...outs.keys()].sort(),
    satisfying,
    ...(l.result !== undefined ? { agrees: agreesWith(l.result, verdict) } : {}),
    ...(witness ? { witness } : {}),
    ms: performance.now() - t0,
  };
}

/**
 * Whether the tool's verdict agrees with a `Result:` line. herd7 says
 * `Always` when every final state satisfies the condition; a `Result:
 * Sometimes` ("the outcome can happen") is met by that too.
 */
export function agreesWith(result: Verdict, verdict: Verdict): boolean {
  return result === verdict || (result === 'Sometimes' && verdict === 'Always');
}
