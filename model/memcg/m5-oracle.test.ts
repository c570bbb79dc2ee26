/**
 * M5 judges the parse with an oracle written apart from the model's parser
 * (memparse-oracle.ts). Here the model's parser gets a bug — a G suffix read
 * as M — and M5 must see it; when M5 called memparse itself, the bug agreed
 * with itself and every exploration said "no violation".
 */
import { expect, test, vi } from 'vitest';
import type { ParseOptions, ParseResult } from './memparse.js';

vi.mock('./memparse.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./memparse.js')>();
  return {
    ...real,
    memparse: (input: string, opts?: ParseOptions): ParseResult => real.memparse(input.replace(/G$/, 'M'), opts),
  };
});

test('M5 catches a parser bug that the model and a memparse-calling property would share', async () => {
  const { explore } = await import('../../properties/explore.js');
  const { memcgModel, SMALL } = await import('./model.js');
  const r = explore(memcgModel.machine('reference', { ...SMALL, limitPages: null, shrinkInputs: [], limitInputs: ['1G'] }), { target: 'M5' });
  expect(r.counterexample?.violations.map((v) => v.property)).toContain('M5');
  expect(r.counterexample?.violations[0]?.message).toMatch(/"1G" parsed to 1048576, expected 1073741824/);
});
