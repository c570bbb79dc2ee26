/**
 * Reading a replay file (and an ITF trace's header): a good one comes back field for field; a bad one
 * is one line naming the file and the field at fault (InputError, exit 2).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fromItf } from './itf.js';
import { InputError, readReplay, replayText, type ReplayFile } from './replay.js';

const dir = mkdtempSync(join(tmpdir(), 'mmcheck-replay-'));
const GOOD: ReplayFile = { format: 'mmcheck-replay', version: 1, model: 'memcg', variant: 'V2', engine: 'random', property: 'M2', message: 'm', seed: 3, path: '0:1', config: { a: 1 }, actions: ['L0', 'L1'], loop: 1 };
const write = (name: string, o: unknown): string => {
  const f = join(dir, name);
  writeFileSync(f, typeof o === 'string' ? o : JSON.stringify(o));
  return f;
};

describe('readReplay', () => {
  test('a file written by replayText reads back equal', () => {
    expect(readReplay(write('good.json', replayText(GOOD)))).toEqual(GOOD);
  });

  test.each([
    ['seed', { ...GOOD, seed: 'x' }, "field 'seed': Invalid input: expected number, received string"],
    ['seed not whole', { ...GOOD, seed: 1.5 }, "field 'seed': "],
    ['config missing', { ...GOOD, config: undefined }, "field 'config': is missing"],
    ['an action', { ...GOOD, actions: ['L0', 7] }, "field 'actions[1]': Invalid input: expected string, received number"],
    ['loop past the end', { ...GOOD, loop: 2 }, "field 'loop': must be the index of an action"],
    ['loop negative', { ...GOOD, loop: -1 }, "field 'loop': "],
    ['model', { ...GOOD, model: null }, "field 'model': "],
    ['version', { ...GOOD, version: 2 }, 'has replay format version 2; this mmcheck reads version 1'],
    ['format', { ...GOOD, format: 'x' }, 'is not an mmcheck replay file (format is "x")'],
    ['not JSON', '{', 'is not valid JSON'],
    ['an array', [], 'is not a replay file (not an object)'],
  ] as const)('%s: one line naming the field', (name, content, want) => {
    const f = write(`${name.replace(/ /g, '-')}.json`, content);
    let e: unknown;
    try {
      readReplay(f);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toContain(want);
    expect((e as Error).message.startsWith(f)).toBe(true);
    expect((e as Error).message).not.toContain('\n');
  });
});

describe('fromItf: the header by schema, one line naming the field', () => {
  const meta = { format: 'ITF', model: 'memcg', variant: 'V2', engine: 'random', property: 'M2', config: {} };
  const state = (action?: string) => ({ '#meta': action !== undefined ? { action } : {}, x: 1 });
  const good = { '#meta': meta, vars: ['x'], states: [state(), state('L0')] };
  test('a good header reads; its actions come from the states', () => {
    expect(fromItf(good, 'f').replay).toMatchObject({ model: 'memcg', actions: ['L0'], seed: null, path: null });
  });
  test.each([
    ['vars', { ...good, vars: [1] }, "f: field 'vars[0]': "],
    ['states', { ...good, states: [] }, "f: field 'states': "],
    ['loop', { ...good, loop: 1 }, "f: field 'loop': must be the index of a state before the last"],
    ['config', { ...good, '#meta': { ...meta, config: undefined } }, "f: field '#meta.config': is missing (not an ITF trace written by mmcheck?)"],
    ['seed', { ...good, '#meta': { ...meta, seed: 'x' } }, "f: field '#meta.seed': "],
  ] as const)('%s', (_, raw, want) => {
    expect(() => fromItf(raw, 'f')).toThrow(want);
  });
});
