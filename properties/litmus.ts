/**
 * Checking a litmus test: every execution explored with the exhaustive
 * engine, the final outcomes collected, the verdict on the condition
 * (herd7's Always/Sometimes/Never) and a shortest witness trace.
 *
 * The engine is reached through {@link exploreAll} alone, so a change of the
 * engine's interface is adapted in one place. This module drives an engine,
 * so it sits in properties/, above the parser and machine of model/litmus/.
 */
import type { AnyMachine, Machine } from '../model/contract.js';
import type { Trace } from './check.js';
import { explore } from './explore.js';
import { holds, litmusMachine, outcome } from '../model/litmus/machine.js';
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

/** The property whose violations are the wanted final states (see {@link exploreAll}). */
const WANTED = 'wanted final state';

/**
 * The one call into the exhaustive engine: explores `m` completely, calls
 * `atFinal` on every final state reached, and when `wanted` is given returns
 * a shortest trace to a final state where it holds.
 *
 * Final states are the machine's quiescent states, and a `quiescent`
 * property is by contract checked on every quiescent state an exhaustive
 * search reaches (else its "no violation, complete" would be unsound), so
 * the outcomes are collected through one that always holds — no reliance on
 * how often the engine asks a property. The wanted states are violations of
 * a second one; `keepGoing` records its shortest trace and explores on, and
 * as final states have no successors the search, and its state count, are
 * the same as without it.
 */
function exploreAll<S>(m: Machine<S, LitmusAction>, atFinal: (s: S) => void, wanted?: (s: S) => boolean): { states: number; complete: boolean; trace?: Trace } {
  const collecting: Machine<S, LitmusAction> = {
    ...m,
    properties: [
      {
        kind: 'quiescent',
        name: 'final outcomes',
        doc: 'collects the final outcomes; always holds',
        check: (t) => {
          atFinal(t.next);
          return undefined;
        },
      },
      ...(wanted ? [{ kind: 'quiescent' as const, name: WANTED, doc: 'a final state the verdict wants a trace to', check: (t: { next: S }) => (wanted(t.next) ? 'reached' : undefined) }] : []),
    ],
  };
  const r = explore(collecting as unknown as AnyMachine, { maxStates: MAX_STATES, exact: true, keepGoing: true });
  const other = [...r.violated.keys()].find((p) => p !== WANTED);
  if (other !== undefined) throw new Error(`litmus machine: unexpected violation of ${other}: ${r.violated.get(other)?.message ?? ''}`);
  const trace = r.counterexamples?.get(WANTED);
  return { states: r.states, complete: r.complete, ...(trace ? { trace } : {}) };
}

/** Explores every execution of `l` under `mode` and judges its condition. */
export function checkLitmus(l: Litmus, mode: 'lkmm' | 'sc' = 'lkmm'): LitmusReport {
  const t0 = performance.now();
  const m = litmusMachine(l, mode);
  const outs = new Map<string, boolean>();
  const forall = l.cond.quant === 'forall';
  const first = exploreAll(
    m,
    (s) => {
      const o = outcome(l, s);
      if (!outs.has(o)) outs.set(o, holds(l, s));
    },
    // a witness of the proposition; for a forall test, a counterexample to it
    (s) => holds(l, s) !== forall,
  );
  if (!first.complete) throw new Error(`${l.file}: exploration stopped after ${first.states} states (bound ${MAX_STATES})`);
  const satisfying = [...outs.values()].filter((b) => b).length;
  const verdict: Verdict = satisfying === 0 ? 'Never' : satisfying === outs.size ? 'Always' : 'Sometimes';
  const witness = first.trace;
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
