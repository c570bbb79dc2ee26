/**
 * The `mmcheck` command line: list, run (random engine), explore (exhaustive
 * engine), repro (re-execute a replay file) and ci (the gate).
 *
 * Exit codes by kind (`exit.ts`): 0 ok, 1 safety, 2 bad usage or input (one
 * line on stderr, no stack trace), 3 deadlock, 4 liveness, 5 vacuity, 6 gate,
 * 130 stopped by SIGINT, 143 stopped by SIGTERM (`entry.ts` catches them).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyModel } from '../model/contract.js';
import { expectationText, expectedProperty, variantOf } from '../model/contract.js';
import { textTable } from '../reports/table.js';
import { MODELS, modelSource } from '../model/registry.js';
import { loadUserModel } from './usermodel.js';
import { MODEL_THREW, ReplayDivergence, replayLabels } from '../properties/check.js';
import type { ExploreOptions, ExploreProgress } from '../properties/explore.js';
import { exploreParallel } from '../properties/explore-parallel.js';
import { engineFigures, explore, verdict } from '../properties/explore.js';
import { exploreFamily, familyOf, memberLine } from '../properties/family.js';
import { checkLiveness, replayLasso, type LivenessOptions } from '../properties/liveness.js';
import { randomCheck } from '../properties/random.js';
import { LockGraph } from '../properties/lockorder.js';
import { pctCheck } from '../properties/pct.js';
import { preemptions, shortestLength } from '../shrinkers/minimize.js';

/** State budget of the search that tells whether a counterexample of `run` is as short as possible. */
const SHORTEST_STATES = 20_000;
import { replayCommand, saveCounterexample } from '../reports/counterexample.js';
import { foundOf } from '../reports/found.js';
import { exploreOutcome, livenessOutcome, randomOutcome } from '../properties/outcome.js';
import { checkModel, hygieneMessage } from '../properties/hygiene.js';
import { readCounterexample, readJsonFile } from '../reports/itf.js';
import type { ProgressSink } from '../reports/progress.js';
import { exploreProgressText, Progress, progressLine, stderrProgress } from '../reports/progress.js';
import { InputError, isLasso, replayMachine } from '../reports/replay.js';
import type { ReplayFile } from '../reports/replay.js';
import { propertiesOf } from '../reports/results.js';
import { reportTarget, RunRecorder } from '../reports/run.js';
import { reportFile } from './report.js';
import { renderTrace } from '../reports/text.js';
import { searchFindings, violationKind } from '../properties/suite.js';
import type { ProblemKind } from '../properties/suite.js';
import { gateReport, parseShard, PROFILES, runItems, shardOf, workItems } from './ci.js';
import { EXIT, EXIT_HELP, exitFor } from './exit.js';
import { cmdLitmus, LITMUS_HELP } from './litmus.js';
import type { StopRequest } from './stop.js';

export { EXIT } from './exit.js';

