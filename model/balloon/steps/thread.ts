/**
 * Spec 02 §3, T — the cmm thread's round: T1–T4 in one step (T1 only reads
 * `stop`; T holds the mutex only from T2 to T3, where G1 just waits; T3's
 * unlock commutes with every step that writes T4's inputs) — in V1, whose
 * atomics have no mutex, T1–T2, T3 and T4 are three steps —, T3's
 * hotplug_delay sleep, and T5, which calls ALLOC (alloc.ts) or FREE (free.ts).
 */
import { castDraft, type Draft } from 'immer';
import { mutexTrylock, mutexUnlock } from '../../kernel/locks.js';
import { type Rule, rulesFor, when } from '../../rules.js';
import { mppTarget } from '../mpp.js';
import { freeCall, type BalloonState } from '../state.js';
import { HOTPLUG_MUTEX, type Kit, type S, toSleep } from './kit.js';
import { atomicReadAt, decChoices, decIfPositiveAt, readChoices } from './marked.js';

const rule = rulesFor<BalloonState>();

/** T1's instances: one; under `lkmm` (V1), one per message of `active` T2 may read (none read once `stop` is set). */
function t1Choices(s: S): readonly { readonly rd?: number }[] {
  return !s.k.mem || s.stop ? [{}] : readChoices(s, 'T', 'active').map(({ t }) => ({ rd: t }));
}

/** V1's T3 instances: one; under `lkmm`, one per way `atomic_dec_if_positive` may go (the message it reads, and whether it decrements). */
function t3Choices(s: S): readonly { readonly rmw?: number; readonly fails?: boolean }[] {
  return s.k.mem ? decChoices(s.k.mem).map((c) => ({ rmw: c.t, fails: c.fails })) : [{}];
}

/** T's own steps, outside ALLOC and FREE. */
export function threadRules(x: Kit): Rule<BalloonState>[] {
  const { f, c } = x;
  /** The end of T3 (sleep hotplug_delay when a hotplug occurred), else T4. */
  const t3End = (d: Draft<BalloonState>, occurred: boolean): void => {
    if (occurred) {
      d.T.pc = 'sleep_hp';
      if (d.pause.phase === 'after') d.pause.phase = 'delay';
      return;
    }
    // V1's T4 is a step of its own: it reads loaned and totalram with no lock, after T3's lockless read
    if (f.handLock) d.T.pc = 'T4';
    else t4(d);
  };

  /** T4: cmm_get_mpp → target. */
  const t4 = (d: Draft<BalloonState>): void => {
    d.target = mppTarget(d, c.minMem);
    d.T.pc = 'T5';
  };

  return [
    rule({
      step: 'T1',
      fn: 'cmm_thread',
      enabled: (s) => (s.T.pc === 'sleep' ? t1Choices(s) : []),
      ctx: 'T',
      apply: (d, { rd }) => {
        if (d.stop) {
          d.T.pc = 'exited';
          return;
        }
        // T2; V1's T3 is a step of its own (below): G1 and U1 write its atomics with no lock
        if (f.handLock) {
          d.T.pc = atomicReadAt(x, d, 'T', 'active', rd) !== 0 ? 'sleep' : 'T3';
          return;
        }
        if (!mutexTrylock(x.k(), HOTPLUG_MUTEX, 'T')) {
          d.T.pc = 'sleep';
          return;
        }
        // T3
        const occurred = d.occurred !== 0;
        if (occurred) d.occurred = 0;
        mutexUnlock(x.k(), HOTPLUG_MUTEX, 'T');
        t3End(d, occurred);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { rd }) =>
        f.handLock
          ? `msleep(delay) ends (stop → exit); T2 atomic_read(&hotplug_active)${rd !== undefined ? ` reads message ${rd}` : ''} (set → sleep)`
          : 'msleep(delay) ends (stop → exit); T2 mutex_trylock (fail → sleep); T3 occurred → clear, unlock, sleep hotplug_delay, else unlock; T4 cmm_get_mpp → target',
    }),
    rule({
      name: 'T3',
      step: 'T3',
      fn: 'cmm_thread',
      enabled: (s) => (s.T.pc === 'T3' ? t3Choices(s) : []),
      ctx: 'T',
      apply: (d, a) => t3End(d, decIfPositiveAt(x, d, a)),
      // Stryker disable next-line all: trace text only
      text: (_, a) =>
        `atomic_dec_if_positive(&hotplug_occurred)${a.rmw !== undefined ? ` ${a.fails ? 'reads' : 'decrements'} message ${a.rmw}` : ''} (≥ 0 → sleep hotplug_delay)`,
    }),
    rule({
      step: 'T4',
      fn: 'cmm_thread',
      enabled: (s) => when(s.T.pc === 'T4'),
      ctx: 'T',
      apply: (d) => t4(d),
      // Stryker disable next-line all: trace text only
      text: () => 'cmm_get_mpp → target',
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
