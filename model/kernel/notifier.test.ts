import { produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import { canProceed } from './locks.js';
import {
  NOTIFY_BAD,
  NOTIFY_DONE,
  NOTIFY_OK,
  NOTIFY_STOP,
  type ChainCall,
  type NotifierChain,
  callAll,
  callBegin,
  callDone,
  callEnter,
  callExit,
  callNext,
  callResult,
  callReturn,
  chainIds,
  conditionalRegister,
  freeBlock,
  hasCycle,
  lockedRegister,
  lockedUnregister,
  notifierChain,
  notifierFromErrno,
  notifierToErrno,
  rcuGraceDone,
  rcuMightSleep,
  register,
  resetBlock,
  stopsWalk,
  unregister,
} from './notifier.js';
import { type KernelState, kernelState } from './state.js';

interface S {
  readonly k: KernelState;
  readonly c: NotifierChain;
  readonly calls: { readonly [ctx: string]: ChainCall };
}

const blocking = (blocks: { id: string; priority: number }[] = []): S => ({
  k: kernelState({ chain_rwsem: 'rwsem' }),
  c: notifierChain('chain', 'blocking', { lock: 'chain_rwsem', blocks }),
  calls: {},
});

const atomic = (blocks: { id: string; priority: number }[] = []): S => ({
  k: kernelState({ chain_lock: 'spin' }),
  c: notifierChain('iso', 'atomic', { lock: 'chain_lock', blocks }),
  calls: {},
});

/** One atomic step on the whole state. */
const step = (s: S, f: (d: Draft<S>) => void): S => produce(s, f);

function call(d: Draft<S>, ctx: string): Draft<ChainCall> {
  const c = d.calls[ctx];
  if (!c) throw new Error(`no walk for ${ctx}`);
  return c;
}

/** Starts a walk for `ctx` and takes its entry step. */
function enter(s: S, ctx: string, val = 7): [S, string] {
  let r = '';
  const next = step(s, (d) => {
    d.calls[ctx] = callBegin(d.c.name, val);
    r = callEnter(d.k, call(d, ctx), d.c, ctx);
  });
  return [next, r];
}

describe('register', () => {
  it('inserts before the first strictly lower priority; ties keep registration order', () => {
    const s = blocking([
      { id: 'a', priority: 10 },
      { id: 'b', priority: 1 },
      { id: 'c', priority: 10 },
      { id: 'd', priority: 5 },
      { id: 'e', priority: 1 },
      { id: 'f', priority: 100 },
    ]);
    expect(chainIds(s.c)).toEqual(['f', 'a', 'c', 'd', 'b', 'e']);
    expect(s.c.corrupt).toBe(false);
  });

  it('keeps the block table sorted by id whatever the registration order', () => {
    const s = blocking([
      { id: 'z', priority: 0 },
      { id: 'a', priority: 0 },
    ]);
    expect(s.c.blocks.map((b) => b.id)).toEqual(['a', 'z']);
    expect(chainIds(s.c)).toEqual(['z', 'a']);
  });

  it('registering a linked block that is last of its priority links it to itself', () => {
    const s = blocking([
      { id: 'a', priority: 5 },
      { id: 'b', priority: 5 },
      { id: 'c', priority: 1 },
    ]);
    const t = produce(s.c, (c) => {
      expect(register(c, { id: 'b', priority: 5 })).toBe(0);
    });
    expect(t.corrupt).toBe(true);
    expect(hasCycle(t)).toBe(true);
    // c is no longer reachable: the walk goes a → b → b → …
    expect(chainIds(t)).toEqual(['a', 'b']);
    // a later register that must walk past the loop never ends
    produce(t, (c) => {
      expect(register(c, { id: 'd', priority: 0 })).toBe('hang');
    });
  });

  it('registering a linked block that is not last of its priority cuts off the blocks after it', () => {
    const s = blocking([
      { id: 'a', priority: 5 },
      { id: 'b', priority: 5 },
      { id: 'c', priority: 1 },
    ]);
    const t = produce(s.c, (c) => {
      register(c, { id: 'a', priority: 5 });
    });
    expect(t.corrupt).toBe(true);
    expect(hasCycle(t)).toBe(false);
    expect(chainIds(t)).toEqual(['a', 'c']);
  });
});

describe('conditional register', () => {
  it('returns 0 unchanged when it meets the block before the insertion point', () => {
    const s = blocking([
      { id: 'a', priority: 0 },
      { id: 'b', priority: 0 },
    ]);
    const t = produce(s.c, (c) => {
      expect(conditionalRegister(c, { id: 'a', priority: 0 })).toBe(0);
    });
    expect(t).toBe(s.c);
  });

  it('inserts an absent block like register', () => {
    const s = blocking([
      { id: 'a', priority: 10 },
      { id: 'b', priority: 0 },
    ]);
    const t = produce(s.c, (c) => {
      conditionalRegister(c, { id: 'n', priority: 5 });
    });
    expect(chainIds(t)).toEqual(['a', 'n', 'b']);
    expect(t.corrupt).toBe(false);
  });

  it('does not see a block linked after the insertion point, so links it twice', () => {
    const s = blocking([
      { id: 'a', priority: 10 },
      { id: 'b', priority: 1 },
    ]);
    const t = produce(s.c, (c) => {
      conditionalRegister(c, { id: 'b', priority: 20 });
    });
    expect(t.corrupt).toBe(true);
    expect(hasCycle(t)).toBe(true);
  });
});

describe('unregister', () => {
  it('removes a linked block and returns 0, else -ENOENT', () => {
    const s = blocking([
      { id: 'a', priority: 0 },
      { id: 'b', priority: 0 },
      { id: 'c', priority: 0 },
    ]);
    const t = produce(s.c, (c) => {
      expect(unregister(c, 'b')).toBe(0);
      expect(unregister(c, 'b')).toBe(-2);
      expect(unregister(c, 'x')).toBe(-2);
    });
    expect(chainIds(t)).toEqual(['a', 'c']);
    // detached, not freed: its memory (and link) stays until freeBlock
    expect(t.blocks.find((b) => b.id === 'b')?.next).toBe('c');
  });
});

describe('error encoding (v2.6.33)', () => {
  it.each([
    [0, NOTIFY_STOP, 0],
    [-1, NOTIFY_BAD, -1],
    [-12, 0x800d, -12],
    [-16, 0x8011, -16],
  ])('from_errno(%i) = %i, to_errno back = %i', (e, enc, back) => {
    expect(notifierFromErrno(e)).toBe(enc);
    expect(stopsWalk(notifierFromErrno(e))).toBe(true);
    expect(notifierToErrno(notifierFromErrno(e))).toBe(back);
  });

  it('decodes the plain results to 0', () => {
    expect(notifierToErrno(NOTIFY_DONE)).toBe(0);
    expect(notifierToErrno(NOTIFY_OK)).toBe(0);
    expect(notifierToErrno(NOTIFY_STOP)).toBe(0);
    expect(notifierToErrno(NOTIFY_BAD)).toBe(-1);
  });

  it('a positive errno stops the chain but decodes to success', () => {
    const r = notifierFromErrno(12);
    expect(r).toBe(-11);
    expect(r).toBeLessThan(0);
    expect(stopsWalk(r)).toBe(true);
    expect(notifierToErrno(r)).toBe(0);
  });
});

describe('walk', () => {
  const three = [
    { id: 'a', priority: 3 },
    { id: 'b', priority: 2 },
    { id: 'c', priority: 1 },
  ];

  it('calls blocks in order and stops right after a result with the stop bit', () => {
    const seen: string[] = [];
    const s = step(blocking(three), (d) => {
      d.calls.H = callBegin('chain', 1);
      const r = callAll(d.k, call(d, 'H'), d.c, 'H', (id) => {
        seen.push(id);
        return id === 'b' ? NOTIFY_BAD : NOTIFY_OK;
      });
      expect(r).toBe(NOTIFY_BAD);
    });
    expect(seen).toEqual(['a', 'b']);
    expect(callDone(s.calls.H as ChainCall)).toBe(true);
    expect(s.k.locks.chain_rwsem).toMatchObject({ readers: [] });
  });

  it('returns the last result when nobody stops, NOTIFY_DONE on an empty chain without taking the lock', () => {
    let s = step(blocking(three), (d) => {
      d.calls.H = callBegin('chain', 1);
      expect(callAll(d.k, call(d, 'H'), d.c, 'H', (id) => (id === 'c' ? 42 : NOTIFY_OK))).toBe(42);
    });
    expect(callResult(s.calls.H as ChainCall)).toBe(42);
    s = blocking();
    const [t, r] = enter(s, 'H');
    expect(r).toBe('empty');
    expect(callResult(t.calls.H as ChainCall)).toBe(NOTIFY_DONE);
    expect(t.k.locks).toEqual(s.k.locks);
  });

  it('holds the rwsem for read for the whole walk, so a concurrent register waits', () => {
    let [s, r] = enter(blocking(three), 'H');
    expect(r).toBe('entered');
    s = step(s, (d) => {
      expect(callNext(call(d, 'H'), d.c)).toBe('a');
    });
    // a writer between two callbacks queues on the rwsem
    s = step(s, (d) => {
      expect(lockedRegister(d.k, d.c, { id: 'n', priority: 0 }, 'W')).toBe('waiting');
    });
    expect(canProceed(s.k, 'W')).toBe(false);
    expect(chainIds(s.c)).not.toContain('n');
    s = step(s, (d) => {
      const c = call(d, 'H');
      callReturn(c, NOTIFY_OK);
      for (let id = callNext(c, d.c); id !== undefined; id = callNext(c, d.c)) callReturn(c, NOTIFY_OK);
      callExit(d.k, c, d.c, 'H');
    });
    expect(canProceed(s.k, 'W')).toBe(true);
    s = step(s, (d) => {
      expect(lockedRegister(d.k, d.c, { id: 'n', priority: 0 }, 'W')).toBe(0);
    });
    expect(chainIds(s.c)).toEqual(['a', 'b', 'c', 'n']);
    expect(s.k.locks.chain_rwsem).toMatchObject({ writer: null, readers: [], waiters: [] });
  });

  it('FIFO: a walk that starts after a writer queued waits behind it and then sees its block', () => {
    let [s] = enter(blocking(three), 'R1');
    s = step(s, (d) => {
      expect(lockedUnregister(d.k, d.c, 'b', 'W')).toBe('waiting');
    });
    let r: string;
    [s, r] = enter(s, 'R2');
    // R1 still holds read, yet R2 may not share it: W is ahead
    expect(r).toBe('waiting');
    s = step(s, (d) => {
      callAll(d.k, call(d, 'R1'), d.c, 'R1', () => NOTIFY_OK);
    });
    expect(canProceed(s.k, 'R2')).toBe(false);
    expect(canProceed(s.k, 'W')).toBe(true);
    s = step(s, (d) => {
      expect(lockedUnregister(d.k, d.c, 'b', 'W')).toBe(0);
    });
    expect(canProceed(s.k, 'R2')).toBe(true);
    const seen: string[] = [];
    s = step(s, (d) => {
      // the retry skips the head check and takes the lock
      callAll(d.k, call(d, 'R2'), d.c, 'R2', (id) => {
        seen.push(id);
        return NOTIFY_OK;
      });
    });
    expect(seen).toEqual(['a', 'c']);
  });

  it('a callback that registers on its own blocking chain waits forever', () => {
    let [s] = enter(blocking(three), 'H');
    s = step(s, (d) => {
      callNext(call(d, 'H'), d.c);
      expect(lockedRegister(d.k, d.c, { id: 'n', priority: 0 }, 'H')).toBe('waiting');
    });
    expect(canProceed(s.k, 'H')).toBe(false);
    expect(s.k.locks.chain_rwsem).toMatchObject({ readers: ['H'], waiters: [{ ctx: 'H', mode: 'write' }] });
  });

  it('follows the link read before the call: a block unregistered meanwhile is still called', () => {
    let [s] = enter(atomic(three), 'H');
    s = step(s, (d) => {
      expect(callNext(call(d, 'H'), d.c)).toBe('a');
    });
    // during a's callback, b is unregistered and n registered right after a
    s = step(s, (d) => {
      expect(lockedUnregister(d.k, d.c, 'b', 'U')).toBe(0);
      expect(lockedRegister(d.k, d.c, { id: 'n', priority: 3 }, 'U')).toBe(0);
    });
    expect(chainIds(s.c)).toEqual(['a', 'n', 'c']);
    const seen: string[] = [];
    s = step(s, (d) => {
      const c = call(d, 'H');
      callReturn(c, NOTIFY_OK);
      for (let id = callNext(c, d.c); id !== undefined; id = callNext(c, d.c)) {
        seen.push(id);
        callReturn(c, NOTIFY_OK);
      }
      callExit(d.k, c, d.c, 'H');
    });
    expect(seen).toEqual(['b', 'c']);
  });

  it('sees a block registered further ahead of its position', () => {
    let [s] = enter(atomic(three), 'H');
    s = step(s, (d) => {
      callNext(call(d, 'H'), d.c);
      lockedRegister(d.k, d.c, { id: 'n', priority: 0 }, 'U');
    });
    const seen: string[] = [];
    step(s, (d) => {
      const c = call(d, 'H');
      callReturn(c, NOTIFY_OK);
      callAll(d.k, c, d.c, 'H', (id) => {
        seen.push(id);
        return NOTIFY_OK;
      });
    });
    expect(seen).toEqual(['b', 'c', 'n']);
  });

  it('reports a block freed before the walk reached it', () => {
    let [s] = enter(atomic(three), 'H');
    s = step(s, (d) => {
      callNext(call(d, 'H'), d.c);
      lockedUnregister(d.k, d.c, 'b', 'U');
      freeBlock(d.c, 'b');
    });
    expect(s.c.corrupt).toBe(false);
    s = step(s, (d) => {
      const c = call(d, 'H');
      callReturn(c, NOTIFY_OK);
      expect(callNext(c, d.c)).toBe('b');
    });
    expect(s.calls.H?.freed).toBe('b');
  });

  it('resetting a linked block cuts off every later block', () => {
    const s = blocking([
      { id: 'a', priority: 0 },
      { id: 'b', priority: 0 },
      { id: 'c', priority: 0 },
    ]);
    const t = produce(s.c, (c) => resetBlock(c, 'a', 0));
    expect(chainIds(t)).toEqual(['a']);
    expect(t.corrupt).toBe(true);
    // a detached block can be reset harmlessly
    const u = produce(s.c, (c) => {
      unregister(c, 'c');
      resetBlock(c, 'c', 0);
    });
    expect(u.corrupt).toBe(false);
    expect(chainIds(u)).toEqual(['a', 'b']);
  });
});

describe('atomic chains', () => {
  it('flag sleeping inside a walk, not outside it', () => {
    let [s] = enter(atomic([{ id: 'a', priority: 0 }]), 'H');
    s = step(s, (d) => {
      callNext(call(d, 'H'), d.c);
      rcuMightSleep(d.k, [d.c], 'H', 'mutex_lock(m)');
      rcuMightSleep(d.k, [d.c], 'X', 'mutex_lock(m)');
    });
    expect(s.k.faults).toHaveLength(1);
    expect(s.k.faults[0]).toMatchObject({ kind: 'sleep-in-atomic', ctx: 'H' });
    s = step(s, (d) => {
      const c = call(d, 'H');
      callReturn(c, NOTIFY_OK);
      callExit(d.k, c, d.c, 'H');
      rcuMightSleep(d.k, [d.c], 'H', 'mutex_lock(m)');
    });
    expect(s.k.faults).toHaveLength(1);
  });

  it('unregister waits a grace period for the walks already in progress only', () => {
    let [s] = enter(atomic([{ id: 'a', priority: 0 }]), 'H');
    s = step(s, (d) => {
      expect(lockedUnregister(d.k, d.c, 'a', 'U')).toBe(0);
    });
    expect(rcuGraceDone(s.c, 'U')).toBe(false);
    let r: string;
    [s, r] = enter(s, 'H2');
    expect(r).toBe('entered');
    s = step(s, (d) => {
      const c = call(d, 'H');
      callNext(c, d.c);
      callReturn(c, NOTIFY_OK);
      callExit(d.k, c, d.c, 'H');
    });
    // H2 started after the unregister: U need not wait for it
    expect(rcuGraceDone(s.c, 'U')).toBe(true);
    expect(s.k.locks.chain_lock).toMatchObject({ owner: null });
  });
});
