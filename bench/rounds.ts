/**
 * Timing several phases fairly (the phase and memo benches): one warm-up
 * round, then `repeats` timed rounds in which every phase runs once, so a
 * slow spell of the machine slows all of them alike; medians.
 */
import { median } from './power.js';

/** µs per `per` (transitions, calls) of one timed run of `run`. */
export function clocked(per: number, run: () => void): number {
  const t0 = performance.now();
  run();
  return (1000 * (performance.now() - t0)) / per;
}

/** Runs each phase round-robin (a warm-up round first, untimed) and returns the median of each. */
export function roundRobin<K extends string>(phases: Record<K, () => number>, repeats: number): (k: K) => number {
  const names = Object.keys(phases) as K[];
  const runs = new Map(names.map((k) => [k, [] as number[]]));
  for (let round = 0; round <= repeats; round++)
    for (const k of names) {
      const us = phases[k]();
      if (round > 0) runs.get(k)?.push(us);
    }
  return (k) => median(runs.get(k) ?? []);
}
