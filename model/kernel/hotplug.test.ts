import { current, produce, type Draft } from 'immer';
import { describe, expect, it } from 'vitest';
import { EAGAIN, EBUSY, EINTR, EINVAL, EPERM } from './errno.js';
import {
  type HotplugConfig,
  type HotplugOp,
  type MemBlockState,
  type MigratePass,
  MEM_CANCEL_OFFLINE,
  MEM_CANCEL_ONLINE,
  MEM_GOING_OFFLINE,
  MEM_GOING_ONLINE,
  MEM_ISOLATE_COUNT,
  MEM_OFFLINE,
  MEM_ONLINE,
  hotplugCallDone,
  hotplugDone,
  hotplugLockPm,
  hotplugLockState,
  hotplugUnlockPm,
  hotplugUnlockState,
  hotplugWalking,
  isolateAddFound,
  isolateBegin,
  isolateFinish,
  offlineCheck,
  offlineDrained,
  offlinePages,
  offlineRepeat,
  offlineScan,
  onlinePages,
  startOffline,
  startOnline,
  stateChangeCheck,
  undoStep,
} from './hotplug.js';
import { canProceed, mightSleep, mutexLock, spinLock } from './locks.js';
import {
  NOTIFY_BAD,
  NOTIFY_OK,
  type NotifierChain,
  callEnter,
  callExit,
  callNext,
  callReturn,
  lockedRegister,
  notifierChain,
  notifierFromErrno,
  rcuMightSleep,
} from './notifier.js';
import { type KernelState, kernelState } from './state.js';

interface S {
  readonly k: KernelState;
  readonly blocks: readonly { readonly state: MemBlockState }[];
  readonly memory: NotifierChain;
  readonly iso: NotifierChain;
  readonly op: HotplugOp | null;
}

const cfg: HotplugConfig = { memoryChain: 'memory', isolateChain: 'iso', stateMutex: 'state0', pmMutex: 'pm', zoneLock: 'zone' };

function world(memory: { id: string; priority: number }[], iso: { id: string; priority: number }[] = [{ id: 'bal', priority: 15 }]): S {
  return {
    k: kernelState({ state0: 'mutex', state1: 'mutex', pm: 'mutex', zone: 'spin', mem_rwsem: 'rwsem', iso_lock: 'spin' }),
    blocks: [{ state: 'online' }, { state: 'online' }],
    memory: notifierChain('memory', 'blocking', { lock: 'mem_rwsem', blocks: memory }),
    iso: notifierChain('iso', 'atomic', { lock: 'iso_lock', blocks: iso }),
    op: null,
  };
}

/** What the model decides during a run. */
interface Script {
  /** Memory-chain callback results (default NOTIFY_OK). */
  cb?: (id: string, val: number) => number;
  /** Pages an isolation callback reports for pageblock `pb`. */
  found?: (id: string, pb: number) => number;
  movable?: (pb: number) => boolean;
  immobile?: (pb: number) => number;
  passes?: MigratePass[];
  giveUp?: 'timeout' | 'signal';
  allFree?: boolean;
  onlined?: number;
  onlineErr?: number;
  /** Runs inside each isolation callback, with the zone lock held. */
  isolateCallback?: (d: Draft<S>, id: string) => void;
}

interface Run {
  s: S;
  /** Memory-chain callbacks as `id:event`. */
  events: string[];
  phases: string[];
  drains: number;
  /** op.isolated as seen when GOING_OFFLINE started. */
  isolatedAtGoingOffline?: readonly boolean[];
}

const EV: Record<number, string> = {
  [MEM_ONLINE]: 'ONLINE',
  [MEM_GOING_OFFLINE]: 'GOING_OFFLINE',
  [MEM_OFFLINE]: 'OFFLINE',
  [MEM_GOING_ONLINE]: 'GOING_ONLINE',
  [MEM_CANCEL_ONLINE]: 'CANCEL_ONLINE',
  [MEM_CANCEL_OFFLINE]: 'CANCEL_OFFLINE',
};

