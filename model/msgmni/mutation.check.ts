/** msgmni's mutation check (`npm run mutation -- msgmni`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { actionLabel, type ActionBase, type AnyMachine } from '../contract.js';
import { explore } from '../../properties/explore.js';
import { FOCUS, SMALL, TWO_CREATORS } from './config.js';
import { msgmniMachine, msgmniModel, msgmniRestricted } from './model.js';
import type { MsgmniConfig, MsgmniState } from './state.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// Every step's label over whole state spaces: how many transitions carry
// each (context kind, step type, ns). The labels are the model's account of
// what each step is (a trace is read by them, rules are chosen by them); a
// step's effect is its context's next step, which checks the label against
// the same label functions, so a mutant of walkAction, rcAction, writerStep
// or stepOf that is consistent changes no state. The census (measured on the reference, BFS without symmetry)
// covers walks over two namespaces, a queued down_read (C3), D4, the split
// RC of W1, V2's walk inside H1 and the second auto writer of W4-27.
function census(variant: string, config: unknown, withPart = false): string {
  const hist = new Map<string, number>();
  const count = (l: string): void => void hist.set(l, (hist.get(l) ?? 0) + 1);
  eachTransition(msgmniModel.machine(variant, config), (_s, a, t, fresh) => {
    const x = a as unknown as Record<string, unknown>;
    count([typeof x.ctx === 'string' ? x.ctx.replace(/:.*/, '') : '', x.type, x.ns ?? '', ...(withPart ? [x.part ?? ''] : [])].join(':'));
    // at rest (no context in flight) no lock may be held or waited on: a
    // lock step skipped or a release lost shows here as `!held:<lock>`
    const r = t as MsgmniState;
    if (fresh && Object.keys(r.ctxs).length === 0)
      for (const [name, l] of Object.entries(r.k.locks)) {
        const busy = l.waiters.length > 0 || (l.kind === 'rwsem' ? l.readers.length > 0 || l.writer !== null : l.owner !== null);
        if (busy) count(`!held:${name}`);
      }
  });
  return histText(hist);
}

/** Breadth-first over `m`'s reachable states (keyed by its view): `visit` sees every transition, `fresh` when it reached a new state. */
function eachTransition(m: AnyMachine, visit: (s: unknown, a: ActionBase, t: unknown, fresh: boolean) => void): void {
  const key = (s: unknown): string => {
    const v = m.view?.(s);
    return typeof v === 'string' ? v : JSON.stringify(v ?? s);
  };
  const init = m.init();
  const seen = new Set<string>([key(init)]);
  for (let frontier: unknown[] = [init]; frontier.length > 0; ) {
    const next: unknown[] = [];
    for (const s of frontier)
      for (const a of m.actions(s)) {
        const t = m.next(s, a);
        const k = key(t);
        const fresh = !seen.has(k);
        if (fresh) {
          seen.add(k);
          next.push(t);
        }
        visit(s, a, t, fresh);
      }
    frontier = next;
  }
}