const HELP = `usage: mmcheck <command> [options]

commands:
  list                                   models, variants, properties and expected verdicts
  run [MODEL] [--variant V] [--seed N] [--runs N] [--scheduler random|pct] [--depth D]
      [--property P] [--time-limit S] [--out DIR] [--junit FILE] [--summary FILE] [--html DIR]
                                         random search; no MODEL: every variant of every model
  explore MODEL [--variant V] [--max-states N] [--max-depth N] [--time-limit S] [--exact] [--no-symmetry] [--workers N] [--keep-going] [--out DIR]
                [--liveness] [--config JSON|FILE] [--family]
                                         exhaustive breadth-first search of the small configuration;
                                         --liveness: check the eventually-properties on lassos instead;
                                         --family: every member of the model's family, one verdict
  repro FILE                             re-execute a replay file (or its .itf.json) and print its trace
  report FILE --html OUT                 render a replay or ITF file as one self-contained HTML page
  ci [--profile quick|ci|deep] [--seed N] [--shard i/n] [--time-limit S]
                                         gate: references hold, every known bug still caught
${LITMUS_HELP}

  every command takes --model PATH: check a model module (.ts or .js) instead of the built-in ones

options:
  --variant V     one variant (default: all for run, reference for explore)
  --seed N        seed of the random engine (default 1); printed with every failure
  --runs N        random runs per variant (default 1000)
  --scheduler S   run: random (uniform choice among enabled steps, default) or pct (priorities
                  with d-1 change points; prints its guaranteed bound and the runs for 99%)
  --depth D       run --scheduler pct: bug depth d (default 3)
  --property P    run: search for violations of P only (others met on the way are tallied, runs go on)
  --out DIR       where counterexamples are written (default mmcheck-out)
  --junit FILE    run: JUnit XML, one test case per (model, variant, property)
  --summary FILE  run: Markdown summary table and each counterexample as a lane table
  --html DIR      run: one HTML trace view per counterexample and an index.html
  --config C      explore: configuration fields (a JSON object, inline or in a file) that replace
                  those of the variant's small configuration, e.g. --config '{"creates":2}'
  --max-states N  state budget of explore (default 5000000)
  --max-depth N   depth bound of explore (default none)
  --exact         explore: store full canonical state keys instead of 64-bit fingerprints
                  (no collision risk, about 10x the memory per state)
  --no-symmetry   explore: do not apply the model's symmetry reduction (states counted one by one)
  --workers N     explore: expand each BFS level on N worker threads (same states, same shortest trace)
  --keep-going    explore: do not stop at a violation; save the shortest trace of every property violated
  --check-model   run, explore: first check on a random walk that the model does not mutate its input
                  states and that actions and next depend on the state alone (exit 2 naming the step)
  --family        explore: each member of the model's family of configurations, bounded by the
                  member's state budget (--max-states lowers it); "holds on the family (k of n
                  members complete)", or the members that catch a buggy variant
  --liveness      explore: the liveness engine (weak fairness, environment eventually stopping);
                  a violation is a lasso (prefix, then a cycle repeated forever) or a stuck state
  --profile P     ci budget: quick (1 seed x 2,000 runs, explorations bounded at 50k states),
                  ci (3 seeds x 5,000 runs, complete explorations), deep (10 seeds x 10,000 runs,
                  plus the liveness check of every variant with eventually-properties)
  --shard i/n     ci: run every n-th work item starting at the i-th; n shards cover one run exactly
  --time-limit S  run, ci: stop after S seconds; counterexamples found so far and every report
                  are still written, and the output says what was interrupted
                  explore: stop after S seconds with an "incomplete: ... time limit" verdict

${EXIT_HELP}`;

/** Raised for bad usage; printed as one line. */
class UsageError extends Error {}

/** The `--model` module of this invocation, named in replay commands. */
let modelPath: string | undefined;

/** A model by name among those in play (the registry's, or a `--model` module's). */
function pick(models: readonly AnyModel[], name: string): AnyModel {
  const m = models.find((x) => x.name === name);
  if (!m) throw new UsageError(`unknown model '${name}' (known: ${models.map((x) => x.name).join(', ')})`);
  return m;
}

/** Takes `--model PATH` / `--model=PATH` out of the arguments. */
function takeModelFlag(args: string[]): { path?: string; rest: string[] } {
  const rest: string[] = [];
  let path: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--model') {
      path = args[++i];
      if (path === undefined) throw new UsageError('--model needs a PATH');
    } else if (a.startsWith('--model=')) path = a.slice('--model='.length);
    else rest.push(a);
  }
  return path !== undefined ? { path, rest } : { rest };
}

