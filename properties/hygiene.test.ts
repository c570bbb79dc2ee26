/**
 * The model hygiene check: it names the step where a model mutates its
 * input or varies its actions, and every built-in model passes it (every
 * variant, on a random walk).
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import { MODELS } from '../model/registry.js';
import { flippingToy, mutatingToy, throwToy } from '../test/toys.js';
import { checkModel, hygieneMessage } from './hygiene.js';

describe('model hygiene check', () => {
  test('a model whose action order varies is named, with the step', () => {
    const p = checkModel(flippingToy() as unknown as AnyMachine);
    expect(p?.message).toMatch(/^`actions` gave \[(inc jump|jump inc)\] and then \[(inc jump|jump inc)\] for the same state .*in the initial state$/);
  });

  test('a model that writes to its input state is named, with the action', () => {
    const p = checkModel(mutatingToy() as unknown as AnyMachine);
    expect(p?.message).toMatch(/^`next` threw on a frozen state for inc \(does it write to its input\?\)/);
    expect(hygieneMessage(p ?? { message: '', path: [] })).toContain('model check failed');
  });

  test('a model whose next is not a function of the state is named, with the path and the field that differs', () => {
    let calls = 0;
    const base = throwToy.machine('actions', {});
    const m = { ...base, actions: () => [{ type: 'inc' as const }], next: (s: { n: number }) => ({ ...s, n: s.n + (++calls % 2) }) } as unknown as AnyMachine;
    const p = checkModel(m);
    expect(p?.message).toMatch(/^`next` gave two different states for inc: n: \d+ → \d+, in the initial state$/);
  });

  // every built-in model keeps the contract: the reference on 300 transitions, each other variant on 100
  for (const model of MODELS)
    test(`${model.name}: every variant keeps the contract on a random walk`, () => {
      for (const v of model.variants) {
        const p = checkModel(model.machine(v.name, v.exploreConfig ?? model.smallConfig), { transitions: v.name === 'reference' ? 300 : 100 });
        expect(p && `${v.name}: ${hygieneMessage(p)}`).toBeUndefined();
      }
    });
});
