/**
 * The errno values the kernel primitives return (include/asm-generic/errno-base.h).
 * Functions return them negated, as the kernel does (`-ENOENT`).
 */

/** Not permitted: what NOTIFY_BAD decodes to. */
export const EPERM = 1;
/** No such entry (notifier unregister of an absent block). */
export const ENOENT = 2;
/** Interrupted by a signal (offline loop). */
export const EINTR = 4;
/** Try again (offline timeout). */
export const EAGAIN = 11;
/** Out of memory. */
export const ENOMEM = 12;
/** Busy (isolation refused, pages still in use). */
export const EBUSY = 16;
/** Invalid request (memory-block state change from the wrong state). */
export const EINVAL = 22;