function theOp(d: Draft<S>): Draft<HotplugOp> {
  if (!d.op) throw new Error('no op');
  return d.op;
}

function mem(d: Draft<S>): Draft<{ state: MemBlockState }> {
  const b = d.blocks[theOp(d).block];
  if (!b) throw new Error('no block');
  return b;
}

/** Takes one step of the op as the model would. */
function stepOp(s: S, ctx: string, sc: Script, run: Run): S {
  const passes = run.phases.filter((p) => p === 'scan').length;
  return produce(s, (d) => {
    const op = theOp(d);
    run.phases.push(op.phase);
    if (hotplugWalking(op as HotplugOp)) {
      const call = op.call;
      if (!call) throw new Error('no call');
      const isIso = op.phase === 'isolate-chain';
      const chain = isIso ? d.iso : d.memory;
      if (call.stage === 'enter') {
        callEnter(d.k, call, chain, ctx);
        if (op.phase === 'going-offline') run.isolatedAtGoingOffline = [...op.isolated];
      } else if (call.stage === 'walk') {
        const id = callNext(call, chain);
        if (id === undefined) throw new Error('walk stage without a block');
        if (isIso) {
          expect(call.val).toBe(MEM_ISOLATE_COUNT);
          sc.isolateCallback?.(d, id);
          isolateAddFound(op, sc.found?.(id, op.pageblock) ?? 0);
          callReturn(call, NOTIFY_OK);
        } else {
          run.events.push(`${id}:${EV[call.val] ?? call.val}`);
          callReturn(call, sc.cb?.(id, call.val) ?? NOTIFY_OK);
        }
      }
      if (call.stage === 'exit') {
        callExit(d.k, call, chain, ctx);
        hotplugCallDone(op);
      }
      return;
    }
    switch (op.phase) {
      case 'lock-state':
        hotplugLockState(d.k, op, ctx, mem(d));
        return;
      case 'lock-pm':
        hotplugLockPm(d.k, op, ctx);
        return;
      case 'isolate':
        isolateBegin(d.k, op, ctx, sc.movable?.(op.pageblock) ?? false);
        return;
      case 'isolate-check':
        isolateFinish(d.k, op, ctx, sc.immobile?.(op.pageblock) ?? 0);
        return;
      case 'repeat':
        offlineRepeat(op, sc.giveUp ?? null);
        return;
      case 'drain':
        run.drains += 1;
        offlineDrained(op);
        return;
      case 'scan':
        offlineScan(op, sc.passes?.[passes] ?? 'none');
        return;
      case 'check':
        offlineCheck(op, sc.allFree ?? true);
        return;
      case 'offline-pages':
        offlinePages(op);
        return;
      case 'undo':
        undoStep(d.k, op, ctx);
        return;
      case 'unlock-pm':
        hotplugUnlockPm(d.k, op, ctx);
        return;
      case 'unlock-state':
        hotplugUnlockState(d.k, op, ctx, mem(d));
        return;
      case 'online-pages':
        onlinePages(op, sc.onlined ?? 4, sc.onlineErr ?? 0);
        return;
      default:
        throw new Error(`unexpected phase ${op.phase}`);
    }
  });
}

function run(s0: S, op: HotplugOp, sc: Script = {}): Run {
  const r: Run = { s: { ...s0, op }, events: [], phases: [], drains: 0 };
  for (let i = 0; i < 200 && r.s.op && !hotplugDone(r.s.op); i++) r.s = stepOp(r.s, 'H', sc, r);
  if (!r.s.op || !hotplugDone(r.s.op)) throw new Error(`op did not finish: ${r.phases.join(' ')}`);
  return r;
}

