/**
 * Bug-finding power, per known buggy variant (`npm run bench -- power`):
 * median time to the first counterexample over seeds 1–10 for the random
 * engine and for PCT (no shrinking: the time a user waits for a red run),
 * then, with shrinking and minimizing, the median minimized length and
 * preemptions, and how the minimized trace compares with the BFS-shortest
 * counterexample *of its own configuration* (random configurations differ
 * from the exploration's, so that is the fair yardstick).
 */
import type { AnyModel } from '../model/contract.js';
import { textTable } from '../reports/table.js';
import { pctSearch } from '../shrinkers/search.js';
import type { RandomResult } from '../properties/random.js';
import { randomSearch } from '../shrinkers/search.js';
import { shortestLength } from '../shrinkers/minimize.js';

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);
const RUNS = 10_000;
/** PCT's bug depth for the bench: most of the specs' scenarios need two or three ordering constraints. */
const PCT_DEPTH = 3;

/** Median of a list (NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/** One variant's row. */
export interface PowerRow {
  readonly model: string;
  readonly variant: string;
  readonly property: string;
  readonly found: { random: number; pct: number };
  readonly msToFirst: { random: number; pct: number };
  readonly minimized: number;
  readonly shortest: number;
  /** Seeds whose minimized trace equals the BFS-shortest of its configuration, of those settled. */
  readonly equal: { n: number; of: number };
  /** Worst ratio minimized / shortest over the seeds. */
  readonly worst: number;
  readonly preemptions: number;
}

/** Measures one buggy variant. */
export function powerRow(m: AnyModel, variant: string, property: string): PowerRow {
  const firstR = SEEDS.map((seed) => randomSearch(m, variant, { seed, runs: RUNS, target: property, noShrink: true }));
  const firstP = SEEDS.map((seed) => pctSearch(m, variant, { seed, runs: RUNS, target: property, noShrink: true, depth: PCT_DEPTH }));
  const shrunk = SEEDS.map((seed) => randomSearch(m, variant, { seed, runs: RUNS, target: property }));
  const lens: number[] = [];
  const best: number[] = [];
  const pre: number[] = [];
  let equal = 0;
  let settled = 0;
  let worst = 1;
  for (const r of shrunk) {
    if (!r.failure) continue;
    lens.push(r.failure.trace.steps.length);
    pre.push(r.failure.preemptions);
    const s = shortestLength(m.machine(variant, r.failure.config), property, r.failure.trace.steps.length, 400_000);
    if (s === undefined) continue;
    best.push(s);
    settled++;
    if (s === r.failure.trace.steps.length) equal++;
    worst = Math.max(worst, r.failure.trace.steps.length / Math.max(s, 1));
  }
  // a seed that found nothing counts as the whole budget's time
  const ms = (rs: readonly RandomResult[]): number => median(rs.map((r) => r.ms));
  return {
    model: m.name, variant, property,
    found: { random: firstR.filter((r) => r.failure).length, pct: firstP.filter((r) => r.failure).length },
    msToFirst: { random: ms(firstR), pct: ms(firstP) },
    minimized: median(lens), shortest: median(best), equal: { n: equal, of: settled }, worst, preemptions: median(pre),
  };
}

/** The table lines of a set of rows, and the totals against the targets. */
export function powerTable(rows: readonly PowerRow[]): string[] {
  const head = ['model', 'variant', 'property', 'found r/pct', 'ms→1st random', 'ms→1st pct', 'minimized', 'bfs-shortest', '= shortest', 'worst ×', 'preemptions'];
  const body = rows.map((r) => [
    r.model, r.variant, r.property, `${r.found.random}/${r.found.pct}`,
    r.msToFirst.random.toFixed(0), r.msToFirst.pct.toFixed(0),
    String(r.minimized), String(r.shortest), `${r.equal.n}/${r.equal.of}`, r.worst.toFixed(2), String(r.preemptions),
  ]);
  const all = [head, ...body];
  const lines = textTable(all);
  const eq = rows.filter((r) => r.equal.of > 0 && r.equal.n === r.equal.of).length;
  const under1s = rows.filter((r) => Math.min(r.msToFirst.random, r.msToFirst.pct) < 1000).length;
  lines.push(
    '',
    `${rows.length} buggy variants; median time to first counterexample under 1 s: ${rows.filter((r) => r.msToFirst.random < 1000).length} random, ${rows.filter((r) => r.msToFirst.pct < 1000).length} PCT, ${under1s} either`,
    `minimized = BFS-shortest on every settled seed: ${eq} of ${rows.length} variants (${((100 * eq) / Math.max(rows.length, 1)).toFixed(0)}%); worst ratio over all seeds ${Math.max(...rows.map((r) => r.worst)).toFixed(2)}×`,
  );
  return lines;
}
