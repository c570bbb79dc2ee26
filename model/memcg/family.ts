/**
 * The memcg family (issue 15): configurations around the small one, each
 * changing a few fields so that every boundary, optional event and input
 * form of spec 03 is explored by `explore --family`, each member small enough
 * to complete. The base drops the charger and the uncharge (which multiply
 * the interleavings) unless the member is about them.
 */
import type { FamilyMember } from '../contract.js';
import type { MemcgConfig } from './state.js';

/** The family around `small` (the exhaustive configuration; usage starts at 3 pages, limit 4). */
export function memcgFamily(small: MemcgConfig): FamilyMember<MemcgConfig>[] {
  const base: MemcgConfig = { ...small, charges: 0, uncharges: 0, shrinkInputs: ['8K'], limitInputs: [] };
  const m = (name: string, why: string, config: Partial<MemcgConfig>, maxStates = 50_000): FamilyMember<MemcgConfig> => ({ name, why, config: { ...base, ...config }, maxStates });
  return [
    // inputs of every syntactic form the spec names (§2 Parse)
    m('input-suffixes', 'K/k, M/m, G/g suffixes: the limit rises far above usage, a shrink to 1M succeeds at once', { shrinkInputs: ['4k', '1M'], limitInputs: ['1G', '1m'] }),
    m('input-bases', 'hex and octal (0x2000 = 8K, 010K = 8K), hex digits a and F at the ends of their range, upper-case 0X', { shrinkInputs: ['0x2000', '010K', '0xa00'], limitInputs: ['0X4000', '0x3F00'] }),
    m('input-not-page-multiple', '4097 and 1 round up to a page multiple (8K, 4K)', { shrinkInputs: ['4097', '1'], limitInputs: ['12289'] }),
    m('input-empty-and-newline', 'the empty write is 0; trailing whitespace (tab, CR, LF, VT, FF) is stripped; a NUL ends the string', { shrinkInputs: ['', '8K\n', '4K\t\r\n'], limitInputs: ['16K\v\f', '16K\0junk'] }),
    m('input-malformed', 'leading blank (v2.6.27), unknown suffix, sign, bare 0x, too long: -EINVAL / -E2BIG', { shrinkInputs: [' 8K', '\t8K', '12X', '-1', '0x', '0'.repeat(63)], limitInputs: ['8KB'] }),
    m('input-near-wrap', 'sizes within PAGE_SIZE−1 of 2^64 (decimal and hex), whose round-up wraps (W1): clamped to unlimited', { shrinkInputs: ['18446744073709551615'], limitInputs: ['0XFFFFFFFFFFFFFFFF', '18446744073709547520'] }),
    // limit and usage at their boundaries
    m('limit-at-usage', 'the initial limit equals usage: a charge is over the limit at once', { limitPages: 3, charges: 1 }, 100_000),
    m('limit-unlimited', 'the initial limit is LLONG_MAX (no limit written yet)', { limitPages: null, charges: 1, reclaimable: 1, limitInputs: ['8K'], shrinkInputs: ['4K'] }),
    m('usage-zero', 'an empty group: every write succeeds at its first S3/L3', { reclaimable: 0, pinned: 0, limitPages: 0, shrinkInputs: ['0', '4K'], limitInputs: ['0'] }),
    m('all-pinned', 'nothing reclaimable: every reclaim frees 0 pages, the write ends in -EBUSY', { reclaimable: 0, pinned: 3, shrinkInputs: ['4K'] }),
    m('one-reclaimable', 'reclaim frees exactly one page once', { reclaimable: 1, pinned: 0, limitPages: 1, shrinkInputs: ['0'] }),
    // the loop's constants on each side
    m('retries-zero', 'MEM_CGROUP_RECLAIM_RETRIES 0: -EBUSY after the first failed S3 without reclaiming', { retries: 0 }),
    m('retries-one', 'one retry', { retries: 1, shrinkInputs: ['0', '8K'] }),
    m('swap-cluster-two', 'SWAP_CLUSTER_MAX 2: a reclaim of one page reports 0 (v2.6.27 progress rule differs)', { swapClusterMax: 2, reclaimMax: 2, shrinkInputs: ['0', '4K'] }),
    m('reclaim-max-one', 'a reclaim call frees at most one page', { reclaimMax: 1, shrinkInputs: ['0'] }),
    // optional events present (the base has them absent)
    m('signals', 'a pending signal ends a write with -EINTR at S2', { signals: true, limitInputs: ['8K'] }),
    m('second-limit-writer', 'two limit writers (W3) and a shrink writer', { limitWriters: 2, limitInputs: ['8K', '20K'], shrinkInputs: [] }),
    m('uncharge-and-toggles', 'an uncharge and pin/unpin events during a write', { uncharges: 1, toggles: 1 }),
    m('charger-no-wait', 'a charger without __GFP_WAIT: -ENOMEM at C2', { charges: 1, chargerWait: false, limitPages: 3 }),
    m('charger-unbounded', 'a charger without budget (a thread charging again and again)', { charges: null, reclaimable: 1, pinned: 1, limitPages: 2, shrinkInputs: ['4K'] }),
    m('no-writes', 'no shrink or limit write: only the charger, uncharge and events', { shrinkInputs: [], limitInputs: [], charges: 2, uncharges: 1, toggles: 1 }),
  ];
}
