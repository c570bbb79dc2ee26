/**
 * The reserve family (issue 15): configurations around §7, each changing a
 * few fields so that every boundary, optional event and size class of spec 04
 * is explored by `explore --family`. The base keeps §7's zone and tree with
 * one request per entitled context and no set (the §7 budgets multiply the
 * interleavings); members add back what they are about.
 *
 * Two members run in bytes with the real SLUB kmalloc classes (`units:
 * 'bytes'`): the 96- and 192-byte caches exist there, objects pack ⌊4096 /
 * size⌋ to a page, and each is charged roundup_pow_of_two(ksize) — 128 and
 * 256 bytes — which §7's power-of-two units cannot tell apart from ksize.
 *
 * Bytes expose a finding §7's units cannot express: r sized by the pages
 * setter (limit = pages × 4096) backs the pool page by page, but each kmalloc
 * cache takes its own slab, so two small objects of two caches (96 and 192
 * bytes, 384 bytes charged of one page's 4096) take two pool pages when
 * root.pages is 1 (R3, in model/reserve/reserve.test.ts). The 2009 kmalloc
 * setter adds one slab per cache for this reason; the pages setter does not.
 * The member keeps one request per entitled context, where the reference holds.
 *
 * Not a member: a set that shrinks r. The reference has finding F1 there
 * (model header), so it does not hold; the F1 variant covers it.
 */
import type { FamilyMember } from '../contract.js';
import type { AllocatorSpec, ReserveConfig } from './state.js';

/** The family around `small` (§7: zone 6, min 1, r 2 pages, sizes {1, 3, 4}, E1, E2, P). */
export function reserveFamily(small: ReserveConfig): FamilyMember<ReserveConfig>[] {
  const once = (a: AllocatorSpec): AllocatorSpec => ({ ...a, allocs: 1 });
  const allocators = small.allocators.map(once);
  const base: ReserveConfig = { ...small, allocators, sets: 0, reclaims: [] };
  const m = (name: string, why: string, config: Partial<ReserveConfig>, maxStates = 60_000): FamilyMember<ReserveConfig> => ({ name, why, config: { ...base, ...config }, maxStates });
  const entitled = allocators.filter((a) => a.entitled);
  return [
    m('bytes-extra-caches', 'bytes with the real kmalloc classes: 96- and 192-byte objects charged 128 and 256, a whole-page object; r of one page', { units: 'bytes', pages: 1, sizes: [96, 192, 4096] }),
    m('bytes-class-edges', 'bytes: each side of the class edges (8, 64 | 65, 128 | 129): 8, 64, 96, 128, 192-byte caches', { units: 'bytes', pages: 1, sizes: [8, 65, 129], allocators: entitled }),
    m('sizes-min-object', 'every request below KMALLOC_MIN: 1-unit requests in 2-unit objects', { sizes: [1] }),
    m('sizes-page-object', 'page-sized requests only: every object takes a page', { sizes: [4] }),
    m('zone-at-floor', 'free pages exactly at min + emerg: regular attempts fail from the start', { free: 3 }),
    m('zone-above-floor', 'one free page above min + emerg', { free: 4 }),
    m('min-zero', 'a zero min watermark', { min: 0 }),
    m('r-zero-pages', 'r with no pages: every charge fails, waiters sleep', { pages: 0, free: 4 }),
    m('r-one-page', 'r of one page: one page-sized charge fills it', { pages: 1 }),
    m('no-pressure', 'no pressure event', { pressures: [] }),
    m('pressure-and-reclaim', 'pressure, then reclaim giving pages back', { pressures: [3], reclaims: [2] }),
    m('set-grow', 'a pages set growing r (§7\'s set) while allocations run', { sets: 1, allocators: entitled, pressures: [] }),
    m('set-same-size', 'a set to r\'s current size (δ = 0: no ADJ)', { sets: 1, setValues: [2], allocators: [], pressures: [] }),
    m('set-kmalloc', 'the kmalloc setter (2009 estimate)', { sets: 1, setKind: 'kmalloc', setValues: [4], allocators: [], pressures: [] }),
    m('two-sets', 'two concurrent setters (mem_reserve_mutex)', { sets: 2, setValues: [3], allocators: [], pressures: [] }),
    m('swap-off-and-on', 'swapoff then swapon: r detached, set, reconnected', { sets: 0, swapons: 1, swapoffs: 1, allocators: entitled.map((a) => ({ ...a, allocs: 1 })), pressures: [] }),
    m('starts-detached', 'r not connected at the start (swap off): swapon connects it', { connected: false, pages: 0, swapons: 1, swapoffs: 0, allocators: [], pressures: [] }),
    m('set-raises-limit-for-waiter', 'r of one page, a page-sized waiter in K5, then a set raising r to two pages (the limit rise must wake it: W2)', { pages: 1, free: 4, sizes: [4], allocators: [{ ...entitled[0]!, allocs: 2 }], sets: 1, setValues: [2], pressures: [2], reclaims: [2] }),
    m('two-requests-waiting', 'the entitled context that may wait makes two requests (K5 sleep and wake by free)', { allocators: [{ ...entitled[0]!, allocs: 2 }, ...allocators.filter((a) => !a.entitled)], pages: 1, sizes: [4] }),
  ];
}
