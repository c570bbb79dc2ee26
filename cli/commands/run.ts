/**
 * `mmcheck run [MODEL]`: the random engine (or PCT) on every variant, one
 * seed each, its table, notes and reports. The loop over variants is the
 * gate's (`cli/ci.ts`, `runItems`) under a search profile; this file turns
 * each item's result into a row, a saved counterexample and report entries.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import type { AnyModel } from '../../model/contract.js';
import { expectationText, variantOf } from '../../model/contract.js';
import { randomOutcome } from '../../properties/outcome.js';
import type { ProblemKind } from '../../properties/suite.js';
import { violationKind } from '../../properties/suite.js';
import { shortestLength } from '../../shrinkers/minimize.js';
import { saveCounterexample } from '../../reports/counterexample.js';
import { foundOf } from '../../reports/found.js';
import { Progress } from '../../reports/progress.js';
import { InputError } from '../../reports/replay.js';
import { propertiesOf } from '../../reports/results.js';
import { RunRecorder } from '../../reports/run.js';
import { textTable } from '../../reports/table.js';
import { runItems, searchProfile, workItems } from '../ci.js';
import { exitFor } from '../exit.js';
import type { Command, Session } from '../session.js';
import { nat, UsageError } from '../session.js';
import { configOver, hygiene, memoryArg, underMemory } from './common.js';

/** State budget of the search that tells whether a counterexample of `run` is as short as possible. */
const SHORTEST_STATES = 20_000;

/** The command's lines in `--help`. */
export const RUN_USAGE = `  run [MODEL] [--variant V] [--seed N] [--runs N] [--scheduler random|pct] [--depth D]
      [--property P] [--time-limit S] [--out DIR] [--junit FILE] [--summary FILE] [--html DIR] [--config JSON|FILE]
      [--memory sc|lkmm]
                                         random search; no MODEL: every variant of every model;
                                         --config: every run on that one configuration (needs a MODEL);
                                         --memory lkmm: marked accesses under LKMM (needs a MODEL)`;

