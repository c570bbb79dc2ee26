/**
 * msgmni's P1 and P2 judge with their own oracle (model/msgmni/formula-oracle.ts),
 * not with formula.ts, which the model's recompute calls. Here formula.ts is
 * replaced by a faulty one that ignores the namespace count (V4's bug, but
 * in the formula itself): P2 used to compare the model with that same
 * function and could not fail; with the oracle it does. The oracle is also
 * checked against the spec's hand-worked values.
 */
import { describe, expect, test, vi } from 'vitest';
import { SMALL } from './config.js';
import { msgmniModel } from './model.js';
import { allowedRange, expectedMsgmni } from './formula-oracle.js';
import { explore } from '../../properties/explore.js';

vi.mock('./formula.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./formula.js')>();
  // the fault: n is read but never divides anything
  return { ...real, formula: (L: number, _n: number, k = real.KERNEL) => real.formula(L, 1, k) };
});

describe('msgmni oracle', () => {
  test('a fault in the model\'s formula fails P2 on the reference (it agreed with itself before)', () => {
    const r = explore(msgmniModel.machine('reference', SMALL), { target: 'P2' });
    expect(r.counterexample?.violations.find((v) => v.property === 'P2')?.message).toMatch(/has msgmni \d+, f\(L=\d+, n=2\) = \d+/);
  });

  test('the oracle gives the spec\'s values, worked by hand', () => {
    expect(expectedMsgmni('kernel', 1_048_576, 1)).toBe(8192); // §2: 4 GiB lowmem, n = 1
    expect(expectedMsgmni('kernel', 1_048_576, 3)).toBe(2730);
    expect(expectedMsgmni('kernel', 1024, 1)).toBe(16); // a = 8 < 16
    expect(expectedMsgmni('kernel', 4_456_448, 2)).toBe(16384); // a = 17408 > 32768 / 2
    expect(expectedMsgmni('kernel', 1_048_576, 4096)).toBe(16); // n > 2048: a = 2 < 16, the lower clamp, tested first
    expect(expectedMsgmni('kernel', 16_777_216, 4096)).toBe(8); // n > 2048, a = 32: 32768 / n = 8 < 16 (§2)
    expect(expectedMsgmni('scaled', 8, 1)).toBe(8);
    expect(expectedMsgmni('scaled', 12, 2)).toBe(4);
    expect(expectedMsgmni('scaled', 1, 2)).toBe(1);
    expect(expectedMsgmni('scaled', 5, 2)).toBe(2);
    expect(allowedRange('kernel', 4096)).toEqual([8, 16]);
    expect(allowedRange('scaled', 2)).toEqual([1, 4]);
  });
});