const offline = (pageblocks = 2): HotplugOp => startOffline(0, 8, pageblocks, cfg);
const chain3 = [
  { id: 'ipc', priority: 10 },
  { id: 'bal', priority: 1 },
  { id: 'node', priority: 0 },
];
const allLocksFree = (k: KernelState): void => {
  for (const l of Object.values(k.locks)) {
    if (l.kind === 'rwsem') expect(l).toMatchObject({ readers: [], writer: null, waiters: [] });
    else expect(l).toMatchObject({ owner: null, waiters: [] });
  }
  expect(k.faults).toEqual([]);
};

describe('request check', () => {
  it('accepts only OFFLINE→ONLINE and ONLINE→OFFLINE', () => {
    expect(stateChangeCheck('offline', 'online')).toBe(0);
    expect(stateChangeCheck('online', 'offline')).toBe(0);
    expect(stateChangeCheck('online', 'online')).toBe(-EINVAL);
    expect(stateChangeCheck('going-offline', 'offline')).toBe(-EINVAL);
    expect(stateChangeCheck('going-offline', 'online')).toBe(-EINVAL);
  });

  it('a rejected request sends no event and leaves the state alone', () => {
    const s = world(chain3);
    const r = run({ ...s, blocks: [{ state: 'offline' }, { state: 'online' }] }, offline());
    expect(r.s.op?.ret).toBe(-EINVAL);
    expect(r.events).toEqual([]);
    expect(r.s.blocks[0]?.state).toBe('offline');
    allLocksFree(r.s.k);
  });
});

