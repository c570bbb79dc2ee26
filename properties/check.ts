/**
 * The judgement random searches give fast-check ({@link SameProperty}), and
 * the names engines and tests know the core by: judging, running and
 * replaying live in `core.ts`, the one search core.
 */
import type { AnyMachine } from '../model/contract.js';
import type { Violation } from './core.js';
import { MODEL_THREW } from './core.js';

export type { Chooser, RecordedStep, RunResult, Trace, TraceStep, Violation } from './core.js';
export { MODEL_THREW, modelThrew, NondeterministicModel, ReplayDivergence, replay, replayLabels, runTrace } from './core.js';

/** Names of the model's *sometimes* properties. */
export function sometimesNames(m: AnyMachine): string[] {
  return m.properties.filter((p) => p.kind === 'sometimes').map((p) => p.name);
}

/**
 * The pass/fail judgement random searches give fast-check. Untargeted: the
 * first failing run fixes the target property (the expected one when it is
 * among those violated), and from then on — while fast-check shrinks — a run
 * counts as failing only if it violates that same property. Targeted (like
 * the exhaustive engine's `target`): only the given property fails a run;
 * runs that end on another violation pass and are counted in `others`.
 */
export class SameProperty {
  /** The property being shrunk on, once a run has failed (or from the start, when targeted). */
  target: string | undefined;
  private failed = false;
  /** Runs that ended on a violation of another property than the target, by property. */
  readonly others = new Map<string, number>();
  constructor(
    private readonly expected: string | undefined,
    targeted = false,
  ) {
    if (targeted && expected !== undefined) this.target = expected;
  }

  /** Whether a run with these violations passes, from fast-check's point of view. */
  passes(vs: readonly Violation[]): boolean {
    if (vs.length === 0) return true;
    if (this.target === undefined) this.target = this.expected !== undefined && vs.some((v) => v.property === this.expected) ? this.expected : vs[0]?.property;
    // a throwing model always fails a run (targeting must not hide it), but
    // once shrinking, only the target counts, so the shrink stays on it
    const hit = vs.some((v) => v.property === this.target || (!this.failed && v.property === MODEL_THREW));
    if (hit && !this.failed) {
      this.failed = true;
      this.target = vs.find((v) => v.property === this.target)?.property ?? MODEL_THREW;
    } else if (!this.failed) for (const v of vs) this.others.set(v.property, (this.others.get(v.property) ?? 0) + 1);
    return !hit;
  }

  /** True once a run has failed (the runs after it are shrink attempts). */
  get shrinking(): boolean {
    return this.failed;
  }
}
