/**
 * The searches' memory bound, in a module of its own so that the CLI's
 * entry thread can size its command thread by it without loading the
 * engines.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/**
 * The memory bound when none is given: three quarters of the machine's
 * memory, so a search stops with a verdict before the system starts to swap
 * or kills the process.
 */
export function defaultMaxMemory(): number {
  return Math.floor(0.75 * totalmem());
}

/**
 * Whether a search must stop for memory: the resident memory of the process
 * (every thread) above `limitBytes`, or this thread's V8 heap above 85 % of
 * its limit — past that V8 aborts the process with no verdict at all.
 */
export function memoryOver(limitBytes: number = defaultMaxMemory()): boolean {
  const heap = getHeapStatistics();
  return process.memoryUsage.rss() > limitBytes || heap.used_heap_size > 0.85 * heap.heap_size_limit;
}
