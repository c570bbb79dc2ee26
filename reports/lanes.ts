/**
 * Lanes of a trace, shared by every report that draws one (text, Markdown,
 * HTML): the contexts in order of their first step, and a step's cell.
 */
import type { Trace } from '../properties/core.js';
import type { RuleArgs } from '../model/rules.js';
import { callText } from '../model/rules.js';

/** Text of a step as a lane cell: spec step, kernel function, and the arguments that do not repeat the lane. */
export function stepCell(s: Trace['steps'][number]): string {
  const args = Object.entries(s.action as unknown as Record<string, unknown>)
    .filter(([k, v]) => k !== 'type' && v !== s.info.ctx)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${s.info.step} ${s.info.fn}${args.length ? `(${args.join(',')})` : ''}`;
}

/** Lanes of a trace: contexts in order of their first step. */
export function lanesOf(t: Trace): string[] {
  const lanes: string[] = [];
  for (const s of t.steps) if (!lanes.includes(s.info.ctx)) lanes.push(s.info.ctx);
  return lanes;
}

/**
 * What a step said it did, when that is more than its call (a rule's
 * `text`, e.g. "wake_up_process found the task RUNNING: no-op"); undefined
 * when the text is only `fn(args)`, which the lane cell already shows.
 */
export function stepNote(s: Trace['steps'][number]): string | undefined {
  const text = s.info.text;
  if (text === undefined || text === '') return undefined;
  const { type: _type, ...args } = s.action as unknown as RuleArgs;
  return text === s.info.fn || text === callText(s.info.fn, args) ? undefined : text;
}

/** The changes column of a step: its note, if any, then the fields that changed. */
export function changesCell(s: Trace['steps'][number], changes: string): string {
  const note = stepNote(s);
  return note === undefined ? changes : changes === '' ? note : `${note} · ${changes}`;
}