/** Searches every chosen variant; the exit code is the kind of what was found (0 when nothing). */
export function cmdRun(args: string[], s: Session): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      variant: { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' },
      junit: { type: 'string' }, summary: { type: 'string' }, html: { type: 'string' },
      property: { type: 'string' }, 'time-limit': { type: 'string' }, scheduler: { type: 'string' }, depth: { type: 'string' },
      'check-model': { type: 'boolean' }, config: { type: 'string' }, memory: { type: 'string' },
    },
  });
  const { out, stop } = s;
  const scheduler = values.scheduler ?? 'random';
  if (scheduler !== 'random' && scheduler !== 'pct') throw new UsageError(`--scheduler must be random or pct, got '${scheduler}'`);
  if (values.depth !== undefined && scheduler !== 'pct') throw new UsageError('--depth needs --scheduler pct');
  const depth = nat('depth', values.depth, 3, 1);
  if (positionals.length > 1) throw new UsageError(`run takes at most one model, got ${positionals.join(' ')}`);
  const mode = memoryArg(values.memory);
  if (mode !== 'sc' && positionals[0] === undefined) throw new UsageError('--memory lkmm needs a MODEL');
  const chosen = (positionals[0] !== undefined ? [s.pick(positionals[0])] : [...s.models]).map((m) => underMemory(m, mode));
  if (values.config !== undefined && chosen.length !== 1) throw new UsageError('--config needs a MODEL');
  const models = values.config !== undefined ? chosen.map((m) => onConfig(m, values.config ?? '')) : chosen;
  if (values.variant !== undefined && models.length !== 1) throw new UsageError('--variant needs a MODEL');
  const seed = nat('seed', values.seed, 1);
  const runs = nat('runs', values.runs, 1000, 1);
  const dir = s.outDir(values.out);
  const property = values.property;
  if (property !== undefined) {
    const all = new Set(models.flatMap((m) => propertiesOf(m, 'reference').map((p) => p.name)));
    if (!all.has(property)) throw new UsageError(`unknown property '${property}' (known: ${[...all].join(', ')})`);
  }
  const limit = values['time-limit'] !== undefined ? nat('time-limit', values['time-limit'], 0, 1) : undefined;
  const deadline = limit !== undefined ? Date.now() + limit * 1000 : undefined;
  const recorder = new RunRecorder(seed, runs, { junit: values.junit, summary: values.summary, html: values.html }, s.modelPath);
  // an unknown --variant is refused before any work
  const variant = values.variant !== undefined ? variantOf(models[0] as AnyModel, values.variant).name : undefined;
  const profile = searchProfile(runs, { target: property, ...(scheduler === 'pct' ? { pctDepth: depth } : {}) });
  const items = workItems(models, profile, seed, variant);
  if (values['check-model']) for (const it of items) hygiene(it.model, it.variant, variantOf(it.model, it.variant).exploreConfig ?? it.model.smallConfig);
  const bar = s.progress ? new Progress(s.progress, items.length * runs) : undefined;
  const single = items.length === 1;
  const expected = (m: AnyModel, v: string): string => expectationText(variantOf(m, v));
  const rows = [['model', 'variant', 'expected', 'found', 'runs', 'time', 'counterexample', 'steps', 'preempt.', 'bfs-shortest']];
  let violations = 0;
  let interrupted = 0;
  const kinds: ProblemKind[] = [];
  const notes: string[] = [];
  runItems(items, profile, {
    deadline,
    ...(stop ? { stop: stop.requested } : {}),
    onStart: (it) => bar?.begin(`${it.model.name} ${it.variant}`, runs),
    // the bar counts runs, not shrink attempts
    ...(bar ? { onRun: () => bar.tick() } : {}),
    onItem: ({ item, search, problems }) => {
      const m = item.model;
      const v = item.variant;
      if (!search) {
        // not started: recorded as interrupted so the reports list it
        recorder.add(m, v, { model: m.name, variant: v, seed, runs: 0, ms: 0, witnesses: new Map(), interrupted: true });
        rows.push([m.name, v, expected(m, v), 'not run', '0', '-', '-']);
        interrupted++;
        return;
      }
      const r = search.random;
      if (r.interrupted && !r.failure) interrupted++;
      bar?.end(r.runs, r.failure !== undefined);
      if (r.modelError !== undefined) bar?.finish();
      if (r.modelError !== undefined) throw new InputError(`model ${m.name} variant ${v} threw: ${r.modelError}`);
      let file = '-';
      let saved: ReturnType<typeof saveCounterexample> | undefined;
      const finding = randomOutcome(r, scheduler).findings[0];
      if (r.failure && finding) {
        violations++;
        saved = saveCounterexample(dir, foundOf(m, v, finding, { modelPath: s.modelPath, preemptions: r.failure.preemptions }));
        file = saved.json;
        if (single) out(saved.text);
      }
      recorder.add(m, v, r, saved, scheduler);
      const pct = search.pct;
      if (pct && !pct.failure)
        notes.push(`${m.name} ${v}: PCT depth ${depth}: n = ${pct.contexts} contexts, k = ${pct.steps} steps: one run finds a depth-${depth} bug with probability ≥ 1/${Math.round(1 / pct.bound.p).toLocaleString('en-US')}; 99% needs ${pct.bound.runsFor99.toLocaleString('en-US')} runs${pct.runs >= pct.bound.runsFor99 ? ' (reached)' : ` (${pct.runs.toLocaleString('en-US')} made)`}`);
      // lock orders across this variant's runs, and witness rates: the gate's judgement too
      const judged = search.findings;
      if (judged.lockdep !== undefined) notes.push(`${m.name} ${v}: ${judged.lockdep.replace(/\n/g, '\n  ')}`);
      if (judged.witnessRates !== undefined) notes.push(`${m.name} ${v}: witnessed ${judged.witnessRates}`);
      for (const p of judged.problems) if (p.kind === 'vacuity') notes.push(`${m.name} ${v}: VACUOUS: ${p.text}`);
      kinds.push(...problems.map((p) => p.kind));
      const others = [...(r.others ?? [])].map(([p, n]) => `${p}×${n}`).join(' ');
      const found = (r.failure?.property ?? (r.interrupted ? 'none (interrupted)' : 'none')) + (others ? ` (also ${others})` : '');
      // where the configuration is small enough, how the minimized trace compares with the shortest possible
      const f = r.failure;
      const shortest = f ? shortestLength(m.machine(v, f.config), f.property, f.trace.steps.length, SHORTEST_STATES) : undefined;
      const lengths = f ? [String(f.trace.steps.length), String(f.preemptions), shortest !== undefined ? String(shortest) : '?'] : [];
      rows.push([m.name, v, expected(m, v), found, String(r.runs), `${(r.ms / 1000).toFixed(2)}s`, file, ...lengths]);
    },
  });
  bar?.finish();
  // a signal names itself; otherwise only the time limit cuts variants short
  const why = stop?.signal ?? `--time-limit ${limit}s`;
  if (interrupted || stop?.signal) recorder.interrupt(why);
  out(textTable(rows).join('\n'));
  for (const n of notes) out(n);
  out(`${scheduler === 'pct' ? 'PCT, ' : ''}seed ${seed}; ${violations} variant(s) with a violation${interrupted || stop?.signal ? `; INTERRUPTED by ${why}: ${interrupted} variant(s) did not spend their ${runs} runs` : ''}`);
  for (const f of recorder.finish()) out(`wrote ${f}`);
  return exitFor(kinds);
}

/** `mmcheck run`. */
export const run: Command = { usage: RUN_USAGE, run: cmdRun };

/** `run --config`: a copy of `m` whose every variant draws only the given configuration (over the variant's exploration one). */
function onConfig(m: AnyModel, arg: string): AnyModel {
  const fixed = (base: unknown): fc.Arbitrary<unknown> => fc.constant(configOver(m, base, arg));
  return { ...m, randomConfig: fixed(m.smallConfig), variants: m.variants.map((v) => ({ ...v, randomConfig: fixed(v.exploreConfig ?? m.smallConfig) })) };
}
