/**
 * The fast path (issue 18): the differential check over every built-in
 * model, and over small machines that break the fast path's one assumption
 * in the ways a model could (a property that compares object identity, a
 * rule that asks immer for a nested draft's original), which the check must
 * name by step and field. The exhaustive engines' pinned counts elsewhere
 * run on the fast path; here one exploration per model runs on both paths.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { isDraft, original } from '../model/kernel/immer.js';
import { kernelState, type KernelState } from '../model/kernel/state.js';
import { underMemoryModel } from '../model/memory.js';
import { MODELS } from '../model/registry.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';
import { replay } from './core.js';
import { explore } from './explore.js';
import { runPct } from './pct.js';
import { runSchedule } from './random.js';
import { checkFastPath } from './fastpath.js';

describe('every built-in model agrees on both paths', () => {
  for (const m of MODELS) {
    test(`${m.name}: the reference over 10,000 transitions, every variant over 1,000`, () => {
      expect(m.machine('reference', m.smallConfig).fastPath).toBe(true);
      const ref = checkFastPath(m.machine('reference', m.smallConfig), { transitions: 10_000, seed: 7 });
      expect(ref.disagreement?.message).toBeUndefined();
      expect(ref.transitions).toBe(10_000);
      for (const v of m.variants) {
        const r = checkFastPath(m.machine(v.name, v.exploreConfig ?? m.smallConfig), { transitions: 1_000, seed: 11 });
        expect(r.disagreement?.message, v.name).toBeUndefined();
        expect(r.transitions).toBe(1_000);
      }
    });
  }

  test('balloon under lkmm (the weak memory and the lock views run through the same produce)', () => {
    const lk = underMemoryModel(MODELS.find((m) => m.name === 'balloon') as (typeof MODELS)[number], 'lkmm');
    for (const v of ['reference', 'V1']) {
      const variant = lk.variants.find((x) => x.name === v);
      const r = checkFastPath(lk.machine(v, variant?.exploreConfig ?? lk.smallConfig), { transitions: 2_000, seed: 3 });
      expect(r.disagreement?.message, v).toBeUndefined();
    }
  });

  // per model, a buggy variant whose shortest counterexample takes some thousands of states to reach
  test.each([
    ['memcg', 'V3', 22],
    ['slab', 'W2', 13],
    ['balloon', 'W1', 12],
    ['msgmni', 'W1', 11],
    ['reserve', 'W1', 7],
  ] as const)('%s %s: an exploration finds the same %i-step counterexample on both paths, after the same states', (name, variant, steps) => {
    const m = MODELS.find((x) => x.name === name);
    if (m === undefined) throw new Error(`no model ${name}`);
    const build = (): AnyMachine => m.machine(variant, m.variants.find((v) => v.name === variant)?.exploreConfig ?? m.smallConfig);
    const fast = explore(build());
    const slow = explore(build(), { fastPath: false });
    expect([fast.fastPath, slow.fastPath]).toEqual([true, false]);
    expect(fast.counterexample?.steps).toHaveLength(steps);
    expect([fast.states, fast.transitions, fast.depth]).toEqual([slow.states, slow.transitions, slow.depth]);
    expect(fast.counterexample?.steps.map((s) => s.label)).toEqual(slow.counterexample?.steps.map((s) => s.label));
  });
});

interface Toy {
  readonly k: KernelState;
  readonly cfg: { readonly limit: number };
  readonly sub: { readonly n: number };
  readonly count: number;
}

type Breach = 'none' | 'identity' | 'nested-original';

/** A counter that one context bumps; `breach` makes it depend on immer in one way. */
function toy(breach: Breach): AnyMachine {
  const rule = rulesFor<Toy>();
  const m = machineFromRules<Toy>({
    init: () => ({ k: kernelState({}), cfg: { limit: 3 }, sub: { n: 0 }, count: 0 }),
    rules: [
      rule({
        step: 'T1',
        fn: 'bump',
        ctx: 'T',
        enabled: (s) => when(s.count < s.cfg.limit),
        apply: (d) => {
          d.sub.n += 1;
          // immer gives the nested draft's base (n before the step); a plain copy has none
          d.count = breach === 'nested-original' ? (original(d.sub)?.n ?? d.sub.n) + 1 : d.count + 1;
        },
      }),
    ],
    quiescent: () => true,
    kernel: (s) => s.k,
    properties: [
      {
        kind: 'always',
        name: 'C1',
        doc: 'the configuration never changes',
        // structural sharing: the untouched `cfg` is the same object after an immer step, a new one on the fast path
        check: (t) => (breach === 'identity' && t.prev !== undefined && t.prev.cfg !== t.next.cfg ? 'cfg was replaced' : undefined),
      },
    ],
  });
  return { ...m, fastPath: true } as unknown as AnyMachine;
}

