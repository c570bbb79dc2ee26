import { describe, expect, it } from 'vitest';
import { atomicDec, atomicDecIfPositive, atomicInc, atomicIncReturn, atomicRead, atomicSet } from './atomic.js';

describe('atomic_t', () => {
  it('read/set are plain, inc/dec change by one', () => {
    expect(atomicRead(5)).toBe(5);
    expect(atomicSet(-3)).toBe(-3);
    expect(atomicInc(5)).toBe(6);
    expect(atomicDec(5)).toBe(4);
  });

  it('inc_return stores and returns the new value', () => {
    expect(atomicIncReturn(1)).toEqual({ value: 2, ret: 2 });
  });

  it('dec_if_positive stores v-1 only when it is ≥ 0 but returns v-1 either way', () => {
    expect(atomicDecIfPositive(2)).toEqual({ value: 1, ret: 1 });
    expect(atomicDecIfPositive(1)).toEqual({ value: 0, ret: 0 });
    expect(atomicDecIfPositive(0)).toEqual({ value: 0, ret: -1 });
    expect(atomicDecIfPositive(-4)).toEqual({ value: -4, ret: -5 });
  });

  it('wraps like a 32-bit int', () => {
    expect(atomicInc(2 ** 31 - 1)).toBe(-(2 ** 31));
    expect(atomicDec(-(2 ** 31))).toBe(2 ** 31 - 1);
  });
});
