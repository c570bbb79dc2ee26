/**
 * What a long run keeps: the heap in use after a full garbage collection.
 * The resident size alone cannot tell a leak from the high-water mark of
 * the largest exploration so far (V8 keeps the pages it grew into), so the
 * soak judges growth on this figure and prints the resident size beside it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Collects all garbage (exposing V8's collector on first use) and returns the heap still in use, in bytes. */
export function retainedHeap(): number {
  if (gc === undefined) {
    // a flag set after start-up applies to contexts made after it: the new context's `gc` is the collector
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  return process.memoryUsage().heapUsed;
}
