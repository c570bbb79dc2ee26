/**
 * The search core: every engine reports a throwing model the same way (a
 * `model-threw` counterexample with the trace that led there), a state is
 * judged before its actions are computed, and a model whose actions vary
 * for the same state is named as such instead of yielding a bogus trace.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { erase } from '../model/contract.js';
import { flippingToy, throwToy } from '../test/toys.js';
import { MODEL_THREW, NondeterministicModel, replay, runTrace } from './core.js';
import { explore, verdict } from './explore.js';
import { exploreParallel } from './explore-parallel.js';
import { checkLiveness } from './liveness.js';
import { pctSearch as pctCheck } from '../shrinkers/search.js';
import { randomSearch as randomCheck } from '../shrinkers/search.js';

const model = erase(throwToy);
const machine = (variant: string): AnyMachine => model.machine(variant, {});
const labels = (steps: readonly { label: string }[]): string[] => steps.map((s) => s.label);

describe('a model that throws is a model-threw counterexample with its trace, in every engine', () => {
  // `next` throws on the second inc, `actions` at the state after the second inc
  const cases = [
    ['next', ['inc', 'inc'], 'boom in next'],
    ['actions', ['inc', 'inc'], 'boom in actions'],
  ] as const;
  for (const [variant, steps, message] of cases) {
    test(`${variant}: runTrace, explore, two workers, liveness, random and PCT`, async () => {
      const run = runTrace(machine(variant), (_, e) => e[0]).trace;
      const bfs = explore(machine(variant)).counterexample;
      const par = (await exploreParallel(machine(variant), { module: new URL('../test/fixtures/throwing.ts', import.meta.url).href, model: 'throwtoy', variant, config: {} }, 2)).counterexample;
      const live = checkLiveness(machine(variant));
      const lasso = live.violations.get(MODEL_THREW);
      const rnd = randomCheck(model, variant, { seed: 1, runs: 20 }).failure;
      const pct = pctCheck(model, variant, { seed: 1, runs: 20, depth: 1 }).failure;
      for (const t of [run, bfs, par, lasso?.trace, rnd?.trace, pct?.trace]) {
        expect(t?.violations.map((v) => v.property)).toEqual([MODEL_THREW]);
        expect(t?.violations[0]?.message).toContain(message);
        expect(labels(t?.steps ?? [])).toEqual(steps);
      }
      expect(lasso?.kind).toBe('threw');
      // the graph was cut short by the throw: no claim that the property holds
      expect(live.complete).toBe(false);
    });
  }

  test('a state that violates a property is reported with it even when its actions throw', () => {
    const m = machine('violates-then-throws');
    const bfs = explore(m).counterexample;
    expect(bfs?.violations.map((v) => v.property)).toEqual(['P']);
    expect(bfs?.steps).toHaveLength(2);
    expect(runTrace(m, (_, e) => e[0]).trace.violations.map((v) => v.property)).toEqual(['P']);
  });
});

describe('a model whose actions vary for the same state', () => {
  test('explore names the contract it breaks instead of returning a trace that violates nothing', () => {
    expect(() => explore(flippingToy() as unknown as AnyMachine)).toThrow(NondeterministicModel);
    expect(() => explore(flippingToy() as unknown as AnyMachine)).toThrow(/the model's `actions` or `next` gave different results for the same state: .*search saw P violated/);
  });

  test('a replay of a run the search recorded checks that the violation recurs; one from outside only that actions are enabled', () => {
    const m = flippingToy() as unknown as AnyMachine;
    // a deterministic machine replays its own search's run
    const det = machine('next');
    expect(replay(det, [0], { recorded: { by: 'a test' } }).trace.steps).toHaveLength(1);
    expect(() => replay(det, [0, 0, 0], { recorded: { by: 'a test', violation: { property: 'P', message: '' } } })).toThrow(/step 2/);
    // from outside, a divergence is not the model's fault: the plain replay error, naming the step and what was enabled
    expect(() => replay(m, ['inc', 'inc', 'nope'])).toThrow(/step 3: action nope is not enabled \(enabled: (inc jump|jump inc)\)/);
  });
});

describe('the CLI on a throwing model', () => {
  test('explore --liveness saves and prints the model-threw trace instead of crashing with exit 2', async () => {
    const { main } = await import('../cli/main.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'mmcheck-core-'));
    const out: string[] = [];
    const code = await main(['explore', '--model', 'test/fixtures/throwing.ts', '--variant', 'next', '--liveness', '--out', dir], (s) => out.push(s), (s) => out.push(s), null);
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('violated model-threw after step 2: model threw: boom in next');
    expect(out.join('\n')).toContain('the model threw after 2 steps');
  });
});

describe('explore --keep-going', () => {
  test('records the shortest trace of every property violated, as long as a search targeted at each', async () => {
    const { msgmniModel } = await import('../model/msgmni/model.js');
    const m = erase(msgmniModel);
    const machineOf = (): AnyMachine => m.machine('V1', m.variants.find((v) => v.name === 'V1')?.exploreConfig ?? m.smallConfig);
    const all = explore(machineOf(), { keepGoing: true });
    expect([...(all.counterexamples?.keys() ?? [])]).toEqual(['P2', 'P3']);
    expect(all.complete).toBe(true);
    for (const [p, t] of all.counterexamples ?? []) {
      expect(t.violations.map((v) => v.property)).toContain(p);
      expect(t.steps.length).toBe(explore(machineOf(), { target: p }).counterexample?.steps.length);
    }
  });
});

describe('the hooks a front end needs', () => {
  test('onRun is called once per run, shrink attempts not counted; stop ends the runs and marks the result interrupted', async () => {
    const { memcgModel } = await import('../model/memcg/model.js');
    const m = erase(memcgModel);
    let calls = 0;
    let failed = 0;
    const r = randomCheck(m, 'V2', { seed: 1, runs: 2_000, onRun: (f) => ((calls += 1), (failed += f ? 1 : 0)) });
    expect(r.failure).toBeDefined();
    expect(calls).toBe(r.runs);
    expect(failed).toBe(1);
    let n = 0;
    const s = randomCheck(m, 'reference', { seed: 1, runs: 1_000, onRun: () => void n++, stop: () => n >= 5 });
    expect(s.interrupted).toBe(true);
    expect(s.runs).toBe(5);
  });

  test('explore and liveness stop when asked, and say so', async () => {
    const { memcgModel } = await import('../model/memcg/model.js');
    const m = erase(memcgModel).machine('reference', memcgModel.smallConfig);
    const bfs = explore(m, { stop: () => true });
    expect(bfs.stopped).toBe('stop');
    expect(bfs.complete).toBe(false);
    // the clock is polled every 256 transitions
    expect(bfs.transitions).toBe(256);
    expect(verdict(bfs)).toMatch(/^incomplete: stopped on request after \d+ states/);
    const live = checkLiveness(m, { stop: () => true });
    expect(live.stopped).toBe('stop');
    expect(live.complete).toBe(false);
  });
});

describe('lock order in parallel mode', () => {
  test('two workers gather the same lock-order edges, with the same origins, as one thread', async () => {
    const { reserveModel } = await import('../model/reserve/model.js');
    const { modelSource } = await import('../model/registry.js');
    const { LockGraph } = await import('./lockorder.js');
    const m = erase(reserveModel);
    const one = new LockGraph();
    const two = new LockGraph();
    explore(m.machine('reference', m.smallConfig), { lockGraph: one, maxStates: 1_500 });
    await exploreParallel(m.machine('reference', m.smallConfig), { ...modelSource('reserve'), variant: 'reference', config: m.smallConfig }, 2, { lockGraph: two, maxStates: 1_500 });
    expect(one.size).toBeGreaterThan(0);
    expect(two.list()).toEqual(one.list());
  });
});