describe('offline', () => {
  const found = (id: string): number => (id === 'bal' ? 2 : 0);

  it('happy path: isolate, GOING_OFFLINE, migrate, OFFLINE to the whole chain', () => {
    const r = run(world(chain3), offline(), { movable: (pb) => pb === 0, found, immobile: () => 2 });
    expect(r.s.op?.ret).toBe(0);
    expect(r.events).toEqual(['ipc:GOING_OFFLINE', 'bal:GOING_OFFLINE', 'node:GOING_OFFLINE', 'ipc:OFFLINE', 'bal:OFFLINE', 'node:OFFLINE']);
    expect(r.isolatedAtGoingOffline).toEqual([true, true]);
    expect(r.s.op?.isolated).toEqual([false, false]);
    expect(r.s.blocks[0]?.state).toBe('offline');
    // only the movable pageblock skipped the isolation chain
    expect(r.phases.filter((p) => p === 'isolate-chain').length).toBeGreaterThan(0);
    expect(r.phases.filter((p) => p === 'isolate-check')).toHaveLength(1);
    allLocksFree(r.s.k);
  });

  it('the block is GOING_OFFLINE during the sequence and the pm mutex is held', () => {
    const s0 = { ...world(chain3), op: offline() };
    const r: Run = { s: s0, events: [], phases: [], drains: 0 };
    const sc: Script = { movable: () => true };
    r.s = stepOp(r.s, 'H', sc, r);
    expect(r.s.blocks[0]?.state).toBe('going-offline');
    r.s = stepOp(r.s, 'H', sc, r);
    expect(r.s.k.locks.pm).toMatchObject({ owner: 'H' });
    // a second offline of another block waits for the pm mutex
    const t = produce(r.s, (d) => {
      expect(mutexLock(d.k, 'state1', 'H2')).toBe('acquired');
      expect(mutexLock(d.k, 'pm', 'H2')).toBe('waiting');
    });
    expect(canProceed(t.k, 'H2')).toBe(false);
  });

  it('isolation refusal (chain reports 0 pages): undo, -EBUSY, no memory-chain event at all', () => {
    const r = run(world(chain3), offline(), { movable: (pb) => pb === 0, found: () => 0, immobile: () => 0 });
    expect(r.s.op?.ret).toBe(-EBUSY);
    expect(r.events).toEqual([]);
    expect(r.phases).toContain('undo');
    expect(r.s.op?.isolated).toEqual([false, false]);
    expect(r.s.blocks[0]?.state).toBe('online');
    allLocksFree(r.s.k);
  });

  it('isolation refusal when pages_found does not match the pinned pages', () => {
    const r = run(world(chain3), offline(1), { found, immobile: () => 3 });
    expect(r.s.op?.ret).toBe(-EBUSY);
    expect(r.events).toEqual([]);
    // nothing was isolated, so nothing to undo
    expect(r.phases).not.toContain('undo');
  });

  it('the isolation chain runs under zone->lock: a sleeping callback is flagged, a contender waits', () => {
    const r = run(world(chain3), offline(1), {
      found,
      immobile: () => 2,
      isolateCallback: (d, id) => {
        expect(d.k.locks.zone).toMatchObject({ owner: 'H' });
        // probe contention on a copy: a real waiter would also sit ahead of H's undo (FIFO)
        produce(current(d), (x) => {
          expect(spinLock(x.k, 'zone', 'O')).toBe('waiting');
        });
        mightSleep(d.k, 'H', `${id} mutex_lock`);
        rcuMightSleep(d.k, [d.iso as NotifierChain], 'H', `${id} mutex_lock`);
      },
    });
    expect(r.s.k.faults.map((f) => f.kind)).toEqual(['sleep-in-atomic', 'sleep-in-atomic']);
    expect(r.s.k.faults[0]?.detail).toContain('zone');
    expect(r.s.k.faults[1]?.detail).toContain('iso');
  });

  it('GOING_OFFLINE veto → CANCEL_OFFLINE to the whole chain, including callbacks the veto hid', () => {
    const chain = [
      { id: 'ipc', priority: 10 },
      { id: 'veto', priority: 5 },
      { id: 'bal', priority: 1 },
    ];
    const r = run(world(chain), offline(), {
      movable: () => true,
      cb: (id, val) => (id === 'veto' && val === MEM_GOING_OFFLINE ? NOTIFY_BAD : NOTIFY_OK),
    });
    expect(r.s.op?.ret).toBe(-EPERM);
    expect(r.events).toEqual(['ipc:GOING_OFFLINE', 'veto:GOING_OFFLINE', 'ipc:CANCEL_OFFLINE', 'veto:CANCEL_OFFLINE', 'bal:CANCEL_OFFLINE']);
    expect(r.phases).not.toContain('scan');
    expect(r.s.op?.isolated).toEqual([false, false]);
    expect(r.s.blocks[0]?.state).toBe('online');
    allLocksFree(r.s.k);
  });

  it('a positive errno stops GOING_OFFLINE but the offline goes on as if it succeeded', () => {
    const r = run(world(chain3), offline(), {
      movable: () => true,
      cb: (id, val) => (id === 'bal' && val === MEM_GOING_OFFLINE ? notifierFromErrno(12) : NOTIFY_OK),
      allFree: false,
    });
    expect(r.phases).toContain('scan');
    expect(r.s.op?.ret).toBe(-EBUSY);
    // node never saw GOING_OFFLINE but gets CANCEL_OFFLINE
    expect(r.events).toEqual(['ipc:GOING_OFFLINE', 'bal:GOING_OFFLINE', 'ipc:CANCEL_OFFLINE', 'bal:CANCEL_OFFLINE', 'node:CANCEL_OFFLINE']);
  });

  it('gives up on the 5th failed migration pass, draining before each retry', () => {
    const r = run(world(chain3), offline(), { movable: () => true, passes: ['error', 'error', 'busy', 'error', 'error', 'error'] });
    expect(r.s.op?.ret).toBe(-EBUSY);
    expect(r.phases.filter((p) => p === 'scan')).toHaveLength(6);
    expect(r.drains).toBe(5);
    expect(r.events.slice(-3)).toEqual(['ipc:CANCEL_OFFLINE', 'bal:CANCEL_OFFLINE', 'node:CANCEL_OFFLINE']);
    expect(r.s.blocks[0]?.state).toBe('online');
  });

  it('passes that leave pages behind without an error do not count', () => {
    const r = run(world(chain3), offline(), { movable: () => true, passes: ['busy', 'busy', 'busy', 'busy', 'busy', 'migrated', 'none'] });
    expect(r.s.op?.ret).toBe(0);
    // a drain before each of the 6 repeats, plus the final one
    expect(r.drains).toBe(7);
  });

  it('timeout and signal cancel with -EAGAIN / -EINTR', () => {
    const t = run(world(chain3), offline(), { movable: () => true, giveUp: 'timeout' });
    expect(t.s.op?.ret).toBe(-EAGAIN);
    expect(t.events).toContain('node:CANCEL_OFFLINE');
    const g = run(world(chain3), offline(), { movable: () => true, giveUp: 'signal' });
    expect(g.s.op?.ret).toBe(-EINTR);
  });

  it('busy pages at the final check cancel', () => {
    const r = run(world(chain3), offline(), { movable: () => true, allFree: false });
    expect(r.s.op?.ret).toBe(-EBUSY);
    expect(r.events).not.toContain('ipc:OFFLINE');
    expect(r.events).toContain('ipc:CANCEL_OFFLINE');
  });

  it('the memory-chain walk holds its rwsem for read: a register during GOING_OFFLINE waits', () => {
    const s0 = { ...world(chain3), op: offline() };
    const r: Run = { s: s0, events: [], phases: [], drains: 0 };
    const sc: Script = { movable: () => true };
    while (r.s.op?.phase !== 'going-offline' || r.s.op.call?.stage !== 'walk') r.s = stepOp(r.s, 'H', sc, r);
    const t = produce(r.s, (d) => {
      expect(lockedRegister(d.k, d.memory, { id: 'late', priority: 20 }, 'R')).toBe('waiting');
    });
    expect(t.k.locks.mem_rwsem).toMatchObject({ readers: ['H'] });
    expect(canProceed(t.k, 'R')).toBe(false);
  });
});

