/** msgmni's mutation check (`npm run mutation -- msgmni`; see test/mutation-suite.ts). */
import { expect, test } from 'vitest';
import { explore } from '../../properties/explore.js';
import { FOCUS, TWO_CREATORS } from './config.js';
import { msgmniModel } from './model.js';
import { mutationSuite } from '../../test/mutation-suite.js';

// Every step's label over whole state spaces: how many transitions carry
// each (context kind, step type, ns). The labels are the model's account of
// what each step is (P1/P5/P7 find recomputes by them, a trace is read by
// them), while next() dispatches on the context alone, so a mutant of
// walkAction, rcAction, writerStep or ctxAction changed no state and
// survived. The census (measured on the reference, BFS without symmetry)
// covers walks over two namespaces, a queued down_read (C3), D4, the split
// RC of W1, V2's walk inside H1 and the second auto writer of W4-27.
function census(variant: string, config: unknown): string {
  const m = msgmniModel.machine(variant, config);
  const key = (s: unknown): string => {
    const v = m.view?.(s);
    return typeof v === 'string' ? v : JSON.stringify(v ?? s);
  };
  const init = m.init();
  const seen = new Set<string>([key(init)]);
  const hist = new Map<string, number>();
  for (let frontier: unknown[] = [init]; frontier.length > 0; ) {
    const next: unknown[] = [];
    for (const s of frontier)
      for (const a of m.actions(s)) {
        const x = a as unknown as Record<string, unknown>;
        const l = [typeof x.ctx === 'string' ? x.ctx.replace(/:.*/, '') : '', x.type, x.ns ?? ''].join(':');
        hist.set(l, (hist.get(l) ?? 0) + 1);
        const t = m.next(s, a);
        const k = key(t);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(t);
        }
      }
    frontier = next;
  }
  return [...hist].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}=${n}`).join(' ');
}
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
// type and the ns it recomputes) is the model's account of what ran, and
// P1/P5/P7 find the recomputes by it. next() dispatches on the context
// alone, so a wrong label changes no state: these shortest traces (BFS,
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