function nat(name: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

function table(rows: string[][]): string {
  return textTable(rows).join('\n');
}

function expected(m: AnyModel, variant: string): string {
  return expectationText(variantOf(m, variant));
}

function cmdList(out: (s: string) => void, known: readonly AnyModel[]): number {
  const rows = [['model', 'variant', 'expected', 'summary']];
  for (const m of known) for (const v of m.variants) rows.push([m.name, v.name, expected(m, v.name), v.summary]);
  out(table(rows));
  out('');
  for (const m of known) out(`${m.name} (${m.title}, spec ${m.spec}) properties: ${m.propertyNames.join(' ')} + built-in deadlock lock-discipline sleep-in-atomic`);
  return EXIT.ok;
}

function cmdRun(args: string[], out: (s: string) => void, known: readonly AnyModel[], progress: ProgressSink | null = null, stop?: StopRequest): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      variant: { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' },
      junit: { type: 'string' }, summary: { type: 'string' }, html: { type: 'string' },
      property: { type: 'string' }, 'time-limit': { type: 'string' }, scheduler: { type: 'string' }, depth: { type: 'string' },
      'check-model': { type: 'boolean' },
    },
  });
  const scheduler = values.scheduler ?? 'random';
  if (scheduler !== 'random' && scheduler !== 'pct') throw new UsageError(`--scheduler must be random or pct, got '${scheduler}'`);
  if (values.depth !== undefined && scheduler !== 'pct') throw new UsageError('--depth needs --scheduler pct');
  const depth = nat('depth', values.depth, 3, 1);
  if (positionals.length > 1) throw new UsageError(`run takes at most one model, got ${positionals.join(' ')}`);
  const models = positionals[0] !== undefined ? [pick(known, positionals[0])] : [...known];
  if (values.variant !== undefined && models.length !== 1) throw new UsageError('--variant needs a MODEL');
  const seed = nat('seed', values.seed, 1);
  const runs = nat('runs', values.runs, 1000, 1);
  const dir = values.out ?? 'mmcheck-out';
  const property = values.property;
  if (property !== undefined) {
    const all = new Set(models.flatMap((m) => propertiesOf(m, 'reference').map((p) => p.name)));
    if (!all.has(property)) throw new UsageError(`unknown property '${property}' (known: ${[...all].join(', ')})`);
  }
  const limit = values['time-limit'] !== undefined ? nat('time-limit', values['time-limit'], 0, 1) : undefined;
  const deadline = limit !== undefined ? performance.now() + limit * 1000 : undefined;
  const recorder = new RunRecorder(seed, runs, { junit: values.junit, summary: values.summary, html: values.html }, modelPath);
  const variantsOf = (m: AnyModel): string[] => (values.variant !== undefined ? [variantOf(m, values.variant).name] : m.variants.map((v) => v.name));
  if (values['check-model']) for (const m of models) for (const v of variantsOf(m)) hygiene(m, v, variantOf(m, v).exploreConfig ?? m.smallConfig);
  const bar = progress ? new Progress(progress, models.reduce((a, m) => a + variantsOf(m).length, 0) * runs) : undefined;
  const rows = [['model', 'variant', 'expected', 'found', 'runs', 'time', 'counterexample', 'steps', 'preempt.', 'bfs-shortest']];
  let violations = 0;
  let interrupted = 0;
  const kinds: ProblemKind[] = [];
  const notes: string[] = [];
  for (const m of models) {
    const variants = variantsOf(m);
    for (const v of variants) {
      const left = deadline !== undefined ? deadline - performance.now() : undefined;
      if ((left !== undefined && left <= 0) || stop?.requested()) {
        // not started: recorded as interrupted so the reports list it
        recorder.add(m, v, { model: m.name, variant: v, seed, runs: 0, ms: 0, witnesses: new Map(), interrupted: true });
        rows.push([m.name, v, expected(m, v), 'not run', '0', '-', '-']);
        interrupted++;
        continue;
      }
      bar?.begin(`${m.name} ${v}`, runs);
      const graph = new LockGraph();
      const opts = {
        seed, runs, lockGraph: graph,
        ...(property !== undefined ? { target: property } : {}),
        ...(left !== undefined ? { timeLimitMs: left } : {}),
        ...(stop ? { stop: stop.requested } : {}),
        // the bar counts runs, not shrink attempts
        ...(bar ? { onRun: () => bar.tick() } : {}),
      };
      const pct = scheduler === 'pct' ? pctCheck(m, v, { ...opts, depth }) : undefined;
      const r = pct ?? randomCheck(m, v, opts);
      if (r.interrupted && !r.failure) interrupted++;
      bar?.end(r.runs, r.failure !== undefined);
      if (r.modelError !== undefined) bar?.finish();
      if (r.modelError !== undefined) throw new InputError(`model ${m.name} variant ${v} threw: ${r.modelError}`);
      let file = '-';
      let saved: ReturnType<typeof saveCounterexample> | undefined;
      const finding = randomOutcome(r, scheduler).findings[0];
      if (r.failure && finding) {
        violations++;
        kinds.push(violationKind(m, v, r.failure.property));
        saved = saveCounterexample(dir, foundOf(m, v, finding, { modelPath, preemptions: r.failure.preemptions }));
        file = saved.json;
        if (models.length === 1 && variants.length === 1) out(saved.text);
      }
      recorder.add(m, v, r, saved, scheduler);
      if (pct && !pct.failure)
        notes.push(`${m.name} ${v}: PCT depth ${depth}: n = ${pct.contexts} contexts, k = ${pct.steps} steps: one run finds a depth-${depth} bug with probability ≥ 1/${Math.round(1 / pct.bound.p).toLocaleString('en-US')}; 99% needs ${pct.bound.runsFor99.toLocaleString('en-US')} runs${pct.runs >= pct.bound.runsFor99 ? ' (reached)' : ` (${pct.runs.toLocaleString('en-US')} made)`}`);
      // lock orders across this variant's runs, and witness rates: the gate's judgement too
      const judged = searchFindings(variantOf(m, v), r, graph);
      if (judged.lockdep !== undefined) notes.push(`${m.name} ${v}: ${judged.lockdep.replace(/\n/g, '\n  ')}`);
      if (judged.witnessRates !== undefined) notes.push(`${m.name} ${v}: witnessed ${judged.witnessRates}`);
      for (const p of judged.problems) if (p.kind === 'vacuity') notes.push(`${m.name} ${v}: VACUOUS: ${p.text}`);
      kinds.push(...judged.problems.map((p) => p.kind));
      const others = [...(r.others ?? [])].map(([p, n]) => `${p}×${n}`).join(' ');
      const found = (r.failure?.property ?? (r.interrupted ? 'none (interrupted)' : 'none')) + (others ? ` (also ${others})` : '');
      // where the configuration is small enough, how the minimized trace compares with the shortest possible
      const f = r.failure;
      const shortest = f ? shortestLength(m.machine(v, f.config), f.property, f.trace.steps.length, SHORTEST_STATES) : undefined;
      const lengths = f ? [String(f.trace.steps.length), String(f.preemptions), shortest !== undefined ? String(shortest) : '?'] : [];
      rows.push([m.name, v, expected(m, v), found, String(r.runs), `${(r.ms / 1000).toFixed(2)}s`, file, ...lengths]);
    }
  }
  bar?.finish();
  // a signal names itself; otherwise only the time limit cuts variants short
  const why = stop?.signal ?? `--time-limit ${limit}s`;
  if (interrupted || stop?.signal) recorder.interrupt(why);
  out(table(rows));
  for (const n of notes) out(n);
  out(`${scheduler === 'pct' ? 'PCT, ' : ''}seed ${seed}; ${violations} variant(s) with a violation${interrupted || stop?.signal ? `; INTERRUPTED by ${why}: ${interrupted} variant(s) did not spend their ${runs} runs` : ''}`);
  for (const f of recorder.finish()) out(`wrote ${f}`);
  return exitFor(kinds);
}