describe('which path an engine takes, seen from inside a step', () => {
  /** The toy with a rule that notes whether it was handed an immer draft. */
  function spying(fastPath: boolean): { m: AnyMachine; drafts: boolean[] } {
    const drafts: boolean[] = [];
    const rule = rulesFor<Toy>();
    const m = machineFromRules<Toy>({
      init: () => ({ k: kernelState({}), cfg: { limit: 2 }, sub: { n: 0 }, count: 0 }),
      rules: [rule({ step: 'T1', fn: 'bump', ctx: 'T', enabled: (s) => when(s.count < s.cfg.limit), apply: (d) => void (drafts.push(isDraft(d)), (d.count += 1)) })],
      quiescent: () => true,
      kernel: (s) => s.k,
      properties: [],
    });
    return { m: (fastPath ? { ...m, fastPath: true } : m) as unknown as AnyMachine, drafts };
  }

  test('explore of a model that opted in takes plain copies; with fastPath false, or without the opt-in, immer drafts', () => {
    const on = spying(true);
    expect(explore(on.m).states).toBe(3);
    expect(on.drafts).toEqual([false, false]);
    const off = spying(true);
    explore(off.m, { fastPath: false });
    expect(off.drafts).toEqual([true, true]);
    const plain = spying(false);
    explore(plain.m);
    expect(plain.drafts).toEqual([true, true]);
  });

  test('the random engines take plain copies too, a replay takes immer drafts', () => {
    const on = spying(true);
    expect(runSchedule(on.m, [0, 0]).trace.steps).toHaveLength(2);
    runPct(on.m, { priorities: [0], changePoints: [], picks: [0, 0] });
    expect(on.drafts).toEqual([false, false, false, false]);
    const replayed = spying(true);
    replay(replayed.m, [0, 0]);
    expect(replayed.drafts).toEqual([true, true]);
    const plain = spying(false);
    runSchedule(plain.m, [0, 0]);
    expect(plain.drafts).toEqual([true, true]);
  });
});

describe('the check finds a model that relies on immer', () => {
  test('a correct toy agrees', () => {
    const r = checkFastPath(toy('none'), { transitions: 200 });
    expect(r.disagreement).toBeUndefined();
    expect(r.transitions).toBe(200);
  });

  test('a property that compares object identity: the property and both verdicts are named', () => {
    const r = checkFastPath(toy('identity'), { transitions: 200 });
    expect(r.disagreement?.step).toBe('T1');
    expect(r.disagreement?.message).toBe('the fast path disagrees with immer at T1, in the initial state: a property judges the transition differently: immer "C1: holds", fast path "C1: cfg was replaced"');
  });

  test("a rule reading a nested draft's original: the step, the path and the differing field are named", () => {
    const r = checkFastPath(toy('nested-original'), { transitions: 200 });
    expect(r.disagreement?.path).toEqual([]);
    expect(r.disagreement?.message).toBe('the fast path disagrees with immer at T1, in the initial state: the successors differ: count: 1 → 2 (immer → fast path)');
  });

  test('a machine that has not opted in is refused', () => {
    const { fastPath: _, ...plain } = toy('none');
    expect(() => checkFastPath(plain as AnyMachine)).toThrow('has not opted in');
  });
});
