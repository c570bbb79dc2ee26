import { produce } from 'immer';
import { describe, expect, test } from 'vitest';
import { canProceed, downRead, downWrite, mightSleep, mutexLock, mutexTrylock, mutexUnlock, spinLock, spinUnlock, upRead, upWrite } from './locks.js';
import type { KernelState, MutexState, RwsemState } from './state.js';
import { heldBy, kernelState, waitingOn } from './state.js';
import { readable, weakMemory, type WeakMemory, write } from './lkmm.js';

const k0 = (): KernelState => kernelState({ s: 'spin', m: 'mutex', r: 'rwsem' });
const mutex = (k: KernelState): MutexState => k.locks.m as MutexState;
const rw = (k: KernelState): RwsemState => k.locks.r as RwsemState;

describe('spinlock', () => {
  test('a contended spin_lock queues, and the waiter takes it after the unlock', () => {
    let k = produce(k0(), (d) => void spinLock(d, 's', 'A'));
    let res: string = '';
    k = produce(k, (d) => void (res = spinLock(d, 's', 'B')));
    expect(res).toBe('waiting');
    expect(canProceed(k, 'B')).toBe(false);
    k = produce(k, (d) => spinUnlock(d, 's', 'A'));
    expect(canProceed(k, 'B')).toBe(true);
    k = produce(k, (d) => void (res = spinLock(d, 's', 'B')));
    expect(res).toBe('acquired');
    expect(heldBy(k, 'B')).toEqual(['s']);
    expect(waitingOn(k, 'B')).toBeUndefined();
  });
  test('spin_unlock by a non-owner is a fault', () => {
    const k = produce(k0(), (d) => {
      spinLock(d, 's', 'A');
      spinUnlock(d, 's', 'B');
    });
    expect(k.faults.map((f) => f.kind)).toEqual(['unlock-non-owner']);
  });
});

describe('mutex', () => {
  test('lock, trylock fails while held, owner unlock frees', () => {
    let ok = true;
    const k = produce(k0(), (d) => {
      mutexLock(d, 'm', 'A');
      ok = mutexTrylock(d, 'm', 'B');
    });
    expect(ok).toBe(false);
    expect(mutex(k)).toMatchObject({ count: 0, owner: 'A' });
    const k2 = produce(k, (d) => mutexUnlock(d, 'm', 'A'));
    expect(mutex(k2)).toMatchObject({ count: 1, owner: null, corrupt: false });
    expect(k2.faults).toEqual([]);
  });
  test('unlocking a free mutex corrupts it: two lockers enter, trylock fails at count 2', () => {
    let tried = true;
    const k = produce(k0(), (d) => {
      mutexUnlock(d, 'm', 'X');
      tried = mutexTrylock(d, 'm', 'T');
    });
    expect(tried).toBe(false);
    expect(mutex(k)).toMatchObject({ count: 2, corrupt: true });
    expect(k.faults.map((f) => f.kind)).toEqual(['unlock-free']);
    const results: string[] = [];
    produce(k, (d) => {
      results.push(mutexLock(d, 'm', 'A'), mutexLock(d, 'm', 'B'), mutexLock(d, 'm', 'C'));
    });
    expect(results).toEqual(['acquired', 'acquired', 'waiting']);
  });
  test('mutex_unlock by a context that does not own it is a fault', () => {
    const k = produce(k0(), (d) => {
      mutexLock(d, 'm', 'A');
      mutexUnlock(d, 'm', 'B');
    });
    expect(k.faults.map((f) => `${f.kind}:${f.ctx}`)).toEqual(['unlock-non-owner:B']);
  });
  test('mutex_lock under a spinlock records sleep in atomic; without one it does not', () => {
    const bad = produce(k0(), (d) => {
      spinLock(d, 's', 'A');
      mutexLock(d, 'm', 'A');
    });
    expect(bad.faults.map((f) => f.kind)).toEqual(['sleep-in-atomic']);
    const fine = produce(k0(), (d) => {
      mutexLock(d, 'm', 'A');
      mightSleep(d, 'A', 'kmalloc(GFP_KERNEL)');
    });
    expect(fine.faults).toEqual([]);
  });
});

describe('rwsem', () => {
  test('readers share; a waiting writer makes later readers queue behind it (FIFO)', () => {
    const res: string[] = [];
    let k = produce(k0(), (d) => {
      res.push(downRead(d, 'r', 'R1'), downWrite(d, 'r', 'W'), downRead(d, 'r', 'R2'));
    });
    expect(res).toEqual(['acquired', 'waiting', 'waiting']);
    expect(rw(k).waiters.map((w) => w.ctx)).toEqual(['W', 'R2']);
    expect(canProceed(k, 'W')).toBe(false);
    k = produce(k, (d) => upRead(d, 'r', 'R1'));
    expect(canProceed(k, 'W')).toBe(true);
    expect(canProceed(k, 'R2')).toBe(false);
    k = produce(k, (d) => void downWrite(d, 'r', 'W'));
    expect(rw(k).writer).toBe('W');
    k = produce(k, (d) => upWrite(d, 'r', 'W'));
    expect(canProceed(k, 'R2')).toBe(true);
  });
  test('up_read without holding it is a fault', () => {
    const k = produce(k0(), (d) => upRead(d, 'r', 'Z'));
    expect(k.faults.map((f) => f.kind)).toEqual(['unlock-non-owner']);
  });
});

describe('locks under the kernel memory model (a weak memory in the slice)', () => {
  // A stores x with a relaxed write; B reads x: without a lock between them B may still read the old value
  const start = (): KernelState => ({ ...k0(), mem: write(weakMemory('lkmm', { x: 0 }, ['A', 'B'], ['s', 'm']), 'A', 'x', 1, 'once', 0) });
  const values = (k: KernelState): number[] => readable(k.mem as WeakMemory, 'B', 'x').map((msg) => Number(msg.v));

  test('no lock between them: B may read the old value', () => {
    expect(values(start())).toEqual([0, 1]);
  });
  test("A's spin_unlock then B's spin_lock: B sees A's store only (unlock releases, lock acquires)", () => {
    let k = produce(start(), (d) => void spinLock(d, 's', 'A'));
    k = produce(k, (d) => spinUnlock(d, 's', 'A'));
    expect(values(k)).toEqual([0, 1]);
    k = produce(k, (d) => void spinLock(d, 's', 'B'));
    expect(values(k)).toEqual([1]);
  });
  test('the same through a mutex, trylock included; a failed trylock orders nothing', () => {
    let k = produce(start(), (d) => void mutexLock(d, 'm', 'A'));
    k = produce(k, (d) => void mutexTrylock(d, 'm', 'B'));
    expect(values(k)).toEqual([0, 1]);
    k = produce(k, (d) => mutexUnlock(d, 'm', 'A'));
    k = produce(k, (d) => void mutexTrylock(d, 'm', 'B'));
    expect(values(k)).toEqual([1]);
  });
  test('without a weak memory the slice is left as it was', () => {
    const k = produce(k0(), (d) => {
      spinLock(d, 's', 'A');
      spinUnlock(d, 's', 'A');
    });
    expect(k.mem).toBeUndefined();
  });
});