async function cmdExplore(args: string[], out: (s: string) => void, known: readonly AnyModel[], progress: ProgressSink | null = null, stop?: StopRequest): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      variant: { type: 'string' }, 'max-states': { type: 'string' }, 'max-depth': { type: 'string' }, 'time-limit': { type: 'string' },
      exact: { type: 'boolean' }, 'no-symmetry': { type: 'boolean' }, workers: { type: 'string' }, out: { type: 'string' },
      liveness: { type: 'boolean' }, config: { type: 'string' }, 'keep-going': { type: 'boolean' }, 'check-model': { type: 'boolean' }, family: { type: 'boolean' },
    },
  });
  const keepGoing = values['keep-going'] === true;
  const name = positionals[0] ?? (known.length === 1 ? known[0]?.name : undefined);
  if (positionals.length > 1 || name === undefined) throw new UsageError('explore takes exactly one MODEL');
  const m = pick(known, name);
  const v = variantOf(m, values.variant ?? 'reference');
  if (values.family) {
    if (values.config !== undefined || values.liveness || values.workers !== undefined) throw new UsageError('--family explores the declared members: no --config, --liveness or --workers');
    const cap = values['max-states'] !== undefined ? nat('max-states', values['max-states'], 0, 1) : undefined;
    return exploreFamilyCmd(m, v.name, cap, values.out ?? 'mmcheck-out', out);
  }
  const base = v.exploreConfig ?? m.smallConfig;
  const config = values.config !== undefined ? configOver(m, base, values.config) : base;
  const maxStates = nat('max-states', values['max-states'], 5_000_000, 1);
  const maxDepth = values['max-depth'] !== undefined ? nat('max-depth', values['max-depth'], 0, 1) : undefined;
  const limit = values['time-limit'] !== undefined ? nat('time-limit', values['time-limit'], 0, 1) : undefined;
  const target = expectedProperty(v);
  if (values['check-model']) hygiene(m, v.name, config);
  if (values.liveness) {
    if (maxDepth !== undefined) throw new UsageError('--max-depth does not apply to --liveness (a lasso has no depth bound)');
    if (values['no-symmetry']) throw new UsageError('--no-symmetry does not apply to --liveness (the liveness engine never applies symmetry)');
    if (values.workers !== undefined) throw new UsageError('--workers does not apply to --liveness (the liveness engine runs on one thread)');
    if (keepGoing) throw new UsageError('--keep-going does not apply to --liveness (it reports every eventually-property violated already)');
    const opts = { maxStates, exact: values.exact === true, ...(limit !== undefined ? { timeLimitMs: limit * 1000 } : {}), ...(stop ? { stop: stop.requested } : {}) };
    return liveness(m, v.name, config, opts, target, values.out ?? 'mmcheck-out', out, stop);
  }
  const workers = nat('workers', values.workers, 1, 1);
  const line = progress ? progressLine(progress) : undefined;
  const opts: ExploreOptions = {
    maxStates,
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
  const r = workers > 1 ? await exploreParallel(machine, { ...(modelPath !== undefined ? { module: pathToFileURL(resolve(modelPath)).href, model: m.name } : modelSource(m.name)), variant: v.name, config }, workers, opts) : explore(machine, opts);
  line?.done();
  const rate = Math.round(r.states / Math.max(r.ms / 1000, 1e-3));
  const outcome = exploreOutcome(r, config, target);
  if (outcome.findings.length) {
    const kinds: ProblemKind[] = [];
    for (const f of outcome.findings) {
      const saved = saveCounterexample(values.out ?? 'mmcheck-out', foundOf(m, v.name, f, { modelPath, preemptions: preemptions(machine, f.trace), ...(keepGoing ? { tag: f.property } : {}) }));
      out(saved.text);
      out(`shortest counterexample${keepGoing ? ` of ${f.property}` : ''}: ${f.trace.steps.length} steps, ${r.states} states explored (${rate} states/s)`);
      kinds.push(violationKind(m, v.name, f.property));
    }
    if (keepGoing) out(`${r.complete ? `complete: ${r.states} distinct states, depth ${r.depth}` : verdict(r, stop?.signal)} (${engineFigures(r)}); ${outcome.findings.length} propert${outcome.findings.length === 1 ? 'y' : 'ies'} violated: ${outcome.findings.map((f) => f.property).join(', ')}`);
    return exitFor(kinds);
  }
  const missing = [...r.witnesses].filter(([, w]) => !w).map(([n]) => n);
  out(`${verdict(r, stop?.signal)} (${engineFigures(r)})`);
  if (r.violated.size) out(`other properties violated (not expanded): ${[...r.violated.keys()].join(', ')}`);
  if (missing.length) out(`sometimes never witnessed: ${missing.join(', ')}`);
  return exitFor([...[...r.violated.keys()].map((p) => violationKind(m, v.name, p)), ...(missing.length && r.complete ? (['vacuity'] as const) : [])]);
}

