import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import {
  type Workqueue,
  flushCanProceed,
  flushScheduledWork,
  scheduleWork,
  workPending,
  workRunning,
  workerDequeue,
  workerFinish,
  workerState,
  workqueue,
} from './workqueue.js';

const step = (wq: Workqueue, f: (d: Draft<Workqueue>) => void): Workqueue => produce(wq, f);

describe('schedule_work', () => {
  it('queues once and coalesces further events while pending', () => {
    let wq = workqueue(['w']);
    wq = step(wq, (d) => {
      expect(scheduleWork(d, 'w')).toBe(1);
      expect(scheduleWork(d, 'w')).toBe(0);
    });
    expect(workPending(wq, 'w')).toBe(true);
    expect(wq.workers[0]?.queue).toEqual([{ kind: 'work', item: 'w' }]);
    expect(wq.items.w).toEqual({ pending: true, queued: true, running: false });
  });

  it('step A clears pending, so an event during the run queues the item again and it runs once more', () => {
    let wq = step(workqueue(['w']), (d) => {
      scheduleWork(d, 'w');
    });
    expect(workerState(wq)).toBe('dequeue');
    wq = step(wq, (d) => {
      expect(workerDequeue(d)).toBe('w');
    });
    expect(wq.items.w).toEqual({ pending: false, queued: false, running: true });
    expect(workerState(wq)).toBe('running');
    wq = step(wq, (d) => {
      expect(scheduleWork(d, 'w')).toBe(1);
    });
    expect(wq.items.w).toEqual({ pending: true, queued: true, running: true });
    wq = step(wq, (d) => workerFinish(d));
    expect(workRunning(wq, 'w')).toBe(false);
    expect(workerState(wq)).toBe('dequeue');
    wq = step(wq, (d) => {
      expect(workerDequeue(d)).toBe('w');
      workerFinish(d);
    });
    expect(workerState(wq)).toBe('idle');
    expect(wq.items.w).toEqual({ pending: false, queued: false, running: false });
  });

  it('an item re-queued on another CPU while it runs can run concurrently with itself', () => {
    let wq = step(workqueue(['w'], 2), (d) => {
      scheduleWork(d, 'w', 0);
      workerDequeue(d, 0);
      scheduleWork(d, 'w', 1);
      expect(workerDequeue(d, 1)).toBe('w');
    });
    expect(wq.workers.map((w) => w.current)).toEqual(['w', 'w']);
    wq = step(wq, (d) => workerFinish(d, 0));
    expect(workRunning(wq, 'w')).toBe(true);
    wq = step(wq, (d) => workerFinish(d, 1));
    expect(workRunning(wq, 'w')).toBe(false);
  });
});

describe('flush_scheduled_work', () => {
  it('returns at once on an idle workqueue', () => {
    const wq = step(workqueue(['w']), (d) => {
      expect(flushScheduledWork(d, 'F')).toBe('done');
    });
    expect(wq.flushers).toEqual([]);
  });

  it('waits for what was running or queued before it, not for what is queued after', () => {
    let wq = step(workqueue(['a', 'b']), (d) => {
      scheduleWork(d, 'a');
      workerDequeue(d);
      scheduleWork(d, 'b');
      expect(flushScheduledWork(d, 'F')).toBe('waiting');
      // queued after the flush: behind the barrier
      scheduleWork(d, 'a');
    });
    expect(flushCanProceed(wq, 'F')).toBe(false);
    wq = step(wq, (d) => {
      workerFinish(d);
      expect(workerDequeue(d)).toBe('b');
    });
    expect(flushCanProceed(wq, 'F')).toBe(false);
    wq = step(wq, (d) => {
      workerFinish(d);
      expect(workerDequeue(d)).toBeNull();
    });
    expect(flushCanProceed(wq, 'F')).toBe(true);
    wq = step(wq, (d) => {
      expect(flushScheduledWork(d, 'F')).toBe('done');
    });
    // 'a' (queued after the flush started) has not run yet
    expect(wq.items.a?.pending).toBe(true);
    expect(wq.flushers).toEqual([]);
  });

  it('flushes CPUs one after the other', () => {
    let wq = step(workqueue(['a', 'b'], 2), (d) => {
      scheduleWork(d, 'a', 0);
      scheduleWork(d, 'b', 1);
      expect(flushScheduledWork(d, 'F')).toBe('waiting');
    });
    expect(wq.workers[1]?.queue.some((e) => e.kind === 'barrier')).toBe(false);
    wq = step(wq, (d) => {
      workerDequeue(d, 0);
      workerFinish(d, 0);
      workerDequeue(d, 0);
      expect(flushScheduledWork(d, 'F')).toBe('waiting');
    });
    expect(wq.flushers).toEqual([{ ctx: 'F', cpu: 1 }]);
    expect(flushCanProceed(wq, 'F')).toBe(false);
    wq = step(wq, (d) => {
      workerDequeue(d, 1);
      workerFinish(d, 1);
      workerDequeue(d, 1);
      expect(flushScheduledWork(d, 'F')).toBe('done');
    });
    expect(wq.flushers).toEqual([]);
  });
});
