/**
 * A finding as the report writers hold it: the engine's {@link Finding}
 * with the model and variant it belongs to. It is the one schema behind the
 * replay file, the ITF header and the pages; {@link foundOf} is the one
 * place it is built.
 */
import type { Finding } from '../properties/outcome.js';
import type { Trace } from '../properties/core.js';

/** What is known about a counterexample when it is saved. */
export interface Found {
  readonly model: string;
  readonly variant: string;
  readonly engine: 'random' | 'pct' | 'explore' | 'liveness';
  readonly seed: number | null;
  readonly path: string | null;
  readonly config: unknown;
  readonly trace: Trace;
  readonly property: string;
  /** The model's spec file, the ITF trace's `source` (the model name when absent). */
  readonly spec?: string;
  /** The `--model` module the model came from, if it is not built in. */
  readonly modelPath?: string;
  /** Preemptions in the trace, shown in its header. */
  readonly preemptions?: number;
  /** Added to the file name stem, to tell apart several findings of one run (explore `--keep-going`: the property). */
  readonly tag?: string;
}

/** The record of a finding of `model`'s `variant`. */
export function foundOf(model: { readonly name: string; readonly spec?: string }, variant: string, f: Finding, extra: { readonly modelPath?: string | undefined; readonly preemptions?: number; readonly tag?: string } = {}): Found {
  return {
    model: model.name,
    variant,
    engine: f.provenance.engine,
    seed: f.provenance.seed ?? null,
    path: f.provenance.path ?? null,
    config: f.provenance.config,
    trace: f.trace,
    property: f.property,
    ...(model.spec !== undefined ? { spec: model.spec } : {}),
    ...(extra.modelPath !== undefined ? { modelPath: extra.modelPath } : {}),
    ...(extra.preemptions !== undefined ? { preemptions: extra.preemptions } : {}),
    ...(extra.tag !== undefined ? { tag: extra.tag } : {}),
  };
}
