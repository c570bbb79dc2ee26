/**
 * What a long run keeps: the heap in use after a full garbage collection,
 * and the resident size once the collector has handed its empty pages back.
 * The resident size read mid-run cannot tell a leak from the high-water mark
 * of the largest exploration so far (V8 keeps the pages it grew into until a
 * collection frees them and the event loop lets its unmapper run), so the
 * soak measures both only here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';

let gc: (() => void) | undefined;

/** Collects all garbage (exposing V8's collector on first use) and returns the heap still in use, in bytes. */
function retainedHeap(): number {
  if (gc === undefined) {
    // a flag set after start-up applies to contexts made after it: the new context's `gc` is the collector
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  return process.memoryUsage().heapUsed;
}

/** The memory a run keeps, in bytes. */
export interface Kept {
  /** Resident set size after the collections and the pause. */
  readonly rss: number;
  /** Heap in use after a full collection. */
  readonly heap: number;
}

/**
 * Two full collections (the second frees what the first one's finalizers
 * released outside the heap), each followed by a pause on the event loop in
 * which V8 returns the freed pages to the system (10 ms sufficed here; 100 ms
 * leaves room), then the resident size and the heap kept.
 */
export async function settledMemory(): Promise<Kept> {
  retainedHeap();
  await sleep(20);
  const heap = retainedHeap();
  await sleep(100);
  return { rss: process.memoryUsage.rss(), heap };
}