/** `--check-model`: the hygiene check on a random walk of the variant's machine; a breach is bad input (exit 2). */
function hygiene(m: AnyModel, variant: string, config: unknown): void {
  const p = checkModel(m.machine(variant, config));
  if (p) throw new InputError(`${m.name} ${variant}: ${hygieneMessage(p)}`);
}

/**
 * `explore --family`: the variant on every member of the model's family, one
 * line per member and one verdict; the first counterexample met is saved
 * with its member's configuration, so `repro` replays it.
 */
function exploreFamilyCmd(m: AnyModel, variant: string, cap: number | undefined, dir: string, out: (s: string) => void): number {
  if (!familyOf(m).length) throw new UsageError(`model '${m.name}' declares no family`);
  const f = exploreFamily(m, variant, cap, (o) => out(memberLine(o)));
  const first = f.outcomes.find((o) => o.counterexample);
  if (first?.counterexample && first.property !== undefined) {
    const message = first.counterexample.violations.find((x) => x.property === first.property)?.message ?? '';
    const finding = { property: first.property, message, trace: first.counterexample, provenance: { engine: 'explore' as const, config: first.config } };
    const saved = saveCounterexample(dir, foundOf(m, variant, finding, { modelPath, preemptions: preemptions(m.machine(variant, first.config), first.counterexample) }));
    out(saved.text.trimEnd());
    out(`member ${first.member}: shortest counterexample ${first.counterexample.steps.length} steps, written to ${saved.json}`);
  }
  out(f.summary);
  const caught = expectedProperty(variantOf(m, variant)) !== undefined && first?.property !== undefined ? [violationKind(m, variant, first.property)] : [];
  return exitFor([...f.problems.map((p) => p.kind), ...caught]);
}

