/** `mmcheck list`: every model in play, its variants with their expected verdicts, and its properties. */
import { expectationText } from '../../model/contract.js';
import { textTable } from '../../reports/table.js';
import { EXIT } from '../exit.js';
import type { Command, Session } from '../session.js';

/** The command's lines in `--help`. */
export const LIST_USAGE = `  list                                   models, variants, properties and expected verdicts`;

/** Prints the table of variants, then one line of properties per model. */
export function cmdList(_args: string[], s: Session): number {
  const rows = [['model', 'variant', 'expected', 'summary']];
  for (const m of s.models) for (const v of m.variants) rows.push([m.name, v.name, expectationText(v), v.summary]);
  s.out(textTable(rows).join('\n'));
  s.out('');
  for (const m of s.models) {
    s.out(`${m.name} (${m.title}, spec ${m.spec}) properties: ${m.propertyNames.join(' ')} + built-in deadlock lock-discipline sleep-in-atomic`);
    // which accesses --memory lkmm puts under the kernel's memory model; the rest stay SC
    s.out(`  --memory lkmm: ${m.weakMemory ?? 'nothing marked (SC only)'}`);
    const ref = m.machine('reference', m.smallConfig);
    // which path the exhaustive engines take (issue 18): a model opts in to the fast path
    s.out(`  searches: ${ref.fastPath === true ? 'fast path (exhaustive and random, rules on plain copies; replays on immer; explore --check-fast-path compares the two)' : 'immer path (the model has not set fastPath)'}`);
    // what the race check (mmcheck races) leaves out, and why (spec 06 §5: visibly)
    const exempt = ref.raceExempt;
    if (exempt === undefined) s.out('  races: no field exempt');
    else for (const [p, why] of Object.entries(exempt)) s.out(`  races: ${p} exempt: ${why}`);
  }
  return EXIT.ok;
}

/** `mmcheck list`. */
export const list: Command = { usage: LIST_USAGE, run: cmdList };
