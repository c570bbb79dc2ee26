/**
 * Spec 02 §3, T — the cmm thread's round: T1–T4 in one step (T1 only reads
 * `stop`; T holds the mutex only from T2 to T3, where G1 just waits; T3's
 * unlock commutes with every step that writes T4's inputs), T3's
 * hotplug_delay sleep, and T5, which calls ALLOC (alloc.ts) or FREE (free.ts).
 */
import { castDraft } from 'immer';
import { atomicDecIfPositive } from '../../kernel/atomic.js';
import { mutexTrylock, mutexUnlock } from '../../kernel/locks.js';
import { type Rule, rulesFor, when } from '../../rules.js';
import { mppTarget } from '../mpp.js';
import { freeCall, type BalloonState } from '../state.js';
import { HOTPLUG_MUTEX, type Kit, toSleep } from './kit.js';

const rule = rulesFor<BalloonState>();

/** T's own steps, outside ALLOC and FREE. */
export function threadRules(x: Kit): Rule<BalloonState>[] {
  const { f, c } = x;
  return [
    rule({
      step: 'T1',
      fn: 'cmm_thread',
      enabled: (s) => when(s.T.pc === 'sleep'),
      ctx: 'T',
      apply: (d) => {
        if (d.stop) {
          d.T.pc = 'exited';
          return;
        }
        // T2
        if (f.handLock ? d.active !== 0 : !mutexTrylock(x.k(), HOTPLUG_MUTEX, 'T')) {
          d.T.pc = 'sleep';
          return;
        }
        // T3
        let occurred: boolean;
        if (f.handLock) {
          const r = atomicDecIfPositive(d.occurred);
          d.occurred = r.value;
          occurred = r.ret >= 0;
        } else {
          occurred = d.occurred !== 0;
          if (occurred) d.occurred = 0;
          mutexUnlock(x.k(), HOTPLUG_MUTEX, 'T');
        }
        if (occurred) {
          d.T.pc = 'sleep_hp';
          if (d.pause.phase === 'after') d.pause.phase = 'delay';
          return;
        }
        // T4
        d.target = mppTarget(d, c.minMem);
        d.T.pc = 'T5';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'msleep(delay) ends (stop → exit); T2 mutex_trylock (fail → sleep); T3 occurred → clear, unlock, sleep hotplug_delay, else unlock; T4 cmm_get_mpp → target',
    }),
    rule({
      name: 'T3_sleep',
      step: 'T3',
      fn: 'cmm_thread',
      enabled: (s) => when(s.T.pc === 'sleep_hp'),
      ctx: 'T',
      apply: (d) => {
        d.T.pc = d.stop ? 'exited' : 'sleep';
        if (d.pause.phase === 'delay') d.pause = { phase: 'none', allowance: false, resumable: true };
      },
      // Stryker disable next-line all: trace text only
      text: () => 'msleep_interruptible(hotplug_delay) ends (stop → exit)',
    }),
    rule({
      step: 'T5',
      fn: 'cmm_thread',
      enabled: (s) => when(s.T.pc === 'T5'),
      ctx: 'T',
      apply: (d) => {
        if (d.target > d.loaned) {
          d.T.alloc = { pc: 'A1', nr: d.target - d.loaned, p: null, m: null, frees: [], then: 'exit' };
          d.T.pc = 'alloc';
        } else if (d.target < d.loaned) {
          d.T.free = castDraft(freeCall(d.loaned - d.target));
          d.T.pc = 'free';
        } else toSleep(d);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'target > loaned → ALLOC; target < loaned → FREE',
    }),
  ];
}
