/**
 * The property side's own loan target: spec 02 §2's `cmm_get_mpp` written
 * again from the spec text, apart from mpp.ts (which T4 calls), so B7 does
 * not judge the thread with the function it is judging. The model may not
 * import this module.
 */

/** What B7 reads to know the target. */
export interface TargetInputs {
  readonly totalram: number;
  readonly loaned: number;
  readonly loanRequest: number;
  readonly oomFreed: number;
}

/**
 * The target of spec 02 §2, with `min_mem` in pages: the hypervisor's
 * request on top of what is loaned, nothing when that is negative or memory
 * is below min_mem, less what the OOM notifier freed, and never leaving the
 * guest under min_mem.
 */
export function specTarget(s: TargetInputs, minMem: number): number {
  const total = s.totalram + s.loaned;
  const wanted = s.loanRequest + s.loaned;
  const base = wanted < 0 || total < minMem ? 0 : wanted;
  const afterOom = Math.max(base - s.oomFreed, 0);
  const ceiling = total - minMem;
  return Math.max(Math.min(afterOom, ceiling), 0);
}
