/**
 * One outcome for every engine. Each engine keeps its own detailed result
 * (figures only it has: bytes per state, PCT's bound, shrink counts); an
 * {@link Outcome} is what they have in common, and what the CLI, the
 * reports and the gate read: a status, the findings (each a counterexample
 * with where it came from, exactly the body of a replay file), the
 * witnesses, and the figures.
 */
import type { Trace } from './core.js';
import type { ExploreBound, ExploreResult } from './explore.js';
import type { LivenessResult } from './liveness.js';
import type { RandomResult } from './random.js';

/** The engines. */
export type Engine = 'random' | 'pct' | 'explore' | 'liveness';

/** Where a finding came from: enough, with its actions, to run it again. */
export interface Provenance {
  readonly engine: Engine;
  /** The random engines' seed. */
  readonly seed?: number;
  /** fast-check's replay path of the shrunk counterexample. */
  readonly path?: string;
  /** The configuration the trace ran in. */
  readonly config: unknown;
}

/** One counterexample. */
export interface Finding {
  /** The property violated (`model-threw` for a model that threw). */
  readonly property: string;
  /** The message of its violation at the end of the trace. */
  readonly message: string;
  /** The run; for a lasso `trace.loop` is where its cycle starts. */
  readonly trace: Trace;
  /** A lasso: the index of the first step of the cycle. */
  readonly loop?: number;
  readonly provenance: Provenance;
}

/** How a search ended. */
export type Status = 'violated' | 'passed' | 'incomplete';

/** What stopped a search before it was done. */
export type StoppedBy = ExploreBound;

/** Figures every engine has. */
export interface Stats {
  /** Distinct states (exhaustive engines) or runs (random engines). */
  readonly states?: number;
  readonly runs?: number;
  readonly transitions?: number;
  readonly ms: number;
}

/** What any engine found. */
export interface Outcome {
  readonly status: Status;
  readonly findings: readonly Finding[];
  /** Each sometimes-property and how often it was witnessed (exhaustive engines: 1 or 0). */
  readonly witnesses: readonly { readonly property: string; readonly count: number }[];
  readonly stats: Stats;
  readonly stoppedBy?: StoppedBy;
}

/** The finding of a trace: its property (the one asked for when the trace ends on several) and message. */
export function findingOf(trace: Trace, provenance: Provenance, property?: string): Finding {
  const v = trace.violations.find((x) => x.property === property) ?? trace.violations[0];
  return {
    property: v?.property ?? property ?? 'unknown',
    message: v?.message ?? '',
    trace,
    ...(trace.loop !== undefined ? { loop: trace.loop } : {}),
    provenance,
  };
}

/** The outcome of an exploration (every property's trace with `keepGoing`, else the one that ended it). */
export function exploreOutcome(r: ExploreResult, config: unknown, target?: string): Outcome {
  const provenance: Provenance = { engine: 'explore', config };
  const traces = r.counterexamples ? [...r.counterexamples] : r.counterexample ? [[target, r.counterexample] as const] : [];
  const findings = traces.map(([p, t]) => findingOf(t, provenance, p));
  return {
    status: findings.length ? 'violated' : r.complete ? 'passed' : 'incomplete',
    findings,
    witnesses: [...r.witnesses].map(([property, w]) => ({ property, count: w ? 1 : 0 })),
    stats: { states: r.states, transitions: r.transitions, ms: r.ms },
    ...(r.stopped !== undefined ? { stoppedBy: r.stopped } : {}),
  };
}

/** The outcome of a liveness check: a model that threw first, then the asked-for property, then the rest. */
export function livenessOutcome(r: LivenessResult, config: unknown, target?: string): Outcome {
  const provenance: Provenance = { engine: 'liveness', config };
  const order = [...r.violations.values()].sort((a, b) => rank(a.property, a.kind === 'threw', target) - rank(b.property, b.kind === 'threw', target));
  const findings = order.map((v) => findingOf(v.trace, provenance, v.property));
  return {
    status: findings.length ? 'violated' : r.complete ? 'passed' : 'incomplete',
    findings,
    witnesses: [],
    stats: { states: r.states, transitions: r.transitions, ms: r.ms },
    ...(r.stopped !== undefined ? { stoppedBy: r.stopped } : {}),
  };
}

function rank(property: string, threw: boolean, target: string | undefined): number {
  return threw ? 0 : property === target ? 1 : 2;
}

/** The outcome of a random or PCT search. */
export function randomOutcome(r: RandomResult, engine: 'random' | 'pct'): Outcome {
  const f = r.failure;
  const findings = f ? [findingOf(f.trace, { engine, seed: r.seed, path: f.path, config: f.config }, f.property)] : [];
  return {
    status: findings.length ? 'violated' : r.interrupted ? 'incomplete' : 'passed',
    findings,
    witnesses: [...r.witnesses].map(([property, count]) => ({ property, count })),
    stats: { runs: r.runs, ms: r.ms },
    ...(r.interrupted ? { stoppedBy: 'time' as const } : {}),
  };
}