/** A histogram as one line, its keys sorted. */
const histText = (hist: ReadonlyMap<string, number>): string => [...hist].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}=${n}`).join(' ');
test.each([
  ['reference', 'two creators', { ...TWO_CREATORS, memEvents: 0 }, ':create:=9 :destroy:ns1=20 :destroy:ns2=16 C:C3:=4 C:C4:=50 C:RC:init=75 C:RC:ns1=81 C:RC:ns2=86 D:D1:=12 D:D3:=26 D:D4:=4 D:RC:init=45 D:RC:ns1=8 D:RC:ns2=16'],
  ['reference', 'auto-out-of-range', msgmniModel.family?.find((m) => m.name === 'auto-out-of-range')?.config, ':create:=10 :offline:=12 :write_auto:=124 C:C4:=20 C:RC:init=24 C:RC:ns1=44 H:H1:=24 K:K1:=24 K:RC:init=24 K:RC:ns1=16'],
  ['W1', 'FOCUS.W1', FOCUS.W1, ':offline:=12 :write_auto:=19 :write_msgmni:=12 A:A0:=5 A:A3:=5 A:RC1:init=7 A:RC2:init=12 E:E1:=18 E:E2:=3 H:H1:=14 K:K1:=14 K:K2:=7 K:RC1:init=7 K:RC2:init=10'],
  ['W4-27', 'FOCUS.W4-27', FOCUS['W4-27'], ":write_auto:=32 A':A2:=22 A':A3:=71 A':RC:init=5 A:A2:=22 A:A3:=71 A:RC:init=5"],
  ['V2', 'FOCUS.V2', FOCUS.V2, ':create:=17 :offline:=40 :write_msgmni:=76 C:C3:=6 C:C4:=32 C:RC:init=8 C:RC:ns1=110 E:E1:=104 E:E2:=20 H:H1:=28 H:RC:init=12 H:RC:ns1=76'],
])('%s on %s: the census of step labels', (variant, _name, config, want) => {
  expect(census(variant, config)).toBe(want);
});

// A counterexample is read by its step names: the label of each step (its
// type and the ns it recomputes) is the model's account of what ran. A
// label the label functions agree on changes no state: these shortest traces (BFS,
// deterministic) pin the labels along each variant's scenario (W1's is §6's:
// K's RC1 reads n before A's RC2 writes). `C:ns1` is the creator of ns1.
// First in the file: a label mutant fails here at once (Stryker bails).
const label = (a: Record<string, unknown>): string => [a.ctx, a.type, a.ns ?? a.w ?? a.v].filter((y) => y !== undefined).join(':');
test.each([
  ['W1', FOCUS.W1, 'P2', 'write_msgmni:3 E:E1 write_auto:A A:A3 A:RC1:init offline H:H1 K:K1 K:RC1:init K:RC2:init A:RC2:init'],
  ['V2', FOCUS.V2, 'P6', 'offline create C:ns1:RC:ns1 C:ns1:C4 C:ns1:RC:init write_msgmni:-1 H:H1'],
  ['W4-27', FOCUS['W4-27'], 'P4', "write_auto:A write_auto:A' A:A2 A:A3 A:A3 A':A2 A':A3"],
  ['W3', msgmniModel.smallConfig, 'P3+', 'offline H:H1 K:K1 write_msgmni:-1 K:RC:init E:E2'],
  ['W2', msgmniModel.family?.find((m) => m.name === 'auto-out-of-range')?.config, 'P2', 'create C:ns1:RC:ns1 C:ns1:RC:init offline H:H1 K:K1 K:RC:init C:ns1:C4'],
])('%s: the shortest counterexample to %s names these steps', (variant, config, property, steps) => {
  const r = explore(msgmniModel.machine(variant, config), { target: property, maxStates: 5_000 });
  expect(r.counterexample?.steps.map((x) => label(x.action as unknown as Record<string, unknown>)).join(' ')).toBe(steps);
});

// Each mutant runs this whole check, so it must take about a second. W1 and
// W4-26 are searched on the fewest events that show them (W1's FOCUS has its
// §7 shortest trace, 11 steps, among 86 states instead of 9,528): the gate
// still searches them on their own configurations.
const focused = {
  ...msgmniModel,
  variants: msgmniModel.variants.map((v) =>
    v.name === 'W1' ? { ...v, exploreConfig: FOCUS.W1 } : v.name === 'W4-26' ? { ...v, exploreConfig: { ...FOCUS.V2, manualValues: [-1], autoWrites: 0 } } : v,
  ),
};
// Each buggy variant is searched first where it shows fastest (measured).
mutationSuite(focused, {
  maxStates: 400,
  runs: 40,
  searchFirst: {
    V1: 'two-manual-writes',
    V2: 'kernel-below-lower-clamp',
    V3: 'scaled-above-upper-clamp',
    V4: 'auto-out-of-range',
    W1: 'exploreConfig',
    W2: 'auto-out-of-range',
    W3: 'three-memory-events',
    'W4-26': 'exploreConfig',
    'W4-27': 'exploreConfig',
  },
  // the members that complete within 400 states (reference, measured)
  pinStates: { 'three-memory-events': 188, 'no-events': 1, 'auto-out-of-range': 124 },
});

// The state key (view, and the symmetry of the two created namespaces) must
// neither merge states nor split them: a mutant there changes these pinned
// counts (the properties cannot see a coarser key, which hides states).
test.each([
  ['a manual write, an auto write, a memory event', FOCUS.W1, 62],
  ['two creators (symmetry on)', { ...TWO_CREATORS, memEvents: 0 }, 206],
])('reference state count pinned: %s', (_, config, states) => {
  expect(explore(msgmniModel.machine('reference', config)).states).toBe(states);
});

// The census with each step's `part` (which of a writer's E2/A3 sub-steps
// ran; the auto-reenabled witness reads `register`), on the paths the
// censuses above leave out: the reference's sysctl writers (the mutex, the
// re-enable's zero/register/RC, and with a create a cond-register queued
// behind a walk), V3's destroy without D4, W2's re-enable (RC before the
// register), W4-27's unserialized handlers with a manual writer, v2.6.26's
// negative or zero write (E2's decide), W1's split walk over two namespaces
// (C3 and D4 walk init and ns1: the walk and callback stages), and writers
// living in ns1 (whose reference holds off the destroy).
const WRITERS_IN_NS1: MsgmniConfig = { ...SMALL, writerNs: 'ns1', memEvents: 0, autoWrites: 0 };
test.each([
  ['reference', 'FOCUS.W1', FOCUS.W1, ':offline::=11 :write_auto::=16 :write_msgmni::=10 A:A0::=5 A:A3::register=5 A:RC:init:A3=6 E:E1::=18 H:H1::=12 K:K1::=12 K:K2::empty=7 K:RC:init:K2/K3/K4 down_read up_read=5'],
  ['reference', 'an auto writer writing 0 then 1', { ...FOCUS.W1, manualWrites: 0, autoValues: [0, 1], autoWrites: 2, memEvents: 0 }, ':write_auto::=6 A:A3::register=1 A:RC:init:A3=1'],
  ['V3', 'a create and a destroy', { ...SMALL, memEvents: 0, manualWrites: 0, autoWrites: 0 }, ':create::=1 :destroy:ns1:=1 C:C4::=1 C:RC:ns1:C2=1 D:D3::=1'],
  ['W2', 'an auto re-enable after a manual write', { ...FOCUS.W1, memEvents: 0 }, ':write_auto::=3 :write_msgmni::=2 A:A0::=1 A:A3::register=1 A:A3::zero=1 A:RC:init:A3=1 E:E1::=3'],
  ['W4-27', 'a manual and an auto writer', { ...FOCUS.W1, memEvents: 0 }, ':write_auto::=3 :write_msgmni::=4 A:A2::=5 A:A3::decide=7 A:A3::register=3 A:A3::unregister=2 A:A3::zero=3 A:RC:init:A3=3 E:E1::=13'],
  ['reference', 'an auto writer (0, then 1) and a create', { ...FOCUS.W1, creates: 1, destroys: 0, manualWrites: 0, autoValues: [0, 1], autoWrites: 2 }, ':create::=42 :offline::=60 :write_auto::=412 A:A3::register=63 A:A3::unregister=32 A:RC:init:A3=119 C:C3::down_read=6 C:C4::=91 C:RC:init:C3 down_read=63 C:RC:init:C3 up_read=30 C:RC:ns1:C2=53 C:RC:ns1:C3 down_read=27 C:RC:ns1:C3 down_read up_read=62 C:RC:ns1:C3 up_read=102 H:H1::=133 K:K1::=133 K:K2::down_read=12 K:K2::empty=12 K:RC:init:K2/K3 down_read=37 K:RC:init:K2/K3/K4 down_read up_read=23 K:RC:init:K3/K4 up_read=14 K:RC:ns1:K2/K3 down_read=20 K:RC:ns1:K2/K3/K4 down_read up_read=41 K:RC:ns1:K3/K4 up_read=52'],
  ['W4-26', 'a negative or zero msgmni write', { ...FOCUS.W1, manualValues: [-1, 0], autoWrites: 0 }, ':offline::=8 :write_msgmni::=10 E:E1::=6 E:E2::decide=6 E:E2::register=6 E:E2::unregister=1 E:E2::zero=6 E:RC:init:E2=6 H:H1::=9 K:K1::=9 K:K2::empty=2 K:RC:init:K2/K3/K4 down_read up_read=7'],
  ['W1', 'a create and a destroy', { ...FOCUS.W1, creates: 1, destroys: 1, manualWrites: 0, autoWrites: 0, memEvents: 0 }, ':create::=1 :destroy:ns1:=1 C:C4::=1 C:RC1:init:C3 down_read=1 C:RC1:ns1:C2=1 C:RC1:ns1:C3=1 C:RC2:init:C3=1 C:RC2:ns1:C2=1 C:RC2:ns1:C3 up_read=1 D:D3::=1 D:RC1:init:D4 down_read=1 D:RC2:init:D4 up_read=1'],
  ['reference', 'writers in ns1', WRITERS_IN_NS1, ':create::=1 :destroy:ns1:=3 :write_msgmni::=2 C:C4::=1 C:RC:init:C3 down_read=1 C:RC:ns1:C2=1 C:RC:ns1:C3 up_read=1 D:D3::=3 D:RC:init:D4 down_read up_read=3 E:E1::=2'],
])('%s on %s: the census of step labels with their parts', (variant, _name, config, want) => {
  expect(census(variant, config, true)).toBe(want);
});

// Two creators with the writers in ns1: no symmetry (a writer tells ns1 from
// ns2), so a mutant that applies it anyway merges states (pinned count).
test('reference state count pinned: writers in ns1, two creates (symmetry off)', () => {
  expect(explore(msgmniModel.machine('reference', { ...WRITERS_IN_NS1, creates: 2, destroys: 0 })).states).toBe(212);
});

// msgmniRestricted (the family tests' "this variant breaks only P") checks
// the named properties and every witness, and nothing else.
test('msgmniRestricted keeps the named properties and the witnesses only', () => {
  const m = msgmniRestricted(['P3']);
  expect(m.propertyNames).toEqual(['P3']);
  expect(m.machine('V1', SMALL).properties.map((p) => `${p.kind}:${p.name}`)).toEqual([
    'always:P3',
    'sometimes:work-coalesced',
    'sometimes:walk-during-create',
    'sometimes:manual-survives-hotplug',
    'sometimes:auto-reenabled',
    'sometimes:ns-destroyed',
  ]);
  expect(explore(msgmniModel.machine('V1', SMALL), { target: 'P3', maxStates: 5_000 }).counterexample).toBeDefined();
});

// V2 breaks P6 and keeps P7: its H walk, entered after the change of L,
// clears the ghost when it ends (P7's ghost on V2's own path).
test('V2 keeps P7 on FOCUS.V2', () => {
  const r = explore(msgmniRestricted(['P7']).machine('V2', FOCUS.V2), { maxStates: 2_000 });
  expect(r.complete).toBe(true);
  expect([...r.violated.keys()]).toEqual([]);
});

// P7's ghost, step by step: a MEMCHANGED walk that entered before a change of
// L must not clear memStale when it ends; the next walk, entered after it,
// does. The scenario (spec 01 §4): ns1 created and linked, an offline, the
// worker's walk recomputes init, the block comes back online mid-walk, the
// walk ends on ns1 — L is still stale until the rescheduled work's walk.
test('P7 ghost: a walk entered before a change of L leaves memStale set', () => {
  const c: MsgmniConfig = { ...SMALL, memEvents: 2, creates: 1, destroys: 0, manualWrites: 0, autoWrites: 0 };
  const m = msgmniModel.machine('reference', c);
  let s = m.init() as MsgmniState;
  const step = (want: string): void => {
    const a = m.actions(s).find((x) => {
      const r = x as unknown as Record<string, unknown>;
      return [r.ctx, r.type, r.ns].filter((y) => y !== undefined).join(':').startsWith(want);
    });
    if (a === undefined) throw new Error(`no action ${want}`);
    s = m.next(s, a) as MsgmniState;
  };
  for (const a of ['create', 'C:ns1:RC:ns1', 'C:ns1:C4', 'C:ns1:RC:init', 'C:ns1:RC:ns1']) step(a);
  expect(s.ctxs).toEqual({});
  step('offline');
  expect(s.memStale).toBe(true);
  for (const a of ['H:H1', 'K:K1', 'K:RC:init']) step(a);
  expect(s.memStale).toBe(true);
  step('online');
  step('K:RC:ns1');
  expect(s.ctxs.K).toBeUndefined();
  expect(s.memStale).toBe(true);
  for (const a of ['H:H1', 'K:K1', 'K:RC:init']) step(a);
  expect(s.memStale).toBe(true);
  step('K:RC:ns1');
  expect(s.memStale).toBe(false);
});

// What a trace shows of each step over a whole state space: its lane, spec
// step and function (`ctx`, `step` and `fn` of the rule that took it), which
// no property reads. The histogram pins them on every rule the reference, W1,
// V2 and W4-27 use (online and offline, create and destroy, both forms of a
// write's first step, the split RC); the step texts are trace-only and left
// out of the mutation run.
function describeCensus(variant: string, config: unknown): string {
  const m = msgmniModel.machine(variant, config);
  const hist = new Map<string, number>();
  eachTransition(m, (s, a, t) => {
    const d = m.describe(a, s, t);
    const l = `${d.ctx}|${d.step}|${d.fn}`;
    hist.set(l, (hist.get(l) ?? 0) + 1);
  });
  return histText(hist);
}
test.each([
  ['reference', 'online then offline, both writers', { ...FOCUS.W1, blockOnline: false, memEvents: 2 }, 'A|A0|proc_ipcauto_dointvec_minmax=67 A|A3|ipc_auto_callback=15 A|RC|recompute_msgmni=23 E|E0|proc_ipc_callback_dointvec=34 E|E1|proc_dointvec=60 H|H1|ipc_memory_callback=64 H|offline|offline_pages=39 H|online|online_pages=11 K|K1|worker_thread=54 K|K2|ipcns_notify=38 K|RC|recompute_msgmni=28'],
  ['reference', 'two creators and a destroy', { ...TWO_CREATORS, memEvents: 0 }, 'C:ns1|C3|ipcns_notify=2 C:ns1|C4|register_ipcns_notifier=21 C:ns1|RC|recompute_msgmni=111 C:ns2|C3|ipcns_notify=2 C:ns2|C4|register_ipcns_notifier=29 C:ns2|RC|recompute_msgmni=131 D:ns1|D1|free_ipc_ns=20 D:ns1|D1|unregister_ipcns_notifier=6 D:ns1|D3|free_ipc_ns=16 D:ns1|D4|ipcns_notify=2 D:ns1|RC|recompute_msgmni=46 D:ns2|D1|free_ipc_ns=16 D:ns2|D1|unregister_ipcns_notifier=6 D:ns2|D3|free_ipc_ns=10 D:ns2|D4|ipcns_notify=2 D:ns2|RC|recompute_msgmni=23 env|C1|clone_ipc_ns=9'],
  ['W1', 'a create and a destroy', { ...FOCUS.W1, creates: 1, destroys: 1, manualWrites: 0, autoWrites: 0, memEvents: 0 }, 'C:ns1|C4|register_ipcns_notifier=1 C:ns1|RC1|recompute_msgmni=3 C:ns1|RC2|recompute_msgmni=3 D:ns1|D1|free_ipc_ns=1 D:ns1|D3|free_ipc_ns=1 D:ns1|RC1|recompute_msgmni=1 D:ns1|RC2|recompute_msgmni=1 env|C1|clone_ipc_ns=1'],
  ['V2', 'FOCUS.V2', FOCUS.V2, 'C:ns1|C3|ipcns_notify=6 C:ns1|C4|register_ipcns_notifier=32 C:ns1|RC|recompute_msgmni=118 E|E0|proc_ipc_callback_dointvec=76 E|E1|proc_dointvec=104 E|E2|proc_ipc_callback_dointvec=20 H|H1|ipc_memory_callback=28 H|RC|recompute_msgmni=88 H|offline|offline_pages=40 env|C1|clone_ipc_ns=17'],
  // a second msgmni write queued on the sysctl mutex behind A's re-enable takes the E0 rule (elsewhere E0 rides on the write event)
  ['reference', 'a msgmni write queued behind a re-enable', { ...FOCUS.W1, manualWrites: 2, memEvents: 0 }, 'A|A0|proc_ipcauto_dointvec_minmax=8 A|A3|ipc_auto_callback=3 A|RC|recompute_msgmni=3 E|E0|proc_ipc_callback_dointvec=9 E|E1|proc_dointvec=7'],
  ['W4-27', 'a manual and an auto writer', { ...FOCUS.W1, memEvents: 0 }, 'A|A1|proc_ipcauto_dointvec_minmax=3 A|A2|proc_dointvec_minmax=5 A|A3|ipc_auto_callback=15 A|RC|recompute_msgmni=3 E|E1|proc_dointvec=13 E|E2|proc_ipc_callback_dointvec=4'],
])('%s on %s: the census of lanes, steps and functions', (variant, _name, config, want) => {
  expect(describeCensus(variant, config)).toBe(want);
});

// A rule takes an action only when its context stands at the step the label
// names (the label check of `take` in model.ts): an action built by hand
// with another step, another ns or another part is refused, not run as the
// context's real step.
test('an action whose label is not its context\'s next step is refused', () => {
  const m = msgmniMachine('reference', SMALL);
  const s = m.next(m.init(), { type: 'offline' });
  expect(m.actions(s).map((a) => JSON.stringify(a))).toContain('{"ctx":"H","type":"H1"}');
  // whole messages: the part is named only when the action has one
  expect(() => m.next(s, { type: 'K1', ctx: 'H' })).toThrow(/^H does not stand at K1$/);
  const k = m.next(m.next(s, { type: 'H1', ctx: 'H' }), { type: 'K1', ctx: 'K' });
  const rc = m.actions(k).find((a) => a.type === 'RC');
  if (rc === undefined) throw new Error('K offers no RC');
  expect(rc).toMatchObject({ ctx: 'K', ns: 'init' });
  expect(() => m.next(k, { ...rc, ns: 'ns1' })).toThrow(/^K does not stand at RC \(K2\/K3\/K4 down_read up_read\)$/);
  expect(() => m.next(k, { ...rc, part: 'K3' })).toThrow(/^K does not stand at RC \(K3\)$/);
  expect(m.next(k, rc).ctxs.K).toBeUndefined();
});

// The order actions are offered in: context by context in CTX_ORDER, then
// §4's events in rule order. Random schedules, replay paths and the shrunk
// traces index this list. Here H stands at H1, the creator of ns1 at C4 and
// A at the recompute of its re-enable: the rules alone would list A's RC
// (one rule for every context's recompute) before the creator's C4.
test('the order steps are offered in: H, K, the creators, the destroyers, E, A, A\', then the events', () => {
  const m = msgmniMachine('reference', { ...SMALL, manualValues: [3], manualWrites: 2, autoValues: [1], memEvents: 1, destroys: 1 });
  let s = m.init();
  for (const want of ['write_msgmni(v=3)', 'E1(ctx="E")', 'write_auto(v=1,w="A")', 'A3(ctx="A",part="register")', 'create', 'RC(ctx="C:ns1",ns="ns1",part="C2")', 'offline']) {
    const a = m.actions(s).find((x) => actionLabel(x) === want);
    if (a === undefined) throw new Error(`no action ${want}`);
    s = m.next(s, a);
  }
  expect(m.actions(s).map(actionLabel)).toEqual(['H1(ctx="H")', 'C4(ctx="C:ns1")', 'RC(ctx="A",ns="init",part="A3")', 'write_msgmni(v=3)']);
});

// No sysctl writer; and the block coming online onto zero lowmem (L = k
// after it: offline's precondition L > k refuses the second memory event).
const NO_WRITES = { manualWrites: 0, autoWrites: 0 };
const L_AT_BLOCK: MsgmniConfig = { ...SMALL, ...NO_WRITES, base: 0, block: 4, blockOnline: false, memEvents: 2, creates: 0, destroys: 0 };

// Which context's weak fairness each kind of step counts toward (spec 01):
// every step of a §3 context counts toward that context (one context per
// creator and per destroyer; H's walk under V2 is H's), and §4's events
// (memory events, create, destroy, the sysctl writes) toward none: the
// environment may stop. A kind of step is its type and the context (or
// auto writer) its action names.
const FAIR: Readonly<Record<string, string>> = {
  'H1 H': 'H', 'RC H': 'H',
  'K1 K': 'K', 'K2 K': 'K', 'RC K': 'K', 'RC1 K': 'K', 'RC2 K': 'K',
  'C3 C:ns1': 'C:ns1', 'C4 C:ns1': 'C:ns1', 'RC C:ns1': 'C:ns1', 'RC1 C:ns1': 'C:ns1', 'RC2 C:ns1': 'C:ns1',
  'C3 C:ns2': 'C:ns2', 'C4 C:ns2': 'C:ns2', 'RC C:ns2': 'C:ns2',
  'D1 D:ns1': 'D:ns1', 'D3 D:ns1': 'D:ns1', 'D4 D:ns1': 'D:ns1', 'RC D:ns1': 'D:ns1', 'RC1 D:ns1': 'D:ns1', 'RC2 D:ns1': 'D:ns1',
  'D1 D:ns2': 'D:ns2', 'D3 D:ns2': 'D:ns2', 'D4 D:ns2': 'D:ns2', 'RC D:ns2': 'D:ns2',
  'E0 E': 'E', 'E1 E': 'E', 'E2 E': 'E', 'RC E': 'E',
  'A0 A': 'A', 'A2 A': 'A', 'A3 A': 'A', 'RC A': 'A', 'RC1 A': 'A', 'RC2 A': 'A',
  "A2 A'": "A'", "A3 A'": "A'", "RC A'": "A'",
  'online -': '-', 'offline -': '-', 'create -': '-', 'destroy -': '-', 'write_msgmni -': '-', 'write_auto A': '-', "write_auto A'": '-',
};
test('every kind of step counts toward its own context\'s fairness, every event toward none', () => {
  const fair = new Map<string, string>();
  const walk = (variant: string, config: MsgmniConfig): void => {
    const m = msgmniModel.machine(variant, config);
    eachTransition(m, (s, a) => {
      const x = a as unknown as Record<string, unknown>;
      const who = typeof x.ctx === 'string' ? x.ctx : typeof x.w === 'string' ? x.w : '-';
      const kind = `${a.type} ${who}`;
      // every occurrence: a kind of step must count toward one context wherever it is taken (null: none; undefined is not null)
      const f = m.fairness ? m.fairness(a, s) : 'no fairness';
      const got = f === null ? '-' : String(f);
      fair.set(kind, fair.has(kind) && fair.get(kind) !== got ? `${fair.get(kind)}|${got}` : got);
    });
  };
  walk('reference', { ...FOCUS.W1, manualWrites: 2, memEvents: 0 });
  walk('reference', { ...TWO_CREATORS, memEvents: 0 });
  walk('reference', L_AT_BLOCK);
  walk('W1', FOCUS.W1);
  walk('W1', { ...FOCUS.W1, creates: 1, destroys: 1, manualWrites: 0, autoWrites: 0, memEvents: 0 });
  walk('V2', FOCUS.V2);
  walk('W4-27', FOCUS['W4-27']);
  walk('W4-26', { ...FOCUS.W1, manualValues: [-1], autoWrites: 0, memEvents: 0 });
  expect(Object.fromEntries([...fair].sort())).toEqual(Object.fromEntries(Object.entries(FAIR).sort()));
});

// Boundaries the pinned counts above never reach, each explored whole
// (reference, symmetry as the machine has it):
// - offline's precondition L > k (§4) at L = k (L_AT_BLOCK above);
// - destroy's "no other D on it" (§4): a second destroy of ns1 while its
//   first waits in D1 behind K's walk;
// - a writer in init holds no destroy off (only a writer living in the ns does);
// - a writer in ns1 cannot write while ns1's destroy waits in D1.
test.each([
  ['L = block: no offline', L_AT_BLOCK, 5],
  ['two destroys of ns1 around a walk', { ...SMALL, ...NO_WRITES, memEvents: 1, creates: 1, destroys: 2 }, 103],
  ['a destroy and a msgmni write in init', { ...SMALL, memEvents: 0, creates: 1, destroys: 1, manualWrites: 1, autoWrites: 0 }, 85],
  ['writers in ns1 and a walk', { ...WRITERS_IN_NS1, memEvents: 1 }, 199],
])('reference state count pinned: %s', (_, config, states) => {
  const r = explore(msgmniModel.machine('reference', config));
  expect(r.complete).toBe(true);
  expect(r.states).toBe(states);
});

// Symmetry only where there are two created namespaces to swap and no
// writer in one of them: explore reports whether it reduced by symmetry.
test('the machine offers symmetry only with two creates and the writers in init', () => {
  expect(explore(msgmniModel.machine('reference', SMALL), { maxStates: 1 }).symmetry).toBe(false);
  expect(explore(msgmniModel.machine('reference', { ...SMALL, creates: 0 }), { maxStates: 1 }).symmetry).toBe(false);
  expect(explore(msgmniModel.machine('reference', TWO_CREATORS), { maxStates: 1 }).symmetry).toBe(true);
  expect(explore(msgmniModel.machine('reference', { ...WRITERS_IN_NS1, creates: 2 }), { maxStates: 1 }).symmetry).toBe(false);
});
