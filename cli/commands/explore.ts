/**
 * `mmcheck explore MODEL`: the exhaustive engine on one variant's small
 * configuration (sequential or on worker threads), or with `--liveness` the
 * liveness engine, or with `--family` every member of the model's family.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyModel } from '../../model/contract.js';
import { BUILTIN } from '../../model/kernel/checks.js';
import { expectedProperty, variantOf } from '../../model/contract.js';
import { modelSource } from '../../model/registry.js';
import type { ExploreOptions, ExploreProgress } from '../../properties/explore.js';
import { exploreParallel } from '../../properties/explore-parallel.js';
import { engineFigures, explore, verdict } from '../../properties/explore.js';
import { exploreFamily, familyOf, memberLine } from '../../properties/family.js';
import { checkLiveness, type LivenessOptions, type LivenessProgress } from '../../properties/liveness.js';
import { exploreOutcome, livenessOutcome } from '../../properties/outcome.js';
import { violationKind } from '../../properties/suite.js';
import type { ProblemKind } from '../../properties/suite.js';
import { preemptions } from '../../shrinkers/minimize.js';
import { saveCounterexample } from '../../reports/counterexample.js';
import { foundOf } from '../../reports/found.js';
import type { ProgressLine } from '../../reports/progress.js';
import { exploreProgressText, livenessProgressText, progressLine } from '../../reports/progress.js';
import { EXIT, exitFor } from '../exit.js';
import type { Command, Session } from '../session.js';
import { nat, UsageError } from '../session.js';
import { configOver, fastPathCheck, hygiene, memoryArg, underMemory } from './common.js';

/** The command's lines in `--help`. */
export const EXPLORE_USAGE = `  explore MODEL [--variant V] [--max-states N] [--max-depth N] [--time-limit S] [--exact] [--no-symmetry] [--workers N] [--keep-going] [--out DIR]
                [--liveness] [--config JSON|FILE] [--family] [--property P] [--max-memory MB] [--memory sc|lkmm]
                [--check-fast-path] [--immer-path]
                                         exhaustive breadth-first search of the small configuration;
                                         --memory lkmm: the model's marked accesses under the kernel's
                                         memory model (spec 06; models that mark some: see list);
                                         --liveness: check the eventually-properties on lassos instead;
                                         --family: every member of the model's family, one verdict;
                                         --max-memory: stop, incomplete, past this resident size
                                         (default: three quarters of the machine's memory)`;

