/**
 * The hotplug task's kernel sequence (00 §4, kernel/hotplug.ts) between its
 * visible steps: the steps nobody else can observe (state_mutex, pm mutex,
 * a walk's enter/exit, callbacks that cannot veto, a scan that finds no LRU
 * page, the drain) are taken in the action of the preceding visible step of
 * H. Shared by the environment's requests (env.ts) and H's steps (hotplug.ts).
 */
import type { Draft } from 'immer';
import {
  type HotplugConfig,
  type HotplugOp,
  MEM_CANCEL_OFFLINE,
  MEM_GOING_OFFLINE,
  MEM_OFFLINE,
  hotplugCallDone,
  hotplugLockPm,
  hotplugLockState,
  hotplugUnlockPm,
  hotplugUnlockState,
  hotplugWalking,
  isolateBegin,
  offlineDrained,
  offlineRepeat,
  offlineScan,
  onlinePages,
} from '../../kernel/hotplug.js';
import { type NotifierChain, NOTIFY_OK, callEnter, callExit, callNext, callReturn } from '../../kernel/notifier.js';
import type { OpGhost } from '../state.js';
import { type DS, type Kit, type S, PM_MUTEX, ZONE_LOCK, opOf, stateMutex } from './kit.js';

/** The ghosts of an offline that has not begun. */
export const freshGhost = (): OpGhost => ({ lateA6: false, cbFailed: 'none', unloaned: 0, betweenG1U1: false });

/** The chains and locks of a hotplug request for block `b`. */
export function hotplugCfg(b: number): HotplugConfig {
  return { memoryChain: 'memory', isolateChain: 'isolate', stateMutex: stateMutex(b), pmMutex: PM_MUTEX, zoneLock: ZONE_LOCK };
}

/** The hotplug task's moves between visible steps. */
export interface Sequence {
  /** Takes every step nobody else can observe, and stops before a visible one. */
  advance(d: DS): void;
  /** Offline step 1 for the op's current pageblock: spin_lock(zone_lock); MOVABLE → isolate, else enter the isolation chain. */
  isolate(d: DS): void;
  /** Online step 2: online the pages (totalram, watermarks), then MEM_ONLINE. */
  onlineStep(d: DS): void;
  /** A memory-chain callback that is a visible step: CMM's GOING_OFFLINE, a non-trivial U1, a callback that may veto. */
  visibleCallback(s: S | DS, id: string, val: number): boolean;
}

/** The hotplug sequence of one machine. */
export function hotplugSequence(x: Kit): Sequence {
  const { f, c, g } = x;

  const visibleCallback = (s: S | DS, id: string, val: number): boolean => {
    if (id === 'cmm') {
      if (val === MEM_GOING_OFFLINE) return true;
      if (val === MEM_OFFLINE || val === MEM_CANCEL_OFFLINE) return f.handLock || f.unbalancedUnlock || s.H.cmm.holds;
      return false;
    }
    if (val !== MEM_GOING_OFFLINE) return false;
    return id === 'other5' || (id === 'other0' && c.veto0);
  };

  const finishOp = (d: DS): void => {
    const op = opOf(d);
    if (op.op === 'offline' && op.accepted && op.ret !== 0) d.b10 += d.H.ghost.unloaned;
    d.H.op = null;
    d.H.cmm = { pc: null, holds: d.H.cmm.holds, frees: [] };
    d.H.ghost = freshGhost();
  };

  const advance = (d: DS): void => {
    for (let guard = 0; guard < 200; guard++) {
      const op = d.H.op;
      if (!op || d.oops !== null) return;
      if (hotplugWalking(op as HotplugOp)) {
        const call = op.call;
        if (!call) return;
        const chain: Draft<NotifierChain> = call.chain === 'memory' ? d.memory : d.isolate;
        if (call.stage === 'enter') {
          callEnter(x.k(), call, chain, 'H');
          continue;
        }
        if (call.stage === 'walk') {
          const id = call.cur;
          if (id === null) {
            callNext(call, chain);
            continue;
          }
          if (call.chain === 'isolate' || visibleCallback(d, id, call.val)) return;
          callNext(call, chain);
          callReturn(call, NOTIFY_OK);
          continue;
        }
        if (call.stage === 'exit') {
          callExit(x.k(), call, chain, 'H');
          hotplugCallDone(op);
          continue;
        }
        return; // a callback is running
      }
      const block = d.blocks[op.block];
      if (!block) throw new Error(`no block ${op.block}`);
      switch (op.phase) {
        case 'lock-state':
          if (hotplugLockState(x.k(), op, 'H', block) === 'waiting') return;
          continue;
        case 'lock-pm':
          if (hotplugLockPm(x.k(), op, 'H') === 'waiting') return;
          continue;
        case 'repeat':
          offlineRepeat(op, null);
          continue;
        case 'drain':
          offlineDrained(op);
          continue;
        case 'scan':
          if (g.pagesOfBlock(op.block).some((p) => d.pages[p] === 'other_movable')) return;
          offlineScan(op, 'none');
          continue;
        case 'unlock-pm':
          hotplugUnlockPm(x.k(), op, 'H');
          continue;
        case 'unlock-state':
          hotplugUnlockState(x.k(), op, 'H', block);
          continue;
        case 'done':
          finishOp(d);
          return;
        default:
          return; // isolate, isolate-check, check, offline-pages, undo, online-pages: visible steps
      }
    }
    throw new Error('hotplug sequence did not reach a visible step');
  };

  const isolate = (d: DS): void => {
    const op = opOf(d);
    if (op.phase !== 'isolate') return;
    const pb = op.block * c.pageblocksPerBlock + op.pageblock;
    if (isolateBegin(x.k(), op, 'H', c.movable[pb] === true) === 'waiting') return;
    advance(d);
  };

  const onlineStep = (d: DS): void => {
    const op = opOf(d);
    if (op.phase !== 'online-pages') return;
    const block = d.blocks[op.block];
    if (!block) throw new Error('no block');
    block.present = true;
    d.totalram += g.pagesPerBlock;
    onlinePages(op, g.pagesPerBlock);
    advance(d);
  };

  return { advance, isolate, onlineStep, visibleCallback };
}
