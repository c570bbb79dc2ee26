/**
 * The property side's own msgmni: spec 01's formula written again from the
 * spec text, apart from formula.ts (which the model's recompute calls), so a
 * fault in the model's formula or in the constants it is given cannot agree
 * with itself. The model may not import this module.
 *
 * Kernel form (§2): lowmem pages, 4 KiB pages, MSG_MEM_SCALE 32, MSGMNB
 * 16384, lower clamp MSGMNI 16 tested first, upper clamp IPCMNI 32768 / n.
 * Scaled form (§7): `clamp(L / n, lo = 1, hi = 8 / n)`, lower bound first.
 */

/** The clamp bounds of the spec for `n` namespaces: the lower one, then the upper one (already divided by n). */
function bounds(form: 'kernel' | 'scaled', n: number): { low: number; high: number } {
  return form === 'kernel' ? { low: 16, high: Math.floor(32768 / n) } : { low: 1, high: Math.floor(8 / n) };
}

/** Queues' worth of lowmem for each of `n` namespaces, before clamping. */
function share(form: 'kernel' | 'scaled', L: number, n: number): number {
  if (form === 'scaled') return Math.floor(L / n);
  // lowmem is divided by 32 (in pages) before it is turned into bytes
  const bytes = Math.floor(L / 32) * 4096;
  return Math.floor(Math.floor(bytes / 16384) / n);
}

/** What the spec says msgmni must be for lowmem `L` and `n` namespaces. */
export function expectedMsgmni(form: 'kernel' | 'scaled', L: number, n: number): number {
  const a = share(form, L, n);
  const { low, high } = bounds(form, n);
  if (a < low) return low;
  return Math.min(a, high);
}

/** P1's range for `n`: `[min(low, high), max(low, high)]` (the upper clamp may fall below the lower one). */
export function allowedRange(form: 'kernel' | 'scaled', n: number): readonly [number, number] {
  const { low, high } = bounds(form, n);
  return [Math.min(low, high), Math.max(low, high)];
}
