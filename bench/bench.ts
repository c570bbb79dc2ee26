/**
 * `npm run bench`: for every variant of every model, the random engine's
 * runs and time to first failure (median over 10 seeds, without shrinking),
 * the shrunk and minimized length (median), and the exhaustive engine's
 * shortest length, states and states per second on the variant's
 * configuration. Timings are measured here, never asserted in tests.
 */
import type { AnyModel } from '../model/contract.js';
import { MODELS } from '../model/registry.js';
import { explore } from '../properties/explore.js';
import { randomCheck } from '../properties/random.js';
import type { PowerRow } from './power.js';
import { median, powerRow, powerTable } from './power.js';

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);

function row(m: AnyModel, variant: string, runs: number): string[] {
  const v = m.variants.find((x) => x.name === variant);
  if (!v) return [];
  const target = v.expect.kind === 'violates' ? v.expect.property : undefined;
  const bfs = explore(m.machine(v.name, v.exploreConfig ?? m.smallConfig), target ? { target } : {});
  const rate = Math.round(bfs.states / Math.max(bfs.ms / 1000, 1e-3));
  const expect = target ?? v.expect.kind;
  const bfsCols = [String(bfs.states), String(rate), bfs.counterexample ? String(bfs.counterexample.steps.length) : bfs.complete ? 'none' : 'incomplete'];
  if (!target) {
    const r = randomCheck(m, v.name, { seed: 1, runs });
    return [m.name, v.name, expect, r.failure ? `FOUND ${r.failure.property}` : 'none', `${r.runs}`, `${(r.ms / 1000).toFixed(2)}s`, '-', ...bfsCols];
  }
  const first = SEEDS.map((seed) => randomCheck(m, v.name, { seed, runs, noShrink: true }));
  const shrunk = SEEDS.map((seed) => randomCheck(m, v.name, { seed, runs }));
  const found = first.filter((r) => r.failure).length;
  return [
    m.name, v.name, expect, `${found}/10`,
    String(median(first.map((r) => r.runs))),
    `${median(first.map((r) => r.ms)).toFixed(0)}ms`,
    String(median(shrunk.filter((r) => r.failure).map((r) => r.failure?.trace.steps.length ?? 0))),
    ...bfsCols,
  ];
}

if (process.argv[2] === 'power') {
  // bug-finding power only (issue 8's table); optional model name after it
  const rows: PowerRow[] = [];
  for (const m of MODELS) {
    if (process.argv[3] !== undefined && m.name !== process.argv[3]) continue;
    for (const v of m.variants) {
      if (v.expect.kind !== 'violates') continue;
      rows.push(powerRow(m, v.name, v.expect.property));
      process.stderr.write(`${m.name} ${v.name} done\n`);
    }
  }
  for (const l of powerTable(rows)) process.stdout.write(l + '\n');
  process.exit(0);
}

const header = ['model', 'variant', 'expected', 'found', 'runs→fail', 'time→fail', 'shrunk', 'bfs states', 'states/s', 'bfs shortest'];
const rows = [header];
const only = process.argv[2];
for (const m of MODELS) {
  if (only !== undefined && m.name !== only) continue;
  for (const v of m.variants) {
    rows.push(row(m, v.name, 10_000));
    process.stderr.write(`${m.name} ${v.name} done\n`);
  }
}
const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n');
process.stdout.write('\nruns→fail, time→fail: median over seeds 1–10 of runs and time until the first failing run (no shrinking); shrunk: median length after shrinking and minimizing; reference and harmless rows: one seed of 10,000 runs.\n');
