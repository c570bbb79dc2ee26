/** `mmcheck repro FILE`: re-executes a replay file (or its `.itf.json`) and prints its trace. */
import { parseArgs } from 'node:util';
import type { AnyModel } from '../../model/contract.js';
import { variantOf } from '../../model/contract.js';
import { ReplayDivergence, replayLabels } from '../../properties/check.js';
import { replayLasso } from '../../properties/liveness.js';
import { violationKind } from '../../properties/suite.js';
import { preemptions } from '../../shrinkers/minimize.js';
import { replayCommand } from '../../reports/counterexample.js';
import { readCounterexample } from '../../reports/itf.js';
import { InputError, isLasso, replayMachine } from '../../reports/replay.js';
import type { ReplayFile } from '../../reports/replay.js';
import { renderTrace } from '../../reports/text.js';
import { EXIT, exitFor } from '../exit.js';
import type { Command, Session } from '../session.js';
import { UsageError } from '../session.js';

/** The command's lines in `--help`. */
export const REPRO_USAGE = `  repro FILE                             re-execute a replay file (or its .itf.json) and print its trace`;

/**
 * What `repro` and `report` say of a trace that no longer replays: its
 * steps do not apply to this model any more (a step not enabled, a label no
 * rule has), which says nothing about the bug: an error, never "fixed".
 */
export function divergedError(file: string, detail: string): InputError {
  return new InputError(`${file} does not replay on this model (${detail}): the model or the file changed since it was written, so this says nothing about the bug; run or explore the variant again`);
}

/**
 * Replays the file; exit 0 when it replays whole and no longer violates its
 * property, else the kind of what it still violates; a file whose steps no
 * longer apply is bad input (exit 2).
 */
export function cmdRepro(args: string[], s: Session): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('repro takes exactly one FILE');
  const file = positionals[0];
  const r = readCounterexample(file);
  const m = s.pick(r.model);
  variantOf(m, r.variant);
  const config = m.parseConfig(r.config);
  if (isLasso(r)) return reproLasso(s, m, r, config, file);
  const machine = replayMachine(m, r, config);
  let res;
  try {
    res = replayLabels(machine, r.actions);
  } catch (e) {
    if (e instanceof ReplayDivergence) throw divergedError(file, e.message);
    throw e;
  }
  // a replay of no step that violates nothing is no counterexample at all
  if (r.actions.length === 0 && res.trace.violations.length === 0) throw new InputError(`${file} records no step, and the initial state violates nothing: not a counterexample`);
  s.out(renderTrace(res.trace, {
    model: r.model, variant: r.variant, engine: r.engine, seed: r.seed ?? undefined, path: r.path ?? undefined, property: r.property,
    replayCommand: replayCommand(file, s.modelPath), preemptions: preemptions(machine, res.trace),
  }).trimEnd());
  const again = res.trace.violations.some((v) => v.property === r.property);
  if (!again) s.out(res.trace.violations.length ? `reproduces a different violation, not ${r.property}` : `no longer reproduces: ${r.property} holds`);
  return exitFor(res.trace.violations.map((v) => violationKind(m, r.variant, v.property)));
}

/** `repro` of a liveness counterexample: replays it and judges the lasso (or the stuck end) again. */
function reproLasso(s: Session, m: AnyModel, r: ReplayFile, config: unknown, file: string): number {
  let res;
  try {
    res = replayLasso(replayMachine(m, r, config), r.actions, r.loop, r.property, (msg) => new ReplayDivergence(msg));
  } catch (e) {
    if (e instanceof ReplayDivergence) throw divergedError(file, e.message);
    throw e;
  }
  // a replay of no step that violates nothing is no counterexample at all
  if (r.actions.length === 0 && res.trace.violations.length === 0) throw new InputError(`${file} records no step, and the initial state violates nothing: not a counterexample`);
  s.out(renderTrace(res.trace, { model: r.model, variant: r.variant, engine: r.engine, property: r.property, replayCommand: replayCommand(file, s.modelPath) }).trimEnd());
  if (res.gone !== undefined) {
    s.out(`no longer reproduces: ${res.gone}`);
    return EXIT.ok;
  }
  return EXIT.liveness;
}

/** `mmcheck repro`. */
export const repro: Command = { usage: REPRO_USAGE, run: cmdRepro };