/** `explore --liveness`: the eventually-properties of one variant, a lasso saved and printed on a violation (exit 4). */
function liveness(m: AnyModel, variant: string, config: unknown, opts: LivenessOptions, target: string | undefined, dir: string, out: (s: string) => void, stop?: StopRequest): number {
  const r = checkLiveness(m.machine(variant, config), opts);
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
    const saved = saveCounterexample(dir, foundOf(m, variant, f, { modelPath }));
    out(saved.text);
    const shape = v.kind === 'cycle' ? `lasso: ${v.prefix} steps, then a cycle of ${v.cycle}` : v.kind === 'threw' ? `the model threw after ${v.prefix} steps` : `stuck after ${v.prefix} steps`;
    out(`${shape}; ${r.states} states${r.complete ? '' : ' (incomplete)'}, ${secs}`);
    const others = o.findings.slice(1).map((x) => x.property);
    if (others.length) out(`also violated: ${others.join(', ')}`);
    return v.kind === 'threw' ? exitFor([violationKind(m, variant, v.property)]) : EXIT.liveness;
  }
  out(
    r.complete
      ? `liveness: ${r.properties.join(', ')} hold among ${r.states} states (complete; ${r.transitions} transitions, ${secs}, ${Math.round(r.bytesPerState)} bytes/state in the index)`
      : `incomplete: no liveness violation among ${r.states} states; ${r.stopped === 'stop' ? `stopped by ${stop?.signal ?? 'request'}` : `stopped at the ${r.stopped === 'time' ? 'time limit' : 'state bound'}`} after ${secs}`,
  );
  return r.complete ? EXIT.ok : EXIT.vacuity;
}

