/**
 * What the race check (spec 06 §5, `mmcheck races balloon`) leaves out of
 * the balloon, and why. Everything else the steps read or write is kernel
 * data, and two contexts that reach it hold a common lock — except
 * `totalram`, which the check reports on purpose (see the model's header).
 */
import type { BalloonFlags } from './flags.js';

/** The balloon's exempt fields for one variant's flags. */
export function balloonRaceExempt(f: BalloonFlags): Readonly<Record<string, string>> {
  return {
    pages:
      "the page allocator's page states: every allocator operation (alloc, free, isolation, migration) is one atomic step of model/kernel/allocator.ts, taken under zone->lock in the kernel",
    'H.op':
      "the hotplug task's call frame; its `isolated` flags stand for the pageblocks' migratetype, which the allocation and free paths read without zone->lock as the kernel's get_pageblock_migratetype() does",
    T: "the cmm thread's program counter and locals; another context reads them only in G1's ghost code (B5's allowance)",
    'H.ghost': 'ghost (whether A6 listed a page of a block being offlined), for the properties only',
    pause: "ghost (B5's record of the pause G1 asked for), for the properties only",
    loanRequest: "written by the hypervisor (the environment's hv event); cmm_thread reads loan_request without a lock, as the kernel does",
    loaned:
      "T5 compares loaned_pages with its target without cmm_lock, as cmm_thread does in the kernel; every write is under cmm_lock, and a stale value only moves the next round's decision, which ALLOC and FREE act on under cmm_lock",
    target:
      "loaned_pages_target: cmm_thread stores its new target and the OOM notifier stores `loaned_pages` into it, each a whole word with no lock, as in the kernel; either store may come last, and the model explores both orders",
    oomFreed: 'oom_freed_pages: only the OOM notifier adds to it; cmm_thread reads it without a lock in cmm_get_mpp, as in the kernel',
    ...(f.handLock ? { active: "V1's atomic hotplug_active: a marked access (spec 06 §1; --memory lkmm)", occurred: "V1's atomic hotplug_occurred: a marked access (spec 06 §1; --memory lkmm)" } : {}),
  };
}
