/**
 * The model hygiene check (`--check-model`): the contract says a state is
 * plain data that no step mutates, and that `actions` and `next` depend on
 * the state alone (model/contract.ts). Nothing in the engines can see a
 * breach directly; a breach shows up later as a trace that does not replay
 * or a state count that changes between runs. This check looks for one on a
 * few hundred random transitions: every state is deep-frozen before the
 * model sees it (a write to it throws), `actions` runs twice on it, and
 * `next` twice on each of its actions; any difference is reported with the
 * step and the path that led there.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { actionLabel } from '../model/contract.js';
import { canonical } from '../model/canonical.js';
import { diff } from '../model/diff.js';

/** Options of {@link checkModel}. */
export interface HygieneOptions {
  /** Transitions to check (default 300). */
  readonly transitions?: number;
  /** Seed of the random walk (default 1). */
  readonly seed?: number;
  /** Longest walk from the initial state before starting again (default 40). */
  readonly walk?: number;
}

/** A breach of the contract, with the path from the initial state to the state where it shows. */
export interface HygieneProblem {
  readonly message: string;
  /** Action labels from the initial state to the state checked. */
  readonly path: readonly string[];
}

/** Freezes a value and everything it holds; already frozen parts (shared with a checked state) are skipped. */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}

/** A small seeded generator (mulberry32) of indices below `n`: a walk is the same for the same seed. */
export function seededPick(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

/** Where a walk is: after which steps from the initial state. */
export function walkPlace(path: readonly string[]): string {
  return path.length ? `after ${path.length} step${path.length === 1 ? '' : 's'} (${path.join(' ')})` : 'in the initial state';
}

function firstDiff(a: unknown, b: unknown): string {
  return diff(a, b).slice(0, 3).join('; ') || 'the states differ';
}

/**
 * Walks `m` at random and checks each state it meets; returns the first
 * problem, or undefined when the model kept the contract on this walk.
 */
export function checkModel(m: AnyMachine, opts: HygieneOptions = {}): HygieneProblem | undefined {
  const budget = opts.transitions ?? 300;
  const pick = seededPick(opts.seed ?? 1);
  const longest = opts.walk ?? 40;
  let done = 0;
  const init1 = m.init();
  if (canonical(init1) !== canonical(m.init())) return { message: `\`init\` gave two different states: ${firstDiff(init1, m.init())}`, path: [] };
  while (done < budget) {
    let s = deepFreeze(m.init());
    const path: string[] = [];
    for (let i = 0; i < longest && done < budget; i++) {
      const problem = (msg: string): HygieneProblem => ({ message: `${msg}, ${walkPlace(path)}`, path: [...path] });
      let acts: readonly ActionBase[];
      let again: readonly ActionBase[];
      try {
        acts = m.actions(s);
        again = m.actions(s);
      } catch (e) {
        return problem(`\`actions\` threw on a frozen state (does it write to its input?): ${e instanceof Error ? e.message : String(e)}`);
      }
      const l1 = acts.map(actionLabel).join(' ');
      const l2 = again.map(actionLabel).join(' ');
      if (l1 !== l2) return problem(`\`actions\` gave [${l1}] and then [${l2}] for the same state (the order must depend on the state alone)`);
      if (acts.length === 0) break;
      const before = canonical(s);
      let chosen: unknown;
      const k = pick(acts.length);
      for (let ai = 0; ai < acts.length && done < budget; ai++) {
        const a = acts[ai] as ActionBase;
        let n1: unknown;
        let n2: unknown;
        try {
          n1 = m.next(s, a);
          n2 = m.next(s, a);
        } catch (e) {
          return problem(`\`next\` threw on a frozen state for ${actionLabel(a)} (does it write to its input?): ${e instanceof Error ? e.message : String(e)}`);
        }
        done++;
        if (canonical(s) !== before) return problem(`\`next\` changed its input state for ${actionLabel(a)}: ${firstDiff(JSON.parse(before), s)}`);
        if (canonical(n1) !== canonical(n2)) return problem(`\`next\` gave two different states for ${actionLabel(a)}: ${firstDiff(n1, n2)}`);
        if (ai === k) chosen = n1;
      }
      path.push(actionLabel(acts[k] as ActionBase));
      s = deepFreeze(chosen);
    }
  }
  return undefined;
}

/** The error a front end raises for a problem: one line that names the check. */
export function hygieneMessage(p: HygieneProblem): string {
  return `model check failed: ${p.message} (model/contract.ts: states are plain data no step mutates; actions and next depend on the state alone)`;
}
