/**
 * Text counterexamples: one lane per context, one row per step with the
 * spec's step name and the kernel function it models, then the state fields
 * that changed. The last line is the command that replays it. A lasso
 * (liveness) marks the step where its cycle starts and says it repeats.
 */
import type { Trace } from '../properties/check.js';
import { diff } from './diff.js';
import { changesCell, lanesOf, stepCell } from './lanes.js';

/** Header facts printed above a trace. */
export interface TraceHeader {
  readonly model: string;
  readonly variant: string;
  readonly engine: string;
  readonly seed?: number | undefined;
  /** fast-check's replay path of the shrunk counterexample. */
  readonly path?: string | undefined;
  readonly property?: string | undefined;
  readonly replayCommand?: string | undefined;
  /** Preemptions in the trace (switches away from a context that could have run on). */
  readonly preemptions?: number | undefined;
}

const MAX_CELL = 56;

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

/** Renders a trace as lanes; deterministic, so equal traces print byte-identical text. */
export function renderTrace(t: Trace, h: TraceHeader): string {
  const lanes = lanesOf(t);
  // the lane already names the context: a cell leaves out an argument that repeats it
  const cells = t.steps.map((s) => clip(stepCell(s), MAX_CELL));
  const width = new Map<string, number>(lanes.map((l) => [l, l.length]));
  t.steps.forEach((s, i) => width.set(s.info.ctx, Math.max(width.get(s.info.ctx) ?? 0, (cells[i] ?? '').length)));
  const num = String(t.steps.length).length + 1;
  const row = (n: string, cols: Map<string, string>, rest: string): string =>
    (n.padStart(num) + '  ' + lanes.map((l) => (cols.get(l) ?? '').padEnd(width.get(l) ?? 0)).join(' │ ') + ' │ ' + rest).trimEnd();

  const out: string[] = [];
  const v = t.violations.find((x) => x.property === h.property) ?? t.violations[0];
  const length = t.loop !== undefined ? `${t.loop} steps, then a cycle of ${t.steps.length - t.loop}` : `${t.steps.length} steps`;
  out.push(`${h.model} ${h.variant} — ${v ? `violates ${v.property}` : 'no violation'} (${h.engine}${h.seed !== undefined ? `, seed ${h.seed}` : ''}, ${length}${h.preemptions !== undefined ? `, ${h.preemptions} preemption${h.preemptions === 1 ? '' : 's'}` : ''})`);
  out.push(row('#', new Map(lanes.map((l) => [l, l])), 'changes'));
  let prev = t.init;
  t.steps.forEach((s, i) => {
    // a lasso: the cycle is marked where it starts, and said to repeat after its last step
    if (i === t.loop) out.push(`${' '.repeat(num)}  ↻ cycle: steps ${i + 1}–${t.steps.length} repeat forever`);
    const changes = diff(prev, s.state).filter((c) => !c.startsWith('k.faults')).join(', ');
    out.push(row(String(i + 1), new Map([[s.info.ctx, cells[i] ?? '']]), changesCell(s, changes)));
    prev = s.state;
  });
  if (t.loop !== undefined) out.push(`${' '.repeat(num)}  ↻ repeats from step ${t.loop + 1}`);
  for (const x of t.violations) out.push(`violated ${x.property} ${t.loop !== undefined ? 'on this lasso' : `after step ${t.steps.length}`}: ${x.message}`);
  if (h.seed !== undefined && h.path) out.push(`fast-check: seed ${h.seed}, path ${h.path} (then minimized)`);
  if (h.replayCommand) out.push(`replay: ${h.replayCommand}`);
  return out.join('\n') + '\n';
}

/**
 * `s` safe to print on a terminal: control characters other than tab and
 * newline (ESC above all: `ESC[2J` in a variant's name would clear the
 * screen), DEL, the C1 controls and the bidirectional overrides become
 * visible escapes (`\x1b`, `\u202e`). Model, variant, property and file
 * names reach the terminal through it.
 */
export function printable(s: string): string {
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16)}`;
  });
}
