/**
 * What makes a balloon variant differ from the reference (spec 02 §6, §6b),
 * and CMM's notifier priorities. In a module of its own so that the
 * properties, which read a flag or two, need not import the model.
 */

/** CMM_MEM_HOTPLUG_PRI. */
export const CMM_MEM_HOTPLUG_PRI = 1;
/** CMM_MEM_ISOLATE_PRI. */
export const CMM_MEM_ISOLATE_PRI = 15;
/** V3's CMM memory-callback priority: above the vetoing priority-5 callback. */
export const V3_PRI = 10;

/** Behaviour switches of one variant (all false / priority 1: `reference`). */
export interface BalloonFlags {
  /** V1: atomics `hotplug_active`/`hotplug_occurred` instead of mutex + int. */
  readonly handLock: boolean;
  /** robert: B6 without the "no ALLOC iteration between A2 and A6" clause (a property switch). */
  readonly robertB6: boolean;
  /** V2: list pages not counted by I and not relocated (no G5). */
  readonly movableMeta: boolean;
  /** CMM's memory-chain priority (1; V3: 10). */
  readonly cmmPriority: number;
  /** W1: pages freed under cmm_lock (F2, G4, A4, G5). */
  readonly freeUnderLock: boolean;
  /** W2: G5 allocates with GFP_NOIO under cmm_lock. */
  readonly g5Sleeps: boolean;
  /** W3: U1 unlocks the mutex whether or not G1 took it. */
  readonly unbalancedUnlock: boolean;
  /** W4: G5's failure returns +ENOMEM. */
  readonly positiveErrno: boolean;
  /** W5: G4 advances twice when the head empties during its own scan. */
  readonly compactionSkip: boolean;
}
