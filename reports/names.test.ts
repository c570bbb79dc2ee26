/** Names from models and files the user did not write: safe as file names and on a terminal. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { counterexampleStem, fileNamePart, saveCounterexample } from './counterexample.js';
import type { Found } from './found.js';
import { printable } from './text.js';

describe('file names', () => {
  test('a part never leads out of the folder, hides the file or carries a control character', () => {
    expect(fileNamePart('../../x')).toBe('_._.._x');
    expect(fileNamePart('a/b\\c')).toBe('a_b_c');
    expect(fileNamePart('.hidden')).toBe('_hidden');
    expect(fileNamePart('line\nbreak\x1b[2J')).toBe('line_break__2J');
    expect(fileNamePart('')).toBe('_');
    expect(fileNamePart('x'.repeat(500))).toHaveLength(80);
    // the names mmcheck's own models use are kept as they are
    expect(fileNamePart('unlocked-put')).toBe('unlocked-put');
    expect(counterexampleStem({ model: 'memcg', variant: 'V2', engine: 'random', seed: 3 })).toBe('memcg-V2-random-seed3');
  });

  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  test('a counterexample of a model named ../../x is written inside the folder', () => {
    const found = { model: '../../x', variant: '../y\n', engine: 'random', seed: 1, path: null, property: 'P', config: {}, spec: '', preemptions: 0, trace: { init: {}, steps: [], violations: [{ property: 'P', message: 'm' }] } } as unknown as Found;
    const out = join(dir, 'out');
    const r = saveCounterexample(out, found);
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readdirSync(out).sort()).toEqual(['_._.._x-_._y_-random-seed1.itf.json', '_._.._x-_._y_-random-seed1.json', '_._.._x-_._y_-random-seed1.txt']);
    expect(r.json.startsWith(out)).toBe(true);
  });
});

describe('terminal text', () => {
  test('escape sequences and other controls become visible, tabs and newlines stay', () => {
    expect(printable('V\x1b[2J')).toBe('V\\x1b[2J');
    expect(printable('a\tb\nc')).toBe('a\tb\nc');
    expect(printable('\r\x07\x7f\x9b')).toBe('\\x0d\\x07\\x7f\\x9b');
    expect(printable('abc\u202edef')).toBe('abc\\u202edef');
    expect(printable('L2 kref_get │ refcount 0 → 1')).toBe('L2 kref_get │ refcount 0 → 1');
  });
});
