/** memcg's mutation check (`npm run mutation -- memcg`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { memcgModel, SMALL } from './model.js';
import type { MemcgAction, MemcgConfig, MemcgState } from './state.js';
import type { Property, Transition } from '../contract.js';
import { actionLabel } from '../contract.js';
import { explore } from '../../properties/explore.js';
import { checkLiveness } from '../../properties/liveness.js';
import { memparse } from './memparse.js';
import { memparseOracle } from './memparse-oracle.js';
import { mutationSuite } from '../../test/mutation-suite.js';
import { eachStep } from '../../test/steps.js';

mutationSuite(memcgModel);

// A buggy variant that is still caught may have lost the rest of its behaviour (V2's callback
// steps, V3's own progress rule): on a few small configurations each must break only its
// declared property, every other property (E-steps, S-flow, C-flow among them) holding.
const base: MemcgConfig = { ...SMALL, charges: 0, uncharges: 0, shrinkInputs: [], limitInputs: [] };
const only: readonly [string, string, MemcgConfig, string][] = [
  // §6 V2's scenarios: 3 pinned pages (reclaim frees nothing), then 3 reclaimable pages, limit 8, write 2 pages
  ['V2', '3 pinned pages', { ...base, reclaimable: 0, pinned: 3, limitPages: 8, limitInputs: ['8K'] }, 'M2'],
  ['V2', '3 reclaimable pages', { ...base, reclaimable: 3, pinned: 0, limitPages: 8, limitInputs: ['8K'] }, 'M2'],
  ['V2', 'SWAP_CLUSTER_MAX 2', { ...base, reclaimable: 3, pinned: 0, limitPages: 8, limitInputs: ['4K'], swapClusterMax: 2, reclaimMax: 2 }, 'M2'],
  // the callback is the limit path's only: a shrink writer beside it keeps §3's loop
  ['V2', 'a shrink writer too', { ...base, reclaimable: 0, pinned: 3, limitPages: 8, limitInputs: ['8K'], shrinkInputs: ['4K'], retries: 1 }, 'M2'],
  ['W1', 'inputs near 2^64', { ...base, shrinkInputs: ['18446744073709551615', '8K'], limitInputs: ['0XFFFFFFFFFFFFFFFF'] }, 'M5'],
];
for (const [variant, what, config, property] of only) {
  test(`${variant} breaks only ${property} (${what})`, () => {
    const r = explore(memcgModel.machine(variant, config), { keepGoing: true, maxStates: 1_500 });
    expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`).filter((x) => !x.startsWith(`${property}: `))).toEqual([]);
    expect([...r.violated.keys()]).toEqual([property]);
  });
}

// V3's own progress rule runs only in V3, whose check above needs a charger without budget (too
// large to explore whole here); without a charger V3 keeps L1 (§6), so its rule is judged there
test('V3 holds without a charger (L1, every other property)', () => {
  const r = explore(memcgModel.machine('V3', { ...base, shrinkInputs: ['0', '4K'], swapClusterMax: 2 }), { maxStates: 1_500 });
  expect([...r.violated].map(([p, v]) => `${p}: ${v.message}`)).toEqual([]);
  expect(r.complete).toBe(true);
});

// The environment's events and each way a write or a charge ends must still happen on the family
// member that is about them: a mutant that never offers an event (no uncharge, a signal never
// honoured, an OOM victim that never exits) breaks no safety property, only these witnesses.
type T = Transition<MemcgState, MemcgAction>;
const fired = (type: MemcgAction['type']) => (t: T): boolean => t.action?.type === type;
const ended = (who: 'S' | 'L' | 'L2' | 'C', result: string) => (t: T): boolean => {
  const before = who === 'C' ? t.prev?.charger : t.prev?.writers[who];
  const after = who === 'C' ? t.next.charger : t.next.writers[who];
  return before !== undefined && before !== null && before.pc !== 'done' && after?.pc === 'done' && after.result === result;
};
const events: Readonly<Record<string, Readonly<Record<string, (t: T) => boolean>>>> = {
  'uncharge-and-toggles': { uncharge: fired('uncharge'), pin: fired('pin'), unpin: fired('unpin') },
  signals: { 'S returns -EINTR': ended('S', 'EINTR'), 'L returns -EINTR': ended('L', 'EINTR') },
  'second-limit-writer': { 'L2 returns success': ended('L2', 'ok'), 'L returns success': ended('L', 'ok') },
  'charger-no-wait': { 'C returns -ENOMEM at C2': (t) => t.action?.type === 'C2' && ended('C', 'ENOMEM')(t), 'C charges': ended('C', 'ok') },
  'limit-at-usage': {
    'C returns -ENOMEM at C5': (t) => t.action?.type === 'C5' && ended('C', 'ENOMEM')(t),
    'an OOM victim exits, uncharging a page': (t) => t.action?.type === 'oom_victim_exits' && t.action.kind !== null,
    'C retries after C4': (t) => t.action?.type === 'C4' && t.next.charger?.pc === 'C1',
  },
  'all-pinned': { 'S returns -EBUSY': ended('S', 'EBUSY') },
};
// an OOM victim whose pages were all uncharged meanwhile still exits (no family member has it: one
// pinned page at the limit, a charge that ends in the OOM kill, an uncharge of that page)
test('an OOM victim exits with nothing left to uncharge', () => {
  const m = memcgModel.machine('reference', { ...base, limitPages: 1, reclaimable: 0, pinned: 1, charges: 1, uncharges: 1 });
  const exit: Property<MemcgState, MemcgAction> = { kind: 'sometimes', name: 'empty exit', doc: 'empty exit', check: (t) => t.action?.type === 'oom_victim_exits' && t.action.kind === null };
  const r = explore({ ...m, properties: [...m.properties, exit] } as typeof m, { maxStates: 5_000 });
  expect([...r.violated.keys()]).toEqual([]);
  expect(r.witnesses.get('empty exit')).toBe(true);
});
// and each of those members keeps the state count pinned in model/memcg/memcg.test.ts: a mutant that
// offers an event where it should not, or changes the state key, changes the count
const pinned: Readonly<Record<string, number>> = {
  'uncharge-and-toggles': 225, signals: 2436, 'second-limit-writer': 753, 'charger-no-wait': 136, 'limit-at-usage': 1014, 'all-pinned': 14,
};
for (const [member, witnesses] of Object.entries(events)) {
  test(`family member ${member}: ${Object.keys(witnesses).join(', ')}; ${pinned[member]} states`, () => {
    const config = memcgModel.family?.find((m) => m.name === member)?.config as MemcgConfig;
    const m = memcgModel.machine('reference', config);
    const extra: Property<MemcgState, MemcgAction>[] = Object.entries(witnesses).map(([name, check]) => ({ kind: 'sometimes', name, doc: name, check }));
    const r = explore({ ...m, properties: [...m.properties, ...extra] } as typeof m, { maxStates: 5_000 });
    expect([...r.violated.keys()]).toEqual([]);
    expect(Object.keys(witnesses).filter((w) => r.witnesses.get(w) !== true)).toEqual([]);
    expect({ states: r.states, complete: r.complete }).toEqual({ states: pinned[member], complete: true });
  });
}

// The liveness engine reads the liveness key and the fairness of steps, which no other engine does:
// on V3's exploration configuration (a charger without budget) it must find V3's lasso, and none for
// the reference, whose v2.6.33 rule bounds the writer
// (limit 1 page: the smallest where V3's charger re-charges what the writer reclaims)
const v3Config: MemcgConfig = { ...(memcgModel.variants.find((v) => v.name === 'V3')?.exploreConfig as MemcgConfig), limitPages: 1 };
test('liveness with a charger without budget: V3 loops (L1+), the reference does not', () => {
  expect([...checkLiveness(memcgModel.machine('V3', v3Config), { maxStates: 5_000 }).violations.keys()]).toEqual(['L1+']);
  // a signal is the environment's, which may stop before sending it: V3 loops all the same
  expect([...checkLiveness(memcgModel.machine('V3', { ...v3Config, signals: true }), { maxStates: 5_000 }).violations.keys()]).toEqual(['L1+']);
  const ref = checkLiveness(memcgModel.machine('reference', v3Config), { maxStates: 5_000 });
  expect([...ref.violations.keys()]).toEqual([]);
  expect(ref.complete).toBe(true);
});

// M5 judges the parse only on the inputs the configurations offer; §2's parse has more forms than
// the family can hold, so the parser (both rounding rules: the reference's and W1's) is compared
// with M5's oracle on every combination of a leading byte, a number, a suffix and a tail
test('the parser agrees with M5\'s oracle on the combinations of §2\'s input forms', () => {
  const leads = ['', ' ', '\t', '\0'];
  const numbers = ['', '0', '1', '7', '8', '9', '10', '010', '08', '0x', '0x1', '0xa', '0xA', '0xf', '0xF', '0xg', '0X10', '0x1g', '4097', '18446744073709551615', '18446744073709551616', '0xfffffffffffffc01', '0777777777777777777777'];
  const suffixes = ['', 'k', 'K', 'm', 'M', 'g', 'G', 'x', 'KB', 'kk'];
  const tails = ['', '\n', '\t', ' ', '\r\n', '\v', '\f', '\0x', '\u00a0', '\n5', '\x01', '\x08'];
  const wrong: string[] = [];
  for (const lead of leads) for (const n of numbers) for (const suffix of suffixes) for (const tail of tails) {
    const input = lead + n + suffix + tail;
    for (const roundingWrap of [false, true]) {
      const got = memparse(input, { kernel: '2.6.27', roundingWrap });
      const want = memparseOracle(input, { kernel: '2.6.27', roundingWrap });
      if (JSON.stringify(got, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(want, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) wrong.push(JSON.stringify(input));
    }
  }
  expect(wrong.slice(0, 5)).toEqual([]);
});

// Lanes, spec step names and kernel functions of every kind of step, as §3-§4 name them (S's loop
// S0-S5, L's (and W3's L2's) L0-L5 with L's own functions, V2's callback, C1-C5, U1, the events): traces are read by
// them, and the liveness lane of an unbudgeted charge is C's. Each is looked for on the few
// configurations that offer it, in a bounded walk.
const LANES: Readonly<Record<string, string>> = {
  'P0 S': 'S S0 res_counter_memparse_write_strategy', 'P0 L': 'L L0 res_counter_memparse_write_strategy', 'P0 L2': 'L2 L0 res_counter_memparse_write_strategy',
  'P1 S': 'S S1 mem_cgroup_shrink_usage_to', 'P1 L': 'L L1 mem_cgroup_resize_limit', 'P1 L2': 'L2 L1 mem_cgroup_resize_limit',
  'P3 S': 'S S3 res_counter_read_u64', 'P3 L': 'L L3 res_counter_set_limit', 'P3 L2': 'L2 L3 res_counter_set_limit',
  'P2 S': 'S S2 signal_pending', 'P2 L': 'L L2 signal_pending', 'P2 L2': 'L2 L2 signal_pending',
  'P4 S': 'S S4 mem_cgroup_shrink_usage_to', 'P4 L': 'L L4 mem_cgroup_resize_limit', 'P4 L2': 'L2 L4 mem_cgroup_resize_limit',
  'P5 S': 'S S5 try_to_free_mem_cgroup_pages', 'P5 L': 'L L5 try_to_free_mem_cgroup_pages', 'P5 L2': 'L2 L5 try_to_free_mem_cgroup_pages',
  'CB1 L': 'L CB1 mem_cgroup_shrink_usage', 'CB2 L': 'L CB2 mem_cgroup_shrink_usage',
  charge: 'env charge mem_cgroup_charge', 'charge unbudgeted': 'C charge mem_cgroup_charge',
  uncharge: 'U U1 res_counter_uncharge', pin: 'env pin isolate_lru_page', unpin: 'env unpin putback_lru_page',
  'signal S': 'env signal send_signal', 'signal L': 'env signal send_signal', oom_victim_exits: 'env oom_victim_exits res_counter_uncharge',
  C1: 'C C1 res_counter_charge', C2: 'C C2 mem_cgroup_charge_common', C3: 'C C3 try_to_free_mem_cgroup_pages',
  C4: 'C C4 res_counter_check_under_limit', C5: 'C C5 mem_cgroup_out_of_memory',
};
// The context whose weak fairness each kind of step counts toward (liveness, §5): the events of §4 —
// a write(2) starting (P0), a budgeted charge, uncharge, pin, unpin, a signal, an OOM victim's exit —
// are the environment's ('-'), which may stop; a writer's loop steps are that writer's; C's steps and
// an unbudgeted charge are C's.
const FAIR: Readonly<Record<string, string>> = {
  'P0 S': '-', 'P0 L': '-', 'P0 L2': '-', 'P1 S': 'S', 'P1 L': 'L', 'P1 L2': 'L2', 'P2 S': 'S', 'P2 L': 'L', 'P2 L2': 'L2',
  'P3 S': 'S', 'P3 L': 'L', 'P3 L2': 'L2', 'P4 S': 'S', 'P4 L': 'L', 'P4 L2': 'L2', 'P5 S': 'S', 'P5 L': 'L', 'P5 L2': 'L2',
  'CB1 L': 'L', 'CB2 L': 'L', charge: '-', 'charge unbudgeted': 'C', uncharge: '-', pin: '-', unpin: '-',
  'signal S': '-', 'signal L': '-', oom_victim_exits: '-', C1: 'C', C2: 'C', C3: 'C', C4: 'C', C5: 'C',
};
test('every kind of step is drawn in its lane with the spec\'s step name and the kernel function, and counts toward its context\'s fairness', () => {
  const seen = new Map<string, string>();
  const fair = new Map<string, string>();
  const walk = (variant: string, config: MemcgConfig): void => {
    const m = memcgModel.machine(variant, config);
    eachStep(m, 400, (a, i, from) => {
      const w = (a as { readonly w?: unknown }).w;
      const name = a.type === 'charge' && config.charges === null ? 'charge unbudgeted' : `${a.type}${typeof w === 'string' ? ` ${w}` : ''}`;
      if (!seen.has(name)) seen.set(name, `${i.ctx} ${i.step} ${i.fn}`);
      // every occurrence, not the first: a kind of step must count toward one context wherever it is taken
      const f = `${m.fairness ? (m.fairness(a, from) ?? '-') : 'none'}`;
      fair.set(name, fair.has(name) && fair.get(name) !== f ? `${fair.get(name)}|${f}` : f);
    });
  };
  const member = (name: string): MemcgConfig => memcgModel.family?.find((m) => m.name === name)?.config as MemcgConfig;
  walk('reference', member('signals'));
  walk('reference', member('second-limit-writer'));
  walk('reference', member('uncharge-and-toggles'));
  walk('reference', member('charger-no-wait'));
  walk('reference', member('limit-at-usage'));
  walk('V2', only[0]?.[2] ?? base);
  walk('V3', v3Config);
  expect(Object.fromEntries([...seen].sort())).toEqual(Object.fromEntries(Object.entries(LANES).sort()));
  expect(Object.fromEntries([...fair].sort())).toEqual(Object.fromEntries(Object.entries(FAIR).sort()));
});

// The loop's steps are offered writer by writer (specMachine), as before the rules: random schedules
// and replay paths index this list. With S at S3 and L at L1 the rules alone would list L's L1
// first; a charge in flight comes last.
test('the order steps are offered in: events, then S, L and L2 each at its step, then C', () => {
  const m = memcgModel.machine('reference', SMALL);
  let s = m.init();
  for (const a of [{ type: 'P0', w: 'S', input: '8K' }, { type: 'P0', w: 'L', input: '8K' }, { type: 'P1', w: 'S' }]) s = m.next(s, a);
  expect(m.actions(s).map(actionLabel)).toEqual(['charge', 'uncharge(kind="reclaimable")', 'uncharge(kind="pinned")', 'P3(w="S")', 'P1(w="L")']);
  s = m.next(s, { type: 'charge' });
  expect(m.actions(s).map(actionLabel)).toEqual(['uncharge(kind="reclaimable")', 'uncharge(kind="pinned")', 'P3(w="S")', 'P1(w="L")', 'C1(kind="reclaimable")', 'C1(kind="pinned")']);
});
