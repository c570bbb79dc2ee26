/**
 * Where one transition's time goes, phase by phase, without a profiler
 * (`npm run bench -- phases [MODEL]`; issue 18). The exhaustive engine's
 * own graph of a reference (bounded) is recorded through the race check's
 * sink, and then each phase of a transition runs alone over the recorded
 * transitions: the guards (`actions`), the step through immer, the step on
 * the fast path, the fast path's copy alone, the sharing of a kept state,
 * the state key (the model's view or symmetry representative) and its
 * fingerprint, and the properties. The same graph explored whole on each
 * path gives the engine's cost per transition; what the phases do not
 * explain is the engine's own bookkeeping.
 *
 * From these come two bounds on what the issue's ≥ 8× target asks. If the
 * state were packed so that copying, sharing, keying and hashing cost
 * nothing (generous: a packed state still hashes its words), how many times
 * the immer path could the fast path be ({@link packedCeiling})? And if the
 * engine cost nothing too, leaving only the model's own code — its guards,
 * its rules' effects and its properties ({@link rulesCeiling})? The phases
 * run alone on warm caches, so they sum to less than the whole engine; the
 * difference counts as the engine's in the first bound and is dropped from
 * the second.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { nextOnFastPath, onFastPath, produce, shareWith } from '../model/kernel/immer.js';
import { Judge } from '../properties/core.js';
import { explore, keyFunction } from '../properties/explore.js';
import { fingerprint } from '../properties/fingerprint.js';
import { walkGraph } from './graph.js';
import { clocked, roundRobin } from './rounds.js';

/** Microseconds per transition of each phase, and of the whole engine on each path. */
export interface PhaseSplit {
  readonly states: number;
  readonly transitions: number;
  /** The model's `actions`, as the engine calls it: twice per new state (judging it, then expanding it). */
  readonly actions: number;
  /** `next` through immer. */
  readonly immerStep: number;
  /** `next` on the fast path: the copy and the rule's effect. */
  readonly fastStep: number;
  /** The fast path's copy of the state alone (a `produce` with an empty recipe). */
  readonly copy: number;
  /** Sharing a kept successor with its parent, per transition (only new states are shared). */
  readonly share: number;
  /** The state key: the model's symmetry representative or view. */
  readonly key: number;
  /** The 64-bit fingerprint of the key. */
  readonly hash: number;
  /** The model's properties and the built-in checks on a transition. */
  readonly judge: number;
  /** The whole exploration per transition, immer path and fast path. */
  readonly engineImmer: number;
  readonly engineFast: number;
}

/** One recorded transition. */
interface Step {
  readonly s: unknown;
  readonly a: ActionBase;
}

/**
 * Records `m`'s graph (at most `maxStates`) and times each phase over it:
 * one warm-up round and `repeats` timed rounds, every phase once per round
 * (so a slow spell of the machine slows all of them alike), medians.
 */
export function phaseSplit(m: AnyMachine, maxStates: number, repeats = 3): PhaseSplit {
  if (m.fastPath !== true) throw new Error('the machine has not opted in to the fast path');
  const steps: Step[] = [];
  const parents: unknown[] = [];
  const rec = walkGraph(m, { maxStates }, (s, a, _n, first) => {
    if (first) parents.push(s);
    steps.push({ s, a });
  });
  const n = steps.length;
  // judging a new state asks for its actions, and expanding it asks again
  const actionCalls = 2 * rec.states;
  // only new states are shared with their parent
  const fresh = rec.states / Math.max(n, 1);
  const keyOf = keyFunction(m, true);
  const j = new Judge(m);
  // the successors as the fast path makes them, remade before sharing (which rewrites them)
  const remake = (): unknown[] => steps.map((x) => nextOnFastPath(m, x.s, x.a));
  let succ = remake();
  const keys = succ.map(keyOf);
  const whole = (fastPath: boolean): number => {
    const r = explore(m, { maxStates, fastPath });
    return (1000 * r.ms) / Math.max(r.transitions, 1);
  };

  const phases: Record<Exclude<keyof PhaseSplit, 'states' | 'transitions'>, () => number> = {
    actions: () =>
      clocked(n, () => {
        for (let k = 0; k < actionCalls; k++) m.actions(parents[k % parents.length]);
      }),
    immerStep: () =>
      clocked(n, () => {
        for (const x of steps) m.next(x.s, x.a);
      }),
    fastStep: () =>
      clocked(n, () => {
        for (const x of steps) nextOnFastPath(m, x.s, x.a);
      }),
    copy: () =>
      clocked(n, () =>
        onFastPath(() => {
          for (const x of steps) produce(x.s, () => {});
        }),
      ),
    share: () => {
      succ = remake();
      return (
        fresh *
        clocked(n, () => {
          for (let k = 0; k < n; k++) shareWith(steps[k]!.s, succ[k]);
        })
      );
    },
    key: () =>
      clocked(n, () => {
        for (const x of succ) keyOf(x);
      }),
    hash: () =>
      clocked(n, () => {
        for (const k of keys) fingerprint(k);
      }),
    judge: () =>
      clocked(n, () => {
        for (let k = 0; k < n; k++) j.known({ prev: steps[k]!.s, action: steps[k]!.a, next: succ[k] });
      }),
    engineImmer: () => whole(false),
    engineFast: () => whole(true),
  };
  const med = roundRobin(phases, repeats);
  return {
    states: rec.states,
    transitions: n,
    actions: med('actions'),
    immerStep: med('immerStep'),
    fastStep: med('fastStep'),
    copy: med('copy'),
    share: med('share'),
    key: med('key'),
    hash: med('hash'),
    judge: med('judge'),
    engineImmer: med('engineImmer'),
    engineFast: med('engineFast'),
  };
}

/**
 * The fast path's best gain over the immer path if copying, sharing, keying
 * and hashing cost nothing (everything else as measured, the engine's
 * unexplained remainder included).
 */
export function packedCeiling(p: PhaseSplit): number {
  const rest = p.engineFast - p.copy - p.share - p.key - p.hash;
  return p.engineImmer / Math.max(rest, 1e-9);
}

/**
 * The best gain if everything but the model's own code cost nothing: only
 * its guards, its rules' effects (the fast step without the copy) and its
 * properties left. No design that keeps the rule code as it is can beat it.
 */
export function rulesCeiling(p: PhaseSplit): number {
  return p.engineImmer / Math.max(p.actions + p.fastStep - p.copy + p.judge, 1e-9);
}
