/**
 * `mmcheck litmus FILE…` (spec 06 §3): each C litmus test explored under the
 * weak-memory model, its verdict (Always/Sometimes/Never) with the number
 * of states, a witness trace when the condition is reachable, and whether
 * the file's own `Result:` agrees.
 *
 * Exit 0 when every test agrees (or has no `Result:`), 1 when one
 * disagrees, 2 when a file cannot be read, is malformed or uses a construct
 * outside spec 06 §1 (one line each, naming file and line; the other files
 * are still checked).
 */
import { parseArgs } from 'node:util';
import type { Trace } from '../properties/check.js';
import { latest } from '../model/kernel/lkmm.js';
import type { LitmusState } from '../model/litmus/machine.js';
import { showValue } from '../model/litmus/machine.js';
import { LitmusError, parseLitmus } from '../model/litmus/parse.js';
import type { Litmus } from '../model/litmus/program.js';
import type { LitmusReport } from '../properties/litmus.js';
import { checkLitmus } from '../properties/litmus.js';
import { readInputText } from '../reports/replay.js';
import { renderTrace } from '../reports/text.js';
import { EXIT } from './exit.js';

/** The help text of the command, for the CLI's `--help`. */
export const LITMUS_HELP = `  litmus FILE... [--memory lkmm|sc] [--outcomes]
                                         explore C litmus tests (the kernel's tools/memory-model format)
                                         under the weak-memory model: verdict, states, witness, and
                                         agreement with each file's Result: line`;

const GAP = 'the operational model has no load buffering (spec 06 §2): a read never sees a write that comes later in another process';

/** What a trace shows of a litmus state: declared registers and each location's coherence order. */
function project(l: Litmus, s: LitmusState): Record<string, string> {
  const out: Record<string, string> = {};
  l.procs.forEach((p, i) => {
    for (const r of p.regs) out[`${i}:${r}`] = showValue(s.procs[i]?.regs[r] ?? 0);
  });
  for (const x of Object.keys(l.init).sort()) {
    const h = s.mem.locs[x] ?? [];
    out[x] = l.lockWords.includes(x) ? (latest(s.mem, x).v === 0 ? 'free' : 'locked') : h.map((m) => showValue(m.v)).join(' < ');
  }
  return out;
}

function witnessText(r: LitmusReport, w: Trace): string {
  const l = r.test;
  const shown: Trace = { ...w, init: project(l, w.init as LitmusState), steps: w.steps.map((s) => ({ ...s, state: project(l, s.state as LitmusState) })), violations: [] };
  const lines = renderTrace(shown, { model: l.name, variant: r.mode, engine: 'explore' }).trimEnd().split('\n');
  const what = r.test.cond.quant === 'forall' ? 'counterexample: the condition fails' : 'witness';
  lines[0] = `${what} (${w.steps.length} steps; changes: registers, and per location the values a process can still read, in coherence order):`;
  return lines.join('\n');
}

/** The report of one test, as printed. */
export function litmusText(r: LitmusReport, showOutcomes: boolean): string {
  const l = r.test;
  const out: string[] = [];
  out.push(`Test ${l.name} (${l.file})`);
  out.push(`  ${l.cond.text}`);
  out.push(`${r.verdict}: ${r.satisfying} of ${r.outcomes.length} final outcomes satisfy the condition; ${r.states} states, complete (memory ${r.mode})`);
  if (l.result === undefined) out.push('Result: none in the file');
  else if (r.agrees) out.push(`Result: ${l.result} — agrees`);
  else {
    out.push(`Result: ${l.result} — DISAGREES (mmcheck says ${r.verdict})`);
    if (l.result === 'Never') out.push('  an outcome LKMM forbids was reached: a defect of the rules (spec 06 §2)');
    else if (r.mode === 'lkmm') out.push(`  possibly the known gap: ${GAP}`);
    else out.push('  expected under sc: the outcome needs a weak-memory reordering');
  }
  if (showOutcomes) for (const o of r.outcomes) out.push(`  outcome: ${o}`);
  if (r.witness) out.push(witnessText(r, r.witness));
  for (const n of l.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

/** Runs `mmcheck litmus` and returns its exit code. */
export function cmdLitmus(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { memory: { type: 'string', default: 'lkmm' }, outcomes: { type: 'boolean', default: false } },
  });
  const mode = values.memory;
  if (mode !== 'lkmm' && mode !== 'sc') throw new Error(`--memory must be lkmm or sc, got '${String(mode)}'`);
  if (positionals.length === 0) throw new Error('litmus: expected one or more FILE.litmus');
  let failed = false;
  let broken = false;
  const rows: string[][] = [['test', 'Result', 'mmcheck', 'states', 'agrees']];
  const t0 = performance.now();
  for (const file of positionals) {
    let src: string;
    try {
      src = readInputText(file);
    } catch (e) {
      // one line per file that cannot be read; the others are still checked
      err(`mmcheck: ${e instanceof Error ? e.message : String(e)}`);
      broken = true;
      continue;
    }
    let r: LitmusReport;
    try {
      r = checkLitmus(parseLitmus(src, file), mode);
    } catch (e) {
      if (!(e instanceof LitmusError)) throw e;
      err(`mmcheck: ${e.message}`);
      broken = true;
      continue;
    }
    if (r.agrees === false) failed = true;
    if (positionals.length > 1 && rows.length > 1) out('');
    out(litmusText(r, values.outcomes === true));
    rows.push([r.test.name, r.test.result ?? '-', r.verdict, String(r.states), r.agrees === undefined ? '-' : r.agrees ? 'yes' : 'NO']);
  }
  if (positionals.length > 1) {
    const w = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
    out('');
    for (const row of rows) out(row.map((c, i) => c.padEnd(w[i] ?? 0)).join('  ').trimEnd());
    out(`${rows.length - 1} tests in ${((performance.now() - t0) / 1000).toFixed(2)}s`);
  }
  return broken ? EXIT.usage : failed ? EXIT.safety : EXIT.ok;
}
