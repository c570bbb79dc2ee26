import { castDraft, current, produce } from 'immer';
import { describe, expect, it } from 'vitest';
import type { WeakMemory } from './lkmm.js';
import { assign, canonicalMemory, control, fence, latest, lock, placements, read, readable, retire, rmw, rmwChoices, unlock, weakMemory, write } from './lkmm.js';

const values = (m: WeakMemory, ctx: string, x: string): (number | string)[] => readable(m, ctx, x).map((msg) => msg.v);
/** A write placed last in the coherence order. */
const wr = (m: WeakMemory, ctx: string, x: string, v: number | string, order: 'once' | 'release' = 'once'): WeakMemory => write(m, ctx, x, v, order, latest(m, x).t);
/** A read of the message with value `v`. */
const rd = (m: WeakMemory, ctx: string, x: string, v: number | string, order: 'once' | 'acquire' = 'once', into?: string): WeakMemory => {
  const msg = readable(m, ctx, x).find((c) => c.v === v);
  if (!msg) throw new Error(`${ctx} cannot read ${x}=${v}`);
  return read(m, ctx, x, msg.t, order, into !== undefined ? { into } : {}).mem;
};

describe('weak memory (spec 06 §2)', () => {
  it('store buffering: a relaxed read may miss the other context\'s write; smp_mb on both sides forbids it', () => {
    let m = weakMemory('lkmm', { x: 0, y: 0 }, ['P0', 'P1']);
    m = wr(m, 'P0', 'x', 1);
    m = wr(m, 'P1', 'y', 1);
    expect(values(m, 'P0', 'y')).toEqual([0, 1]);
    m = fence(m, 'P0', 'mb');
    m = fence(m, 'P1', 'mb');
    // P1's fence came second: it sees P0's store through the sc view
    expect(values(m, 'P1', 'x')).toEqual([1]);
  });

  it('message passing: smp_wmb + smp_rmb orders it, either one alone does not', () => {
    const run = (wmb: boolean, rmb: boolean): (number | string)[] => {
      let m = weakMemory('lkmm', { x: 0, y: 0 }, ['P0', 'P1']);
      m = wr(m, 'P0', 'x', 1);
      if (wmb) m = fence(m, 'P0', 'wmb');
      m = wr(m, 'P0', 'y', 1);
      m = rd(m, 'P1', 'y', 1);
      if (rmb) m = fence(m, 'P1', 'rmb');
      return values(m, 'P1', 'x');
    };
    expect(run(true, true)).toEqual([1]);
    expect(run(true, false)).toEqual([0, 1]);
    expect(run(false, true)).toEqual([0, 1]);
  });

  it('release/acquire is A-cumulative: what the releaser read reaches the acquirer', () => {
    let m = weakMemory('lkmm', { x: 0, y: 0, z: 0 }, ['P0', 'P1', 'P2']);
    m = wr(m, 'P0', 'x', 1);
    m = rd(m, 'P1', 'x', 1);
    m = wr(m, 'P1', 'y', 1, 'release');
    expect(values(m, 'P2', 'x')).toEqual([0, 1]);
    m = rd(m, 'P2', 'y', 1, 'acquire');
    expect(values(m, 'P2', 'x')).toEqual([1]);
  });

  it('coherence: once a context read a message it never reads an older one, nor writes before it', () => {
    let m = weakMemory('lkmm', { x: 0 }, ['P0', 'P1', 'P2']);
    m = wr(m, 'P0', 'x', 1);
    m = wr(m, 'P0', 'x', 2);
    m = rd(m, 'P1', 'x', 1);
    expect(values(m, 'P1', 'x')).toEqual([1, 2]);
    // P1 may place its write between 1 and 2, or after 2; P2 also before 1
    expect(placements(m, 'P1', 'x', 'once').length).toBe(2);
    expect(placements(m, 'P2', 'x', 'once').length).toBe(3);
  });

  it('a write placed early shifts later messages and the views that point at them', () => {
    let m = weakMemory('lkmm', { x: 0 }, ['P0', 'P1', 'P2']);
    m = wr(m, 'P0', 'x', 1);
    const [first] = placements(m, 'P1', 'x', 'once');
    m = write(m, 'P1', 'x', 2, 'once', first as number);
    expect((m.locs.x ?? []).map((msg) => msg.v)).toEqual([0, 2, 1]);
    expect(m.ctxs.P0?.cur.x).toBe(2);
    expect(m.ctxs.P1?.cur.x).toBe(1);
    expect(latest(m, 'x').v).toBe(1);
  });

  it('drops messages no context can read and renumbers, so equal futures are equal keys', () => {
    // two orders of the same independent steps
    let a = weakMemory('lkmm', { x: 0, y: 0 }, ['P0', 'P1']);
    a = wr(a, 'P0', 'x', 1);
    a = rd(a, 'P1', 'x', 1);
    a = wr(a, 'P1', 'y', 1);
    let b = weakMemory('lkmm', { x: 0, y: 0 }, ['P0', 'P1']);
    b = wr(b, 'P1', 'y', 1);
    b = wr(b, 'P0', 'x', 1);
    b = rd(b, 'P1', 'x', 1);
    expect(canonicalMemory(a)).toEqual(canonicalMemory(b));
    let c = weakMemory('lkmm', { x: 0, y: 0 }, ['P0', 'P1']);
    c = wr(c, 'P0', 'x', 1);
    c = wr(c, 'P1', 'y', 1);
    expect(canonicalMemory(c)).not.toEqual(canonicalMemory(a)); // P1 can still read x=0 here
    expect(c.locs.x).toHaveLength(2);
    expect(a.locs.x).toHaveLength(1);
    a = retire(retire(a, 'P0'), 'P1');
    b = retire(retire(b, 'P0'), 'P1');
    expect(canonicalMemory(a)).toEqual(canonicalMemory(b));
    expect(a.ctxs).toEqual({});
  });

  it('an address dependency orders the dependent read after the read of the pointer', () => {
    let m = weakMemory('lkmm', { x: 0, p: 'z', z: 0 }, ['P0', 'P1']);
    m = wr(m, 'P0', 'x', 1);
    m = wr(m, 'P0', 'p', 'x', 'release');
    m = rd(m, 'P1', 'p', 'x', 'once', 'r0');
    expect(readable(m, 'P1', 'x', { addr: ['r0'] }).map((c) => c.v)).toEqual([1]);
    expect(values(m, 'P1', 'x')).toEqual([0, 1]);
  });

  it('data and control dependencies place a later write after the write the read saw (S shape)', () => {
    for (const dep of ['data', 'ctrl'] as const) {
      let m = weakMemory('lkmm', { x: 0, y: 0 }, ['P0', 'P1']);
      m = wr(m, 'P0', 'x', 2);
      m = fence(m, 'P0', 'wmb');
      m = wr(m, 'P0', 'y', 1);
      m = rd(m, 'P1', 'y', 1, 'once', 'r0');
      expect(placements(m, 'P1', 'x', 'once')).toHaveLength(2);
      if (dep === 'ctrl') m = control(m, 'P1', ['r0']);
      else m = assign(m, 'P1', 'r1', ['r0']);
      expect(placements(m, 'P1', 'x', 'once', dep === 'data' ? { data: ['r1'] } : {})).toHaveLength(1);
    }
  });

  it('RMW reads the latest message and writes right after it; a failed one writes nothing', () => {
    let m = weakMemory('lkmm', { v: 1 }, ['A', 'B']);
    m = wr(m, 'A', 'v', 5);
    const dec = (o: number | string): number | undefined => ((o as number) > 0 ? (o as number) - 1 : undefined);
    const r = rmw(m, 'B', 'v', dec, 'mb');
    expect(r.old).toBe(5);
    expect((r.mem.locs.v ?? []).map((msg) => msg.v).slice(-2)).toEqual([5, 4]);
    let z = weakMemory('lkmm', { v: 0 }, ['A']);
    const f = rmw(z, 'A', 'v', dec, 'mb');
    expect(f.old).toBe(0);
    z = f.mem;
    expect(z.locs.v).toHaveLength(1);
  });

  it('an RMW may read an older message, and then nothing ever goes between it and that message', () => {
    let m = weakMemory('lkmm', { v: 0 }, ['A', 'B', 'C']);
    m = wr(m, 'A', 'v', 5);
    const inc = (o: number | string): number => (o as number) + 1;
    // B may increment the initial 0 (placing 1 before A's 5) or A's 5
    const choices = rmwChoices(m, 'B', 'v', inc, 'relaxed');
    expect(choices.map((c) => c.v)).toEqual([0, 5]);
    m = rmw(m, 'B', 'v', inc, 'relaxed', {}, choices[0]).mem;
    expect((m.locs.v ?? []).map((msg) => msg.v)).toEqual([0, 1, 5]);
    // C cannot increment 0 again (atomicity), nor write between 0 and 1
    expect(rmwChoices(m, 'C', 'v', inc, 'relaxed').map((c) => c.v)).toEqual([1, 5]);
    expect(placements(m, 'C', 'v', 'once')).toEqual([1, 2]);
    // a failing cmpxchg is a plain read of any readable message
    const cas = (o: number | string): number | undefined => (o === 7 ? 8 : undefined);
    expect(rmwChoices(m, 'C', 'v', cas, 'mb').map((c) => [c.v, c.fails])).toEqual([[0, true], [1, true], [5, true]]);
  });

  it('unlock then lock passes the critical section on; spin_is_locked sees the lock word unordered', () => {
    let m = weakMemory('lkmm', { x: 0, l: 0 }, ['P0', 'P1', 'P2'], ['l']);
    m = lock(m, 'P0', 'l');
    m = wr(m, 'P0', 'x', 1);
    // an observer may see the lock taken and x still 0 — the lock word write carries nothing
    m = rd(m, 'P2', 'l', 1, 'acquire');
    expect(values(m, 'P2', 'x')).toEqual([0, 1]);
    m = unlock(m, 'P0', 'l');
    m = lock(m, 'P1', 'l');
    expect(values(m, 'P1', 'x')).toEqual([1]);
    expect(latest(m, 'l').v).toBe(1);
  });

  it('sc mode: one message per location, reads see the latest write', () => {
    let m = weakMemory('sc', { x: 0 }, ['P0', 'P1']);
    m = wr(m, 'P0', 'x', 1);
    expect(values(m, 'P1', 'x')).toEqual([1]);
    expect(placements(m, 'P1', 'x', 'once')).toHaveLength(1);
    expect(fence(m, 'P0', 'mb')).toBe(m);
    expect(rmw(m, 'P1', 'x', (o) => (o as number) + 1, 'relaxed').mem.locs.x?.[0]?.v).toBe(2);
  });

  it('never changes its argument', () => {
    const m = weakMemory('lkmm', { x: 0 }, ['P0']);
    const text = JSON.stringify(m);
    wr(m, 'P0', 'x', 1);
    fence(m, 'P0', 'mb');
    expect(JSON.stringify(m)).toBe(text);
  });

  it('fits a model\'s immer reducer: a WeakMemory slice, one action per readable message', () => {
    interface S {
      readonly flag: number | string;
      readonly mem: WeakMemory;
    }
    const s0: S = { flag: -1, mem: wr(weakMemory('lkmm', { flag: 0 }, ['A', 'B']), 'A', 'flag', 1) };
    // the model enumerates the choices, then its reducer takes one of them
    const choices = readable(s0.mem, 'B', 'flag').map((m) => m.t);
    const nexts = choices.map((t) =>
      produce(s0, (d) => {
        const r = read(current(d).mem, 'B', 'flag', t, 'acquire');
        d.mem = castDraft(r.mem);
        d.flag = r.msg.v;
      }),
    );
    expect(nexts.map((n) => n.flag)).toEqual([0, 1]);
    expect(s0.flag).toBe(-1);
  });
});
