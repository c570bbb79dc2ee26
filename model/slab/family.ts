/**
 * The slab family (issue 15): configurations around §7, each changing a few
 * fields so that every boundary and optional event of spec 05 is explored
 * by `explore --family`. Most members run on one CPU (the second CPU of §7
 * multiplies the interleavings; the small configuration itself covers two).
 */
import type { FamilyMember } from '../contract.js';
import type { SlabConfig } from './state.js';

/** The family around `small` (§7: k 2, 2 CPUs, 2 pages, one shrink and one node_mismatch). */
export function slabFamily(small: SlabConfig): FamilyMember<SlabConfig>[] {
  const one: SlabConfig = { ...small, cpus: 1 };
  const m = (name: string, why: string, config: Partial<SlabConfig>, maxStates = 60_000): FamilyMember<SlabConfig> => ({ name, why, config: { ...one, ...config }, maxStates });
  return [
    m('one-cpu', '§7 on one CPU: every context shares the CPU slab', {}),
    m('k-one', 'k = 1: every slab is full as soon as it is created; the lockless list is always empty', { k: 1 }),
    m('k-three', 'k = 3: Peter\'s scenario, two objects left on a reserve CPU slab', { k: 3, allocs: 2, shrinks: 0 }),
    m('pages-zero', 'no page at all: every allocation fails (S3 allows entitled NULL only here)', { pages: 0 }),
    m('pages-one', 'one page: the entitled reserve slab and a plain grow compete for it', { pages: 1 }),
    m('pages-three', 'three pages: a plain page is there after the reserve one', { pages: 3, allocs: 2 }),
    m('pressure-always-on', 'pressure on from the start and never lifted', { pressure: true, toggles: 0 }),
    m('pressure-never', 'no pressure and no toggle: the reserve is never needed', { pressure: false, toggles: 0 }),
    m('pressure-one-toggle', 'pressure on, lifted once', { pressure: true, toggles: 1 }),
    m('no-shrink-no-mismatch', 'the optional events absent', { shrinks: 0, mismatches: 0 }),
    m('shrinks-two', 'two shrinks', { shrinks: 2, mismatches: 0, allocs: 2 }),
    m('allocs-one', 'one allocation per context (a budget)', { allocs: 1 }),
    m('allocs-zero', 'no allocation: only frees and events (nothing happens)', { allocs: 0 }),
    m('two-caches', 'two caches on one CPU', { caches: 2, pages: 2, allocs: 2, shrinks: 0, mismatches: 0 }),
    m('two-cpus-migrate', 'two CPUs and a migration of an idle context', { cpus: 2, migrations: 1, allocs: 1, toggles: 1, shrinks: 0, mismatches: 0 }),
    m('migrate-one-page', 'two-cpus-migrate shrunk to one page under constant pressure: small enough to be explored completely by the mutation check', { cpus: 2, migrations: 1, allocs: 1, pages: 1, pressure: true, toggles: 0, shrinks: 0, mismatches: 0 }),
    m('two-cpus-three-pages', 'two CPUs, k = 1 and three pages: two CPU slabs can hold two pages other than page 0, so the state key must tell which CPU holds which', { cpus: 2, k: 1, allocs: 1, pages: 3, toggles: 0, shrinks: 0, mismatches: 0 }),
    m('pressure-two-toggles', 'pressure on, lifted and set again: a toggle budget above one, on one page', { pages: 1, pressure: true, toggles: 2, allocs: 1 }),
  ];
}
