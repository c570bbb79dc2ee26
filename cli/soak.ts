/**
 * How the soak profile of `mmcheck ci` runs and measures its items.
 *
 * A soak exists to show that a long run neither raises a false alarm nor
 * grows. Its memory is read at each tenth of the items, when nothing runs
 * (after full collections and a pause, see {@link settledMemory}). Two
 * things would read as growth without being kept by the run, and the soak
 * takes both before its first reading:
 * - loading a model, a variant and its code paths costs a few megabytes
 *   once: a warm-up runs every item once at a small budget;
 * - V8 keeps the capacity the largest search grew into for seconds after
 *   it is freed: the items run heaviest first (liveness graphs, then
 *   explorations), so the first tenth holds the high-water mark.
 */
import { heaviestFirst, runItems } from './ci.js';
import type { ItemResult, Profile, RunHooks, WorkItem } from './ci.js';
import { settledMemory } from './retained.js';
import type { Kept } from './retained.js';

/** The warm-up's budget: every item once, 100 runs, explorations cut at 2,000 states, family members at 500. */
export const WARM_UP: Profile = { seeds: 1, runs: 100, maxStates: 2_000, allowIncomplete: true, compareShortest: false, liveness: true, familyCap: 500 };

/** What a soak ran and measured. */
export interface SoakRun {
  /** The measured items' results, in their run order. */
  readonly results: ItemResult[];
  /** Memory at the start, before the warm-up. */
  readonly start: Kept;
  /** Memory after each tenth of the measured items (fewer readings when there are fewer than ten items). */
  readonly tenths: readonly Kept[];
  /** Items and seconds of the warm-up. */
  readonly warmUp: { readonly items: number; readonly seconds: number };
}

/**
 * Runs the warm-up items (results not judged), then the soak's items
 * heaviest first, in ten slices with the memory settled and read after each.
 */
export async function soakRun(items: readonly WorkItem[], warmUp: readonly WorkItem[], profile: Profile, hooks: RunHooks): Promise<SoakRun> {
  const start = await settledMemory();
  const t0 = performance.now();
  runItems(warmUp, WARM_UP, { deadline: hooks.deadline, stop: hooks.stop });
  const seconds = (performance.now() - t0) / 1000;
  const order = heaviestFirst(items);
  const slice = Math.max(1, Math.ceil(order.length / 10));
  const results: ItemResult[] = [];
  const tenths: Kept[] = [];
  for (let i = 0; i < order.length; i += slice) {
    results.push(...runItems(order.slice(i, i + slice), profile, hooks));
    // the pause also lets a signal's handler run between slices
    tenths.push(await settledMemory());
  }
  return { results, start, tenths, warmUp: { items: warmUp.length, seconds } };
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const pct = (a: number, b: number): string => `${((100 * (b - a)) / a).toFixed(1)} %`;

/** The soak's memory lines: the series, then the growth from the first tenth to the end, resident and heap kept. */
export function soakMemoryLines(run: SoakRun): string[] {
  const { start, tenths, warmUp } = run;
  const first = tenths[0];
  const end = tenths.at(-1);
  const lines = [`warm-up: ${warmUp.items} items once at a small budget (${WARM_UP.runs} runs, ${WARM_UP.maxStates} states), ${warmUp.seconds.toFixed(1)}s, not judged`];
  if (first === undefined || end === undefined) return [...lines, `memory: resident ${mb(start.rss)} MB at the start, no item run`];
  lines.push(`memory after each tenth, settled: resident ${tenths.map((k) => mb(k.rss)).join(' ')} MB; heap kept ${tenths.map((k) => mb(k.heap)).join(' ')} MB`);
  lines.push(`memory: resident ${mb(start.rss)} MB at the start, ${mb(first.rss)} MB after the first tenth, ${mb(end.rss)} MB at the end, growth ${pct(first.rss, end.rss)}`);
  lines.push(`memory: heap kept after a full collection ${mb(first.heap)} MB after the first tenth, ${mb(end.heap)} MB at the end, growth ${pct(first.heap, end.heap)}`);
  return lines;
}
