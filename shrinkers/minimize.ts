/**
 * Trace minimizer, run after fast-check's own shrinking: delta debugging over
 * the recorded action list. A candidate is kept only if every action is still
 * enabled where it stands and the *same* property still fails at its end.
 * First whole chunks are dropped (halves, quarters, … single steps), then the
 * steps of one context from some point on (a context that need not finish),
 * until no single step can be removed. Last, context switches are reduced at
 * the same length: a preempted context is moved up to run on, so the story
 * reads with as few interleavings as the bug needs.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { explore } from '../properties/explore.js';
import type { Trace } from '../properties/check.js';
import { ReplayDivergence, replayLabels } from '../properties/check.js';
import { preemptions } from '../properties/preemptions.js';

// counted where the engines report it; re-exported for the minimizer's users
export { preemptions };

/** Replays labels; the trace up to where `property` fails (possibly a prefix), or undefined if it does not. */
function failsWith(m: AnyMachine, labels: readonly string[], property: string): Trace | undefined {
  try {
    const { trace } = replayLabels(m, labels);
    // the property may now fail before the end: the prefix that reaches it is the candidate
    return trace.violations.some((v) => v.property === property) ? trace : undefined;
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
  const p = new Progress(m, property, budget, trace);
  for (let round = 0; round < 3; round++) {
    const before = p.labels.length;
    dropChunks(p);
    dropContextTails(p);
    if (p.labels.length === before) break;
  }
  const best = guidedShortest(m, p.best, property) ?? p.best;
  return fewerPreemptions(m, best, property, budget - p.replays);
}

/**
 * A breadth-first search that may move only the contexts the trace moves
 * (in any order, any number of times) and the environment: a small
 * space, whose shortest violation is often shorter than what deleting steps
 * can reach (it may reorder, or pick another argument or event).
 * Checked again on the unrestricted machine, since hiding actions can make
 * a state look stuck.
 */
function guidedShortest(m: AnyMachine, trace: Trace, property: string, maxStates = GUIDED_STATES): Trace | undefined {
  if (trace.steps.length <= 1) return undefined;
  // any step of the contexts the trace involves (contexts it leaves out stay out),
  // and any environment event (a different event often makes the same point sooner)
  const kind = (a: ActionBase): string => m.describe(a).ctx;
  const allowed = new Set(trace.steps.map((s) => kind(s.action)));
  const guided: AnyMachine = { ...m, actions: (s) => m.actions(s).filter((a) => allowed.has(kind(a))) };
  const e = explore(guided, { target: property, maxStates, maxDepth: trace.steps.length - 1 });
  const t = e.counterexample && failsWith(m, e.counterexample.steps.map((s) => s.label), property);
  return t && t.steps.length < trace.steps.length ? t : undefined;
}

/** State budget of the guided search: it runs once per counterexample, so it must stay well under a second. */
export const GUIDED_STATES = 20_000;

/** The search so far: the shortest failing trace, its labels, and the replays spent of the budget. */
class Progress {
  replays = 0;
  labels: string[];
  constructor(
    private readonly m: AnyMachine,
    private readonly property: string,
    private readonly budget: number,
    public best: Trace,
  ) {
    this.labels = best.steps.map((s) => s.label);
  }

  /** Whether replays are left. */
  get open(): boolean {
    return this.replays < this.budget;
  }

  /** Replays a candidate; when it still fails with the property, it becomes the best (true). */
  accept(cand: readonly string[]): boolean {
    this.replays++;
    const t = failsWith(this.m, cand, this.property);
    if (!t) return false;
    this.best = t;
    this.labels = t.steps.map((x) => x.label);
    return true;
  }
}

/** Delta debugging over contiguous chunks of the action list. */
function dropChunks(p: Progress): void {
  for (let chunk = Math.max(1, p.labels.length >> 1); chunk >= 1; chunk >>= 1) {
    let changed = true;
    while (changed && p.open) {
      changed = false;
      // from the end: later steps are the likelier noise after fast-check's shrink
      for (let start = p.labels.length - chunk; start >= 0 && p.open; start--) {
        if (!p.accept([...p.labels.slice(0, start), ...p.labels.slice(start + chunk)])) continue;
        changed = true;
        start = Math.min(start, p.labels.length - chunk + 1);
      }
    }
  }
}

/** Drops every step of one context from its k-th step on (steps that are not contiguous in the trace). */
function dropContextTails(p: Progress): void {
  let changed = true;
  while (changed && p.open) {
    changed = false;
    const ctxOf = p.best.steps.map((s) => s.info.ctx);
    for (const c of [...new Set(ctxOf)]) {
      const mine = ctxOf.flatMap((x, i) => (x === c ? [i] : []));
      // from the earliest cut (drop the whole context) to the latest (its last step alone)
      for (let k = 0; k < mine.length && p.open; k++) {
        const cut = new Set(mine.slice(k));
        if (cut.size < 2) break; // single steps are the chunk pass's job
        if (p.accept(p.labels.filter((_, i) => !cut.has(i)))) {
          changed = true;
          break;
        }
      }
      if (changed) break;
    }
  }
}

/**
 * Moves steps to lower the number of preemptions at equal length: at a
 * preemption of context c, c's next step is moved up to run first. A move is
 * kept if the trace still fails with `property` and has fewer preemptions.
 */
function fewerPreemptions(m: AnyMachine, trace: Trace, property: string, budget: number): Trace {
  let best = trace;
  let score = preemptions(m, best);
  let replays = 0;
  let changed = true;
  while (changed && score > 0 && replays < budget) {
    changed = false;
    const ctxOf = best.steps.map((s) => s.info.ctx);
    const labels = best.steps.map((s) => s.label);
    for (let i = 1; i < labels.length && !changed && replays < budget; i++) {
      const c = ctxOf[i - 1];
      if (ctxOf[i] === c) continue;
      const j = ctxOf.indexOf(c as string, i + 1);
      // two candidates: c runs on (its next step moved up), or the intruder moves after c's next step
      if (j < 0) continue;
      const cands = [
        [...labels.slice(0, i), labels[j] as string, ...labels.slice(i, j), ...labels.slice(j + 1)],
        [...labels.slice(0, i), ...labels.slice(i + 1, j + 1), labels[i] as string, ...labels.slice(j + 1)],
      ];
      for (const cand of cands) {
        replays++;
        const t = failsWith(m, cand, property);
        if (!t || t.steps.length > best.steps.length) continue;
        const p = preemptions(m, t);
        if (p < score || t.steps.length < best.steps.length) {
          best = t;
          score = p;
          changed = true;
          break;
        }
      }
    }
  }
  return best;
}

/**
 * The BFS-shortest length of a violation of `property` on `m`, given a
 * counterexample of `len` steps: only shorter traces matter, so a search to
 * depth len − 1 that finds none proves `len` shortest. `undefined` when the
 * state budget runs out first (the model is too large to say).
 */
export function shortestLength(m: AnyMachine, property: string, len: number, maxStates: number): number | undefined {
  const e = explore(m, { target: property, maxDepth: Math.max(len - 1, 0), maxStates });
  if (e.counterexample) return e.counterexample.steps.length;
  return e.stopped === undefined || e.stopped === 'depth' ? len : undefined;
}