/**
 * `explore --config`: a JSON object (given inline, starting with `{`, or as
 * a file) whose fields replace those of the variant's exploration
 * configuration; the model validates the result.
 */
function configOver(m: AnyModel, base: unknown, arg: string): unknown {
  let raw: unknown;
  if (/^\s*[[{]/.test(arg)) {
    try {
      raw = JSON.parse(arg);
    } catch (e) {
      throw new UsageError(`--config is not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
  } else raw = readJsonFile(arg);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError('--config must be a JSON object of configuration fields');
  try {
    return m.parseConfig({ ...(base as object), ...raw });
  } catch (e) {
    throw new InputError(`--config: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

function cmdCi(args: string[], out: (s: string) => void, known: readonly AnyModel[], stop?: StopRequest): number {
  const { values } = parseArgs({
    args,
    options: { profile: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' }, 'time-limit': { type: 'string' } },
  });
  const name = values.profile ?? 'ci';
  const profile = PROFILES[name];
  if (!profile) throw new UsageError(`unknown profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  // never silently random: the seed is given, or the documented default, and always printed
  const seed = nat('seed', values.seed ?? process.env.MMCHECK_SEED, 1);
  const shard = values.shard !== undefined ? parseShard(values.shard) : { index: 1, count: 1 };
  const limit = values['time-limit'] !== undefined ? nat('time-limit', values['time-limit'], 0, 1) : undefined;
  const deadline = limit !== undefined ? Date.now() + limit * 1000 : undefined;
  const items = shardOf(workItems(known, profile, seed), shard);
  out(`mmcheck ci: profile ${name}, seeds ${seed}…${seed + profile.seeds - 1}, shard ${shard.index}/${shard.count}: ${items.length} items`);
  const t0 = Date.now();
  const results = runItems(items, profile, deadline, undefined, stop?.requested);
  const { lines, code } = gateReport(results);
  for (const l of lines) out(l);
  const skipped = results.filter((r) => r.skipped).length;
  out(`${skipped || stop?.signal ? `INTERRUPTED by ${stop?.signal ?? '--time-limit'}: ${skipped} of ${results.length} items not run; ` : ''}${((Date.now() - t0) / 1000).toFixed(1)}s; ${code === 0 ? 'gate passed' : `gate failed (exit ${code})`}`);
  return code;
}

function cmdRepro(args: string[], out: (s: string) => void, known: readonly AnyModel[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('repro takes exactly one FILE');
  const file = positionals[0];
  const r = readCounterexample(file);
  const m = pick(known, r.model);
  variantOf(m, r.variant);
  const config = m.parseConfig(r.config);
  if (isLasso(r)) return reproLasso(m, r, config, file, out);
  const machine = replayMachine(m, r, config);
  let res;
  try {
    res = replayLabels(machine, r.actions);
  } catch (e) {
    if (e instanceof ReplayDivergence) {
      out(`no longer reproduces: ${e.message}`);
      return EXIT.ok;
    }
    throw e;
  }
  out(renderTrace(res.trace, {
    model: r.model, variant: r.variant, engine: r.engine, seed: r.seed ?? undefined, path: r.path ?? undefined, property: r.property,
    replayCommand: replayCommand(file, modelPath), preemptions: preemptions(machine, res.trace),
  }).trimEnd());
  const again = res.trace.violations.some((v) => v.property === r.property);
  if (!again) out(res.trace.violations.length ? `reproduces a different violation, not ${r.property}` : `no longer reproduces: ${r.property} holds`);
  return exitFor(res.trace.violations.map((v) => violationKind(m, r.variant, v.property)));
}

/** `repro` of a liveness counterexample: replays it and judges the lasso (or the stuck end) again. */
function reproLasso(m: AnyModel, r: ReplayFile, config: unknown, file: string, out: (s: string) => void): number {
  let res;
  try {
    res = replayLasso(replayMachine(m, r, config), r.actions, r.loop, r.property, (msg) => new ReplayDivergence(msg));
  } catch (e) {
    if (e instanceof ReplayDivergence) {
      out(`no longer reproduces: ${e.message}`);
      return EXIT.ok;
    }
    throw e;
  }
  out(renderTrace(res.trace, { model: r.model, variant: r.variant, engine: r.engine, property: r.property, replayCommand: replayCommand(file, modelPath) }).trimEnd());
  if (res.gone !== undefined) {
    out(`no longer reproduces: ${res.gone}`);
    return EXIT.ok;
  }
  return EXIT.liveness;
}

function cmdReport(args: string[], out: (s: string) => void, known: readonly AnyModel[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { html: { type: 'string' } } });
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('report takes exactly one FILE');
  if (values.html === undefined) throw new UsageError('report needs --html OUT (a file, or a folder for <stem>.html)');
  const target = reportTarget(positionals[0], values.html);
  const r = reportFile(positionals[0], target, known, modelPath);
  if (r.diverged !== undefined) {
    out(`no longer reproduces: ${r.diverged}; nothing written`);
    return EXIT.ok;
  }
  out(`wrote ${target}`);
  return exitFor(r.violations.map((p) => violationKind(r.model, r.variant, p)));
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the
 * exit code. Output goes to `out`, one-line errors to `err`, the progress
 * of `run` to `progress` (stderr by default; `null` for none). `stop`, set
 * by a signal (see `entry.ts`), stops the engines at their next step; the
 * command still writes its reports, marked interrupted, and exits 130
 * (SIGINT) or 143 (SIGTERM).
 */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n'), err: (s: string) => void = (s) => process.stderr.write(s + '\n'), progress: ProgressSink | null = stderrProgress(), stop?: StopRequest): Promise<number> {
  const code = await command(argv, out, err, progress, stop);
  // a command a signal stopped exits as a shell reports it (130 SIGINT, 143 SIGTERM), whatever it found so far
  return stop?.exitCode ?? code;
}

async function command(argv: string[], out: (s: string) => void, err: (s: string) => void, progress: ProgressSink | null, stop: StopRequest | undefined): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    const flag = takeModelFlag(args);
    const rest = flag.rest;
    modelPath = flag.path;
    const models = flag.path !== undefined ? [await loadUserModel(flag.path)] : MODELS;
    // node's parseArgs calls '--runs -1' ambiguous; say what is wrong with the value instead
    rest.forEach((a, i) => {
      const v = rest[i + 1];
      if (/^--(seed|runs|depth|max-states|max-depth|time-limit|workers)$/.test(a) && v !== undefined && /^-\d/.test(v)) throw new UsageError(`${a} must be a non-negative integer, got '${v}'`);
    });
    switch (cmd) {
      case 'list':
        return cmdList(out, models);
      case 'run':
        return cmdRun(rest, out, models, progress, stop);
      case 'explore':
        return await cmdExplore(rest, out, models, progress, stop);
      case 'repro':
        return cmdRepro(rest, out, models);
      case 'report':
        return cmdReport(rest, out, models);
      case 'ci':
        return cmdCi(rest, out, models, stop);
      case 'litmus':
        return cmdLitmus(rest, out, err);
      case '--help':
      case '-h':
      case 'help':
        out(HELP);
        return EXIT.ok;
      case undefined:
        err('mmcheck: missing command (try: mmcheck --help)');
        return EXIT.usage;
      default:
        err(`mmcheck: unknown command '${cmd}' (try: mmcheck --help)`);
        return EXIT.usage;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    err(`mmcheck: ${msg}`);
    return EXIT.usage;
  }
}
