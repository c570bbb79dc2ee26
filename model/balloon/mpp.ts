/**
 * cmm_get_mpp (T4, spec 02 §2): the loan target the cmm thread computes.
 * Its own module so a test can replace it and show that B7, which judges
 * with model/balloon/mpp-oracle.ts, does not agree with a faulty target.
 */
import type { BalloonState } from './state.js';

/** cmm_get_mpp (T4, spec 02 §2): the loan target. */
export function mppTarget(s: Pick<BalloonState, 'totalram' | 'loaned' | 'loanRequest' | 'oomFreed'>, minMem: number): number {
  const total = s.totalram + s.loaned;
  let t = s.loanRequest + s.loaned;
  if (t < 0 || total < minMem) t = 0;
  t = t > s.oomFreed ? t - s.oomFreed : 0;
  if (total - t < minMem) t = total - minMem;
  return Math.max(t, 0);
}