/** Explores one variant; the exit code says what was found (1 safety, 3 deadlock, 4 liveness, 5 incomplete or vacuous). */
export async function cmdExplore(args: string[], s: Session): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      variant: { type: 'string' }, 'max-states': { type: 'string' }, 'max-depth': { type: 'string' }, 'time-limit': { type: 'string' },
      exact: { type: 'boolean' }, 'no-symmetry': { type: 'boolean' }, workers: { type: 'string' }, out: { type: 'string' },
      liveness: { type: 'boolean' }, config: { type: 'string' }, 'keep-going': { type: 'boolean' }, 'check-model': { type: 'boolean' }, family: { type: 'boolean' },
      property: { type: 'string' }, 'max-memory': { type: 'string' }, memory: { type: 'string' },
      'check-fast-path': { type: 'boolean' }, 'immer-path': { type: 'boolean' },
    },
  });
  const { out, stop } = s;
  const dir = s.outDir(values.out);
  const keepGoing = values['keep-going'] === true;
  const name = positionals[0] ?? (s.models.length === 1 ? s.models[0]?.name : undefined);
  if (positionals.length > 1 || name === undefined) throw new UsageError('explore takes exactly one MODEL');
  const m = underMemory(s.pick(name), memoryArg(values.memory));
  const v = variantOf(m, values.variant ?? 'reference');
  if (values.family) {
    if (values.config !== undefined || values.liveness || values.workers !== undefined || values['max-memory'] !== undefined || values['check-fast-path'] || values['immer-path']) throw new UsageError('--family explores the declared members: no --config, --liveness, --workers, --max-memory, --check-fast-path or --immer-path');
    const cap = values['max-states'] !== undefined ? nat('max-states', values['max-states'], 0, 1) : undefined;
    return exploreFamilyCmd(s, m, v.name, cap, dir);
  }
  const base = v.exploreConfig ?? m.smallConfig;
  const config = values.config !== undefined ? configOver(m, base, values.config) : base;
  const maxStates = nat('max-states', values['max-states'], 5_000_000, 1);
  const maxDepth = values['max-depth'] !== undefined ? nat('max-depth', values['max-depth'], 0, 1) : undefined;
  const limit = values['time-limit'] !== undefined ? nat('time-limit', values['time-limit'], 0, 1) : undefined;
  const maxMemory = values['max-memory'] !== undefined ? nat('max-memory', values['max-memory'], 0, 1) * 1024 * 1024 : undefined;
  const memory = maxMemory !== undefined ? { maxMemoryBytes: maxMemory } : {};
  const target = values.property !== undefined ? propertyOf(m, v.name, config, values.property, values.liveness === true) : expectedProperty(v);
  if (values.property !== undefined && keepGoing) throw new UsageError('--property and --keep-going ask for different searches: one property, or every property');
  if (values['check-model']) hygiene(m, v.name, config);
  if (values['check-fast-path']) fastPathCheck(m, v.name, config, out);
  // --immer-path: every step through immer, to compare with the fast path (models that opted in)
  const fastPath = values['immer-path'] !== true;
  if (values.liveness) {
    if (maxDepth !== undefined) throw new UsageError('--max-depth does not apply to --liveness (a lasso has no depth bound)');
    if (values['no-symmetry']) throw new UsageError('--no-symmetry does not apply to --liveness (the liveness engine never applies symmetry)');
    if (values.workers !== undefined) throw new UsageError('--workers does not apply to --liveness (the liveness engine runs on one thread)');
    if (keepGoing) throw new UsageError('--keep-going does not apply to --liveness (it reports every eventually-property violated already)');
    const line = s.progress ? progressLine(s.progress) : undefined;
    const opts: LivenessOptions = {
      maxStates, exact: values.exact === true, fastPath, ...memory,
      ...(limit !== undefined ? { timeLimitMs: limit * 1000 } : {}),
      ...(stop ? { stop: stop.requested } : {}),
      // the states of the graph build, as explore's own line counts explored states
      ...(line ? { onProgress: (p: LivenessProgress) => line.show(livenessProgressText(p)), progressMs: line.intervalMs } : {}),
    };
    return liveness(s, m, v.name, config, opts, target, dir, line);
  }
  const workers = nat('workers', values.workers, 1, 1);
  const line = s.progress ? progressLine(s.progress) : undefined;
  const opts: ExploreOptions = {
    maxStates, fastPath, ...memory,
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(limit !== undefined ? { timeLimitMs: limit * 1000 } : {}),
    ...(target ? { target } : {}),
    ...(keepGoing ? { keepGoing } : {}),
    exact: values.exact === true,
    symmetry: values['no-symmetry'] !== true,
    ...(stop ? { stop: stop.requested } : {}),
    ...(line ? { onProgress: (p: ExploreProgress) => line.show(exploreProgressText(p)), progressMs: line.intervalMs } : {}),
  };
  const machine = m.machine(v.name, config, { symmetry: opts.symmetry !== false });
  // workers load the model from a module URL: the --model module's, or the built-in model's source
  const source = s.modelPath !== undefined ? { module: pathToFileURL(resolve(s.modelPath)).href, model: m.name } : modelSource(m.name);
  const r = workers > 1 ? await exploreParallel(machine, { ...source, variant: v.name, config }, workers, opts) : explore(machine, opts);
  line?.done();
  const rate = Math.round(r.states / Math.max(r.ms / 1000, 1e-3));
  const outcome = exploreOutcome(r, config, target);
  if (outcome.findings.length) {
    const kinds: ProblemKind[] = [];
    for (const f of outcome.findings) {
      const saved = saveCounterexample(dir, foundOf(m, v.name, f, { modelPath: s.modelPath, preemptions: preemptions(machine, f.trace), ...(keepGoing ? { tag: f.property } : {}) }));
      out(saved.text);
      out(`shortest counterexample${keepGoing ? ` of ${f.property}` : ''}: ${f.trace.steps.length} steps, ${r.states} states explored (${rate} states/s)`);
      kinds.push(violationKind(m, v.name, f.property));
    }
    if (keepGoing) out(`${r.complete ? `complete: ${r.states} distinct states, depth ${r.depth}` : verdict(r, stop?.signal)} (${engineFigures(r)}); ${outcome.findings.length} propert${outcome.findings.length === 1 ? 'y' : 'ies'} violated: ${outcome.findings.map((f) => f.property).join(', ')}`);
    return exitFor(kinds);
  }
  const missing = [...r.witnesses].filter(([, w]) => !w).map(([n]) => n);
  const others = [...r.violated.keys()];
  const first = others[0];
  if (target !== undefined && first !== undefined && !r.stopped) {
    // the property looked for was not found, another was: show that one's shortest trace, and say what was not searched
    const found = exploreOutcome(explore(machine, { ...opts, target: first, onProgress: undefined }), config, first).findings[0];
    if (found) {
      const saved = saveCounterexample(dir, foundOf(m, v.name, found, { modelPath: s.modelPath, preemptions: preemptions(machine, found.trace), tag: found.property }));
      out(saved.text);
      out(`${target} was looked for and not found: ${others.join(', ')} ${others.length === 1 ? 'was' : 'were'} violated instead (the shortest trace of ${first} is above).`);
      out(`The search did not go past the states that violate ${others.join(', ')}, so ${target} is unsearched beyond them.`);
    }
  }
  out(`${verdict(r, stop?.signal, target)} (${engineFigures(r)})`);
  if (others.length) out(`other properties violated (not expanded): ${others.join(', ')}`);
  if (missing.length) out(`sometimes never witnessed: ${missing.join(', ')}`);
  // vacuous: a sometimes-property never met in a complete search, or a search a bound cut short (exit 5, as documented)
  return exitFor([...[...r.violated.keys()].map((p) => violationKind(m, v.name, p)), ...(missing.length > 0 || !r.complete ? (['vacuity'] as const) : [])]);
}

