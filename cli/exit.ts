/**
 * Exit codes by kind, as TLC separates deadlock, safety and liveness: a CI
 * job can tell what went wrong from the code alone.
 */
import type { ProblemKind } from '../properties/suite.js';

/** Every exit code of `mmcheck`. */
export const EXIT = {
  ok: 0,
  safety: 1,
  usage: 2,
  deadlock: 3,
  liveness: 4,
  vacuity: 5,
  gate: 6,
  /** Stopped by Ctrl-C, as shells report it (128 + 2). */
  sigint: 130,
  /** Stopped by SIGTERM (128 + 15). */
  sigterm: 143,
} as const;

/** The exit codes as documented in `--help` and the README. */
export const EXIT_HELP = `exit codes:
  0  no violation (repro: the trace replays whole and its property holds; report: the page was written)
  1  safety violation (repro: a trace that still reproduces exits with the code of its kind)
  2  bad usage or input, or a model that throws: one line on stderr (repro, report: a trace
     whose steps no longer apply to the model, which says nothing about the bug)
  3  deadlock (a lock cycle, or no context can move)
  4  liveness: a progress bound exceeded or a waiter stuck
  5  vacuity: a sometimes-property never witnessed, or an exploration cut short
  6  gate: a known bug is no longer caught (mmcheck ci)
  130  stopped by SIGINT (Ctrl-C); 143: stopped by SIGTERM. run, explore and ci stop at the
       next step, still write every report marked interrupted; a second signal exits at once`;

const CODE: Record<ProblemKind, number> = {
  safety: EXIT.safety,
  deadlock: EXIT.deadlock,
  liveness: EXIT.liveness,
  vacuity: EXIT.vacuity,
  'lost-power': EXIT.gate,
  'model-error': EXIT.usage,
};

/** Precedence when several kinds occur: a broken model first, then the most specific finding. */
const ORDER: readonly ProblemKind[] = ['model-error', 'deadlock', 'liveness', 'safety', 'lost-power', 'vacuity'];

/** The exit code for a set of problem kinds (0 when empty). */
export function exitFor(kinds: Iterable<ProblemKind>): number {
  const seen = new Set(kinds);
  for (const k of ORDER) if (seen.has(k)) return CODE[k];
  return EXIT.ok;
}