describe('online', () => {
  const offlineWorld = (): S => ({ ...world(chain3), blocks: [{ state: 'offline' }, { state: 'offline' }] });

  it('happy path: GOING_ONLINE, online pages, ONLINE', () => {
    const r = run(offlineWorld(), startOnline(0, 8, cfg), { onlined: 8 });
    expect(r.s.op?.ret).toBe(0);
    expect(r.s.op?.onlined).toBe(8);
    expect(r.events).toEqual(['ipc:GOING_ONLINE', 'bal:GOING_ONLINE', 'node:GOING_ONLINE', 'ipc:ONLINE', 'bal:ONLINE', 'node:ONLINE']);
    expect(r.s.blocks[0]?.state).toBe('online');
    allLocksFree(r.s.k);
  });

  it('no MEM_ONLINE when no page came online', () => {
    const r = run(offlineWorld(), startOnline(0, 8, cfg), { onlined: 0 });
    expect(r.s.op?.ret).toBe(0);
    expect(r.events.filter((e) => e.endsWith(':ONLINE'))).toEqual([]);
  });

  it('GOING_ONLINE veto → CANCEL_ONLINE, block stays offline', () => {
    const r = run(offlineWorld(), startOnline(0, 8, cfg), {
      cb: (id, val) => (id === 'ipc' && val === MEM_GOING_ONLINE ? notifierFromErrno(-12) : NOTIFY_OK),
    });
    expect(r.s.op?.ret).toBe(-12);
    expect(r.events).toEqual(['ipc:GOING_ONLINE', 'ipc:CANCEL_ONLINE', 'bal:CANCEL_ONLINE', 'node:CANCEL_ONLINE']);
    expect(r.s.blocks[0]?.state).toBe('offline');
    allLocksFree(r.s.k);
  });

  it('a failure to online the pages → CANCEL_ONLINE', () => {
    const r = run(offlineWorld(), startOnline(0, 8, cfg), { onlineErr: -EBUSY });
    expect(r.s.op?.ret).toBe(-EBUSY);
    expect(r.events.slice(3)).toEqual(['ipc:CANCEL_ONLINE', 'bal:CANCEL_ONLINE', 'node:CANCEL_ONLINE']);
    expect(r.s.blocks[0]?.state).toBe('offline');
  });
});
