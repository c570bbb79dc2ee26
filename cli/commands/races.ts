/**
 * `mmcheck races MODEL`: spec 06 §5's data-race check. The exhaustive
 * engine explores the variant's configuration whole (going on past
 * property violations, whose states it does not expand) and every
 * transition's footprint joins one lockset log (`properties/races.ts`);
 * each race is printed as a lock-order cycle is, with both steps, their
 * locks and the actions that reached them.
 */
import { parseArgs } from 'node:util';
import { variantOf } from '../../model/contract.js';
import { explore } from '../../properties/explore.js';
import { RaceLog, raceReport } from '../../properties/races.js';
import { EXIT } from '../exit.js';
import type { Command, Session } from '../session.js';
import { nat, UsageError } from '../session.js';
import { configOver, memoryArg, underMemory } from './common.js';

/** The command's lines in `--help`. */
export const RACES_USAGE = `  races MODEL [--variant V] [--config JSON|FILE] [--max-states N] [--memory sc|lkmm]
                                         data races on unmarked fields (spec 06 §5): every
                                         transition's reads and writes, by locksets; exit 1 on a race`;

/** Checks one variant for data races; exit 0 none, 1 a race, 5 an exploration cut short. */
export function cmdRaces(args: string[], s: Session): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { variant: { type: 'string' }, config: { type: 'string' }, 'max-states': { type: 'string' }, memory: { type: 'string' } },
  });
  const name = positionals[0] ?? (s.models.length === 1 ? s.models[0]?.name : undefined);
  if (positionals.length > 1 || name === undefined) throw new UsageError('races takes exactly one MODEL');
  const m = underMemory(s.pick(name), memoryArg(values.memory));
  const v = variantOf(m, values.variant ?? 'reference');
  const base = v.exploreConfig ?? m.smallConfig;
  const config = values.config !== undefined ? configOver(m, base, values.config) : base;
  const maxStates = nat('max-states', values['max-states'], 5_000_000, 1);
  const machine = m.machine(v.name, config);
  if (machine.footprint === undefined) throw new UsageError(`${m.name} records no footprints (a machine built from rules does): the race check cannot run on it`);
  const exempt = machine.raceExempt;
  const log = new RaceLog(exempt ?? {});
  const r = explore(machine, { races: log, keepGoing: true, maxStates, ...(s.stop ? { stop: s.stop.requested } : {}) });
  const races = log.list();
  for (const race of races) s.out(raceReport(race));
  const scope = `${m.name} ${v.name}, ${r.complete ? 'complete' : 'INCOMPLETE'} exploration of ${r.states.toLocaleString('en-US')} states (${values.config !== undefined ? 'given' : v.exploreConfig !== undefined ? "the variant's" : 'the small'} configuration, memory ${values.memory ?? 'sc'}), locksets`;
  s.out(`races: ${scope}; ${log.fields} fields checked, ${log.shared} accessed by more than one context`);
  if (exempt === undefined) s.out(`${m.name} lists no exempt fields: program counters and ghosts are checked like kernel data`);
  else for (const [p, why] of Object.entries(exempt)) s.out(`  exempt ${p} (${(log.exempted.get(p) ?? 0).toLocaleString('en-US')} accesses): ${why}`);
  s.out(races.length ? `${races.length} data race${races.length === 1 ? '' : 's'}` : r.complete ? 'no data race' : 'no data race among the states explored');
  if (races.length) return EXIT.safety;
  return r.complete ? EXIT.ok : EXIT.vacuity;
}

/** `mmcheck races`. */
export const racesCommand: Command = { usage: RACES_USAGE, run: cmdRaces };