/** `--property P`: one the engine checks (eventually-properties with `--liveness`, else the others and the built-in ones), else a usage error naming them. */
function propertyOf(m: AnyModel, variant: string, config: unknown, name: string, liveness: boolean): string {
  const props = m.machine(variant, config).properties;
  const known = liveness ? props.filter((p) => p.kind === 'eventually').map((p) => p.name) : [...new Set([...props.filter((p) => p.kind !== 'sometimes' && p.kind !== 'eventually').map((p) => p.name), ...BUILTIN])];
  if (!known.includes(name)) throw new UsageError(`unknown property '${name}' of ${m.name} ${variant} (known: ${known.join(', ')})`);
  return name;
}

/**
 * `explore --family`: the variant on every member of the model's family, one
 * line per member and one verdict; the first counterexample met is saved
 * with its member's configuration, so `repro` replays it.
 */
function exploreFamilyCmd(s: Session, m: AnyModel, variant: string, cap: number | undefined, dir: string): number {
  if (!familyOf(m).length) throw new UsageError(`model '${m.name}' declares no family`);
  const f = exploreFamily(m, variant, cap, (o) => s.out(memberLine(o)));
  const first = f.outcomes.find((o) => o.counterexample);
  if (first?.counterexample && first.property !== undefined) {
    const message = first.counterexample.violations.find((x) => x.property === first.property)?.message ?? '';
    const finding = { property: first.property, message, trace: first.counterexample, provenance: { engine: 'explore' as const, config: first.config } };
    const saved = saveCounterexample(dir, foundOf(m, variant, finding, { modelPath: s.modelPath, preemptions: preemptions(m.machine(variant, first.config), first.counterexample) }));
    s.out(saved.text.trimEnd());
    s.out(`member ${first.member}: shortest counterexample ${first.counterexample.steps.length} steps, written to ${saved.json}`);
  }
  s.out(f.summary);
  const caught = expectedProperty(variantOf(m, variant)) !== undefined && first?.property !== undefined ? [violationKind(m, variant, first.property)] : [];
  return exitFor([...f.problems.map((p) => p.kind), ...caught]);
}

/** `explore --liveness`: the eventually-properties of one variant, a lasso saved and printed on a violation (exit 4). */
function liveness(s: Session, m: AnyModel, variant: string, config: unknown, opts: LivenessOptions, target: string | undefined, dir: string, line?: ProgressLine): number {
  const { out, stop } = s;
  const r = checkLiveness(m.machine(variant, config), opts);
  line?.done();
  const secs = `${(r.ms / 1000).toFixed(2)}s`;
  if (!r.properties.length) {
    out(`${m.name} ${variant}: no eventually-properties to check`);
    return EXIT.ok;
  }
  // a throwing model first (the rest of the graph was never built), then the variant's own property
  const o = livenessOutcome(r, config, target);
  const f = o.findings[0];
  const v = f ? r.violations.get(f.property) : undefined;
  if (f && v) {
    const saved = saveCounterexample(dir, foundOf(m, variant, f, { modelPath: s.modelPath }));
    out(saved.text);
    const shape = v.kind === 'cycle' ? `lasso: ${v.prefix} steps, then a cycle of ${v.cycle}` : v.kind === 'threw' ? `the model threw after ${v.prefix} steps` : `stuck after ${v.prefix} steps`;
    out(`${shape}; ${r.states} states${r.complete ? '' : ' (incomplete)'}, ${secs}`);
    const others = o.findings.slice(1).map((x) => x.property);
    if (others.length) out(`also violated: ${others.join(', ')}`);
    return v.kind === 'threw' ? exitFor([violationKind(m, variant, v.property)]) : EXIT.liveness;
  }
  out(
    r.complete
      ? `liveness: ${r.properties.join(', ')} ${r.properties.length === 1 ? 'holds' : 'hold'} among ${r.states} states (complete; ${r.transitions} transitions, ${secs}, ${Math.round(r.bytesPerState)} bytes/state in the index)`
      : `incomplete: no liveness violation among ${r.states} states; ${r.stopped === 'stop' ? `stopped by ${stop?.signal ?? 'request'}` : `stopped at the ${r.stopped === 'time' ? 'time limit' : r.stopped === 'memory' ? 'memory limit' : 'state bound'}`} after ${secs}`,
  );
  return r.complete ? EXIT.ok : EXIT.vacuity;
}

/** `mmcheck explore`. */
export const exploreCommand: Command = { usage: EXPLORE_USAGE, run: cmdExplore };
