/**
 * Workqueue items (spec 00 §3; kernel/workqueue.c, include/linux/workqueue.h,
 * v2.6.27) as plain data plus operations on immer drafts.
 *
 * Each item is a struct work_struct declared up front: its `pending` bit,
 * whether it sits in a worker list (`queued`) and whether its function is
 * running. Each CPU has one worker thread with a FIFO list and at most one
 * entry running. `flush_scheduled_work` is the kernel's barrier: a barrier
 * entry appended to each busy CPU's list in turn, waited for in turn. That
 * keeps the state finite (no sequence numbers): the flusher waits exactly for
 * what was queued or running before its barrier.
 */
import type { Draft } from 'immer';

/** One work_struct. */
export interface WorkItem {
  /** WORK_STRUCT_PENDING: set by schedule_work, cleared when a worker dequeues it. */
  readonly pending: boolean;
  /** In some worker's list. */
  readonly queued: boolean;
  /** Its function is running on some worker. */
  readonly running: boolean;
}

/** A list entry: a work item, or the barrier of a context in flush_scheduled_work. */
export type QueueEntry = { readonly kind: 'work'; readonly item: string } | { readonly kind: 'barrier'; readonly ctx: string };

/** One CPU's worker thread. */
export interface Worker {
  readonly queue: readonly QueueEntry[];
  /** The item whose function runs now (between step A and finish), else null. */
  readonly current: string | null;
}

/** A context inside flush_scheduled_work, waiting for its barrier on `cpu`. */
export interface Flusher {
  readonly ctx: string;
  readonly cpu: number;
}

/** The workqueue: items by name, one worker per CPU, contexts flushing it. */
export interface Workqueue {
  readonly items: { readonly [name: string]: WorkItem };
  readonly workers: readonly Worker[];
  readonly flushers: readonly Flusher[];
}

/** A workqueue with the given items, all idle, and `cpus` empty workers. */
export function workqueue(items: readonly string[], cpus = 1): Workqueue {
  const it: Record<string, WorkItem> = {};
  for (const n of items) it[n] = { pending: false, queued: false, running: false };
  return { items: it, workers: Array.from({ length: cpus }, () => ({ queue: [], current: null })), flushers: [] };
}

function item<W extends Workqueue | Draft<Workqueue>>(wq: W, name: string): W['items'][string] {
  const w = wq.items[name];
  if (!w) throw new Error(`no work item named '${name}'`);
  return w as W['items'][string];
}

function worker<W extends Workqueue | Draft<Workqueue>>(wq: W, cpu: number): W['workers'][number] {
  const w = wq.workers[cpu];
  if (!w) throw new Error(`no worker for cpu ${cpu}`);
  return w as W['workers'][number];
}

/**
 * schedule_work (queue_work on the submitting CPU): test-and-set `pending`.
 * Was clear: append to that CPU's list, return 1. Was set: return 0 — the
 * event is coalesced into the instance already queued.
 */
export function scheduleWork(wq: Draft<Workqueue>, name: string, cpu = 0): 0 | 1 {
  const w = item(wq, name);
  if (w.pending) return 0;
  w.pending = true;
  w.queued = true;
  worker(wq, cpu).queue.push({ kind: 'work', item: name });
  return 1;
}

/** work_pending: reads the pending bit. */
export function workPending(wq: Workqueue, name: string): boolean {
  return item(wq, name).pending;
}

/** What the worker of `cpu` can do: nothing, step A, or it is inside step B (the model runs the function). */
export function workerState(wq: Workqueue, cpu = 0): 'idle' | 'dequeue' | 'running' {
  const w = worker(wq, cpu);
  if (w.current !== null) return 'running';
  return w.queue.length ? 'dequeue' : 'idle';
}

/**
 * Worker step A: take the head of the list. A work item: clear its `pending`
 * bit (so a new schedule_work queues it again), mark it running and return
 * its name — the model then runs its function (step B, any number of steps)
 * and ends with {@link workerFinish}. A barrier: complete it (its flusher may
 * go on) and return null.
 */
export function workerDequeue(wq: Draft<Workqueue>, cpu = 0): string | null {
  const w = worker(wq, cpu);
  if (w.current !== null) throw new Error(`worker ${cpu} dequeues while ${w.current} runs`);
  const head = w.queue.shift();
  if (!head) throw new Error(`worker ${cpu} dequeues from an empty list`);
  if (head.kind === 'barrier') return null;
  const it = item(wq, head.item);
  it.pending = false;
  it.queued = wq.workers.some((x) => x.queue.some((e) => e.kind === 'work' && e.item === head.item));
  it.running = true;
  w.current = head.item;
  return head.item;
}

/** End of step B: the function returned. */
export function workerFinish(wq: Draft<Workqueue>, cpu = 0): void {
  const w = worker(wq, cpu);
  const name = w.current;
  if (name === null) throw new Error(`worker ${cpu} finishes with nothing running`);
  w.current = null;
  item(wq, name).running = wq.workers.some((x) => x.current === name);
}

/** Whether the item's function runs on some worker. */
export function workRunning(wq: Workqueue, name: string): boolean {
  return item(wq, name).running;
}

function hasBarrier(w: Worker | Draft<Worker>, ctx: string): boolean {
  return w.queue.some((e) => e.kind === 'barrier' && e.ctx === ctx);
}

/**
 * flush_scheduled_work, as a retried step like a lock acquire. The first
 * call starts at CPU 0; for each CPU in turn whose list is non-empty or which
 * runs an item, it appends a barrier and returns `'waiting'`; later calls
 * (once {@link flushCanProceed}) move to the next CPU. `'done'` when every
 * CPU was flushed: everything queued or running before each barrier has
 * finished. May sleep: the model also calls `mightSleep`. A worker must not
 * flush its own workqueue (the kernel then runs the list by hand; not modelled).
 */
export function flushScheduledWork(wq: Draft<Workqueue>, ctx: string): 'waiting' | 'done' {
  const f = wq.flushers.find((x) => x.ctx === ctx);
  if (f && hasBarrier(worker(wq, f.cpu), ctx)) return 'waiting';
  for (let cpu = f ? f.cpu + 1 : 0; cpu < wq.workers.length; cpu++) {
    const w = worker(wq, cpu);
    if (w.queue.length || w.current !== null) {
      w.queue.push({ kind: 'barrier', ctx });
      if (f) f.cpu = cpu;
      else wq.flushers.push({ ctx, cpu });
      return 'waiting';
    }
  }
  if (f) wq.flushers.splice(wq.flushers.indexOf(f), 1);
  return 'done';
}

/** Whether a context in flush_scheduled_work may take its next step (its current barrier was completed). */
export function flushCanProceed(wq: Workqueue, ctx: string): boolean {
  const f = wq.flushers.find((x) => x.ctx === ctx);
  if (!f) return true;
  return !hasBarrier(worker(wq, f.cpu), ctx);
}
