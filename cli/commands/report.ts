/**
 * `mmcheck report FILE --html OUT`: replays a replay or ITF file (the
 * reports never replay or judge; the command does, as `repro` does) and
 * writes its HTML page.
 */
import { parseArgs } from 'node:util';
import type { AnyModel } from '../../model/contract.js';
import { variantOf } from '../../model/contract.js';
import { ReplayDivergence, replayLabels } from '../../properties/check.js';
import { replayLasso } from '../../properties/liveness.js';
import type { Engine } from '../../properties/outcome.js';
import { findingOf } from '../../properties/outcome.js';
import { replayCommand } from '../../reports/counterexample.js';
import { foundOf } from '../../reports/found.js';
import { traceHtml } from '../../reports/html.js';
import { readCounterexample } from '../../reports/itf.js';
import { InputError, isLasso, replayMachine, writeAtomic } from '../../reports/replay.js';
import { reportTarget } from '../../reports/run.js';
import { EXIT } from '../exit.js';
import { divergedError } from './repro.js';
import type { Command, Session } from '../session.js';
import { unknownModel, UsageError } from '../session.js';

/** The command's lines in `--help`. */
export const REPORT_USAGE = `  report FILE --html OUT                 render a replay or ITF file as one self-contained HTML page`;

/**
 * Writes the page (exit 0). A lasso whose cycle no longer closes is not drawn
 * (exit 0, said); a file whose steps no longer apply is bad input (exit 2).
 */
export function cmdReport(args: string[], s: Session): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { html: { type: 'string' } } });
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('report takes exactly one FILE');
  if (values.html === undefined) throw new UsageError('report needs --html OUT (a file, or a folder for <stem>.html)');
  const target = reportTarget(positionals[0], values.html);
  const r = reportFile(positionals[0], target, s.models, s.modelPath);
  if (r.diverged !== undefined) {
    s.out(`no longer reproduces: ${r.diverged}; nothing written`);
    return EXIT.ok;
  }
  // the page is the product: written is success, whatever the trace shows (repro's code says that)
  s.out(`wrote ${target}`);
  return EXIT.ok;
}

/**
 * Renders a replay or ITF file as one HTML page at `out`. Returns the
 * violations the replayed trace ends with, or a divergence message when
 * the file no longer replays (then nothing is written).
 */
export function reportFile(file: string, out: string, known: readonly AnyModel[], modelPath?: string): { violations: string[]; diverged?: string; model: AnyModel; variant: string } {
  const r = readCounterexample(file);
  const m = known.find((x) => x.name === r.model);
  if (!m) throw new InputError(unknownModel(r.model, known, modelPath));
  variantOf(m, r.variant);
  const config = m.parseConfig(r.config);
  const machine = replayMachine(m, r, config);
  let trace;
  try {
    // a liveness counterexample is judged again as a lasso (or a stuck end), as `repro` does
    if (isLasso(r)) {
      const res = replayLasso(machine, r.actions, r.loop, r.property, (msg) => new ReplayDivergence(msg));
      if (res.gone !== undefined) return { violations: [], diverged: res.gone, model: m, variant: r.variant };
      trace = res.trace;
    } else trace = replayLabels(machine, r.actions).trace;
  } catch (e) {
    // its steps no longer apply: nothing to draw, and nothing known about the bug
    if (e instanceof ReplayDivergence) throw divergedError(file, e.message);
    throw e;
  }
  const engine: Engine = r.engine === 'explore' || r.engine === 'pct' || r.engine === 'liveness' ? r.engine : 'random';
  const provenance = { engine, config, ...(r.seed !== null ? { seed: r.seed } : {}), ...(r.path !== null ? { path: r.path } : {}) };
  const found = foundOf(m, r.variant, { ...findingOf(trace, provenance, r.property), property: r.property });
  writeAtomic(out, traceHtml({ found, kernel: (s) => machine.kernel(s), replay: replayCommand(file, modelPath), files: [file] }));
  return { violations: trace.violations.map((v) => v.property), model: m, variant: r.variant };
}

/** `mmcheck report`. */
export const report: Command = { usage: REPORT_USAGE, run: cmdReport };
