/**
 * A Markdown summary of a run, for a CI job summary or a mailing-list reply:
 * the summary table, then each counterexample as a compact lane table (one
 * column per context, one row per step, the fields that changed) with the
 * violated property and the replay command.
 */
import type { Trace } from '../properties/check.js';
import { diff } from './diff.js';
import type { RunReport, SavedCounterexample } from './results.js';
import { expectationText } from '../model/contract.js';
import { seconds, verdictOf } from './results.js';
import { changesCell, lanesOf, stepCell } from './lanes.js';

const MAX_CHANGES = 110;
const MAX_CELL = 64;

/** Escapes text for a Markdown table cell (pipes, backslashes, newlines; HTML-ish angle brackets). */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
}

/** Text for a code span inside a table cell: pipes escaped (GFM honours `\|` in code spans), no backticks or newlines. */
function codeCell(s: string): string {
  return `\`${s.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

function table(head: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** One counterexample as a Markdown section. */
export function counterexampleMarkdown(c: SavedCounterexample): string {
  const f = c.found;
  const t = f.trace;
  const lanes = lanesOf(t);
  let prev = t.init;
  const rows = t.steps.map((s, i) => {
    const changes = diff(prev, s.state).filter((x) => !x.startsWith('k.faults')).join(', ');
    prev = s.state;
    return [String(i + 1), ...lanes.map((l) => (l === s.info.ctx ? codeCell(clip(stepCell(s), MAX_CELL)) : '')), mdCell(clip(changesCell(s, changes), MAX_CHANGES))];
  });
  const out = [
    `### ${f.model} ${f.variant} — violates ${f.property}`,
    '',
    `${f.engine}${f.seed !== null ? `, seed ${f.seed}` : ''}${f.path ? `, fast-check path \`${f.path}\`` : ''}, ${t.steps.length} step${t.steps.length === 1 ? '' : 's'}`,
    '',
    table(['#', ...lanes.map((l) => `**${mdCell(l)}**`), 'changes'], rows, ['r']),
    '',
    ...t.violations.map((v) => `**violated ${mdCell(v.property)}** after step ${t.steps.length}: ${mdCell(v.message)}`),
    '',
    `Replay: ${codeCell(c.replay)}`,
  ];
  return out.join('\n');
}

/** The whole summary of a run. */
export function summaryMarkdown(r: RunReport): string {
  const rows = r.outcomes.map((o) => [
    mdCell(o.model),
    mdCell(o.variant),
    mdCell(expectationText(o)),
    mdCell(o.counterexample?.found.property ?? 'none'),
    verdictOf(o),
    String(o.runs),
    seconds(o.ms),
    o.counterexample ? codeCell(o.counterexample.files.json) : '-',
  ]);
  const found = r.outcomes.filter((o) => o.counterexample).length;
  const off = r.outcomes.filter((o) => verdictOf(o) !== 'expected' && verdictOf(o) !== 'interrupted').length;
  const parts = [
    `## mmcheck run — seed ${r.seed}, ${r.runsPerVariant} runs per variant`,
    '',
    table(['model', 'variant', 'expected', 'found', 'verdict', 'runs', 'time', 'counterexample'], rows, ['l', 'l', 'l', 'l', 'l', 'r', 'r']),
    '',
    `${found} variant(s) with a violation; ${off === 0 ? 'every verdict as expected' : `${off} verdict(s) not as expected`}.`,
    ...(r.interrupted !== undefined ? ['', `**Interrupted** (${r.interrupted}): ${r.outcomes.filter((o) => o.interrupted).length} variant(s) did not spend their run budget; counterexamples found before that are listed below.`] : []),
  ];
  for (const o of r.outcomes) if (o.counterexample) parts.push('', counterexampleMarkdown(o.counterexample));
  return parts.join('\n') + '\n';
}
