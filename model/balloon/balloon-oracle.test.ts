/**
 * balloon's B3 and B7 judge with their own records: B3 with a ghost written
 * at G1 and U1 (not the W3 fix's `holds` flag), B7's eventually-form with
 * spec 02 §2's target written again in model/balloon/mpp-oracle.ts (not the
 * `cmm_get_mpp` T4 calls). Here mpp.ts is replaced by a target one page
 * short of min_mem's cap: the thread reaches that target and stops, which
 * B7 used to accept (it asked the same function); now it is a lasso.
 */
import { describe, expect, test, vi } from 'vitest';
import type { Transition } from '../contract.js';
import { SMALL } from './config.js';
import { balloonMachine, balloonModel } from './model.js';
import { specTarget } from './mpp-oracle.js';
import type { BalloonAction, BalloonState } from './state.js';
import { checkLiveness } from '../../properties/liveness.js';

vi.mock('./mpp.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./mpp.js')>();
  // the fault: the min_mem cap leaves one page more than min_mem
  return { mppTarget: (s: Parameters<typeof real.mppTarget>[0], minMem: number) => Math.max(0, Math.min(real.mppTarget(s, minMem), s.totalram + s.loaned - minMem - 1)) };
});

describe('balloon oracles and ghosts', () => {
  test('a thread that loans to a faulty target fails B7 (its target is the spec\'s, not the model\'s)', () => {
    const r = checkLiveness(balloonModel.machine('reference', { ...SMALL, offlineEvents: 0, onlineEvents: 0, vetoCallback: false, allocFail: false, loanRequests: [3] }));
    expect(r.violations.get('B7')?.property).toBe('B7');
  });

  test('the oracle gives the spec\'s target', () => {
    const s = { totalram: 8, loaned: 0, loanRequest: 3, oomFreed: 0 };
    expect(specTarget(s, 5)).toBe(3); // request 3, total 8: 8 − 3 = 5 = min_mem
    expect(specTarget({ ...s, loanRequest: 5 }, 5)).toBe(3); // capped at total − min_mem
    expect(specTarget({ ...s, loanRequest: -1 }, 5)).toBe(0); // a negative request
    expect(specTarget({ ...s, totalram: 4 }, 5)).toBe(0); // total below min_mem
    expect(specTarget({ ...s, oomFreed: 2 }, 5)).toBe(1); // less what OOM freed
    expect(specTarget({ ...s, oomFreed: 4 }, 5)).toBe(0);
    expect(specTarget({ totalram: 5, loaned: 3, loanRequest: 0, oomFreed: 0 }, 5)).toBe(3); // t = request + loaned
  });

  test('B3 reads the G1…U1 ghost: a U1 that neither unlocks nor clears the fix\'s flag is caught', () => {
    const m = balloonMachine('reference', SMALL);
    const p = m.properties.find((x) => x.name === 'B3');
    if (!p || p.kind !== 'always') throw new Error('B3');
    const s0 = m.init();
    const lock = s0.k.locks.hotplug_mutex;
    if (lock?.kind !== 'mutex') throw new Error('no mutex');
    // after such a U1: H still owns the mutex and `holds` still says so; only the ghost knows U1 ran
    const after: BalloonState = { ...s0, k: { ...s0.k, locks: { ...s0.k.locks, hotplug_mutex: { ...lock, owner: 'H', count: 0 } } }, H: { ...s0.H, cmm: { ...s0.H.cmm, holds: true } } };
    const t: Transition<BalloonState, BalloonAction> = { next: after };
    expect(after.H.cmm.holds && after.H.ghost.betweenG1U1 === false).toBe(true);
    expect(p.check(t)).toMatch(/owns hotplug_mutex outside G1…U1/);
    expect(p.check({ next: { ...after, H: { ...after.H, ghost: { ...after.H.ghost, betweenG1U1: true } } } })).toBeUndefined();
  });
});
