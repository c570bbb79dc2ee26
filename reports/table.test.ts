import { describe, expect, test } from 'vitest';
import { textTable } from './table.js';
import { expectationText, expectedProperty } from '../model/contract.js';

describe('one table, one expectation', () => {
  test('columns are padded to their widest cell, two spaces apart, trailing blanks trimmed', () => {
    expect(textTable([['model', 'v'], ['memcg', 'reference'], ['x', '']])).toEqual(['model  v', 'memcg  reference', 'x']);
  });
  test('a variant expects its violated property, or holds/harmless', () => {
    expect(expectedProperty({ expect: { kind: 'violates', property: 'M2' } })).toBe('M2');
    expect(expectedProperty({ expect: { kind: 'harmless', why: 'benign race' } })).toBeUndefined();
    expect(expectationText({ expect: { kind: 'harmless', why: 'benign race' } })).toBe('harmless');
    expect(expectationText({ expect: { kind: 'holds' } })).toBe('holds');
    expect(expectationText({ expect: { kind: 'violates', property: 'P3' } })).toBe('P3');
  });
});
