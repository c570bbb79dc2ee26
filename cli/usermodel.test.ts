/**
 * A model the harness has never seen, loaded with --model: the example is
 * checked and its bug caught; every way a module can be wrong is one line
 * and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultMaxMemory } from '../properties/memory-bound.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'mmcheck.js');
const dir = mkdtempSync(join(tmpdir(), 'mmcheck-user-'));

function mmcheck(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--model with the example', () => {
  const example = join(ROOT, 'examples', 'refcount', 'model.ts');
  test('run checks the example and catches its buggy variant', () => {
    const r = mmcheck('run', '--model', example);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/refcount\s+reference\s+holds\s+none/);
    expect(r.out).toMatch(/refcount\s+unlocked-put\s+R1\s+R1/);
    expect(existsSync(join(dir, 'mmcheck-out', 'refcount-unlocked-put-random-seed1.json'))).toBe(true);
  });
  test('repro, list, explore and ci take the module too', () => {
    const file = join('mmcheck-out', 'refcount-unlocked-put-random-seed1.json');
    const r = mmcheck('repro', file, '--model', example);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(`replay: npx mmcheck repro ${file} --model ${example}`);
    expect(mmcheck('list', '--model', example).out).toMatch(/refcount\s+unlocked-put\s+R1/);
    expect(mmcheck('explore', '--model', example).out).toMatch(/no violation: 29 distinct states, depth \d+, complete/);
    const ci = mmcheck('ci', '--profile', 'quick', '--model', example);
    expect(ci.code).toBe(0);
    expect(ci.out).toMatch(/gate passed/);
  });
});

describe('the fast path is opt-in', () => {
  const example = join(ROOT, 'examples', 'refcount', 'model.ts');
  test('a model that has not opted in explores on immer, and --check-fast-path refuses it in one line', () => {
    const r = mmcheck('explore', '--model', example);
    expect(r.out).toMatch(/bytes\/state \(fingerprint\)/);
    expect(mmcheck('list', '--model', example).out).toMatch(/^ {2}searches: immer path \(the model has not set fastPath\)$/m);
    expect(mmcheck('list').out).toMatch(/^ {2}searches: fast path \(exhaustive and random, rules on plain copies; replays on immer; explore --check-fast-path compares the two\)$/m);
    const c = mmcheck('explore', '--model', example, '--check-fast-path');
    expect(c.code).toBe(2);
    expect(c.err.trimEnd().split('\n')).toEqual(['mmcheck: --check-fast-path: refcount has not opted in to the fast path (ModelSpec.fastPath), so every engine runs it on immer']);
  });
  test('a built-in model: the check compares 10,000 transitions, the engine says which path it took', () => {
    const c = mmcheck('explore', 'memcg', '--check-fast-path', '--max-states', '500');
    expect(c.out).toMatch(/^fast path agrees with immer: 10000 transitions compared on \d+ random walks \(seed 1\)/);
    expect(c.out).toMatch(/bytes\/state \(fingerprint, fast path\)/);
    const i = mmcheck('explore', 'memcg', '--immer-path', '--max-states', '500');
    expect(i.out).toMatch(/bytes\/state \(fingerprint\)/);
    expect(i.out.replace(/[\d.]+s, \d+ states\/s, \d+ transitions\/s/, '')).toBe(c.out.split('\n').slice(1).join('\n').replace(', fast path', '').replace(/[\d.]+s, \d+ states\/s, \d+ transitions\/s/, ''));
  });
});

describe('bad model modules: one line, exit 2', () => {
  const cases: [string, string, RegExp][] = [
    ['missing', 'nope/model.ts', /model module nope\/model\.ts does not exist/],
    ['no model', join(ROOT, 'test', 'fixtures', 'no-model.ts'), /exports no model/],
    ['malformed', join(ROOT, 'test', 'fixtures', 'malformed.ts'), /exports a malformed model 'broken': its 'randomConfig' is not a fast-check arbitrary/],
    ['throws at import', join(ROOT, 'test', 'fixtures', 'throws.ts'), /threw at import: cannot load this model/],
  ];
  for (const [name, path, msg] of cases)
    test(name, () => {
      const r = mmcheck('run', '--model', path);
      expect(r.code).toBe(2);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    });
});

describe('lock-order prediction in run', () => {
  test('two orders seen in separate runs, none deadlocked: lockdep report, exit 3', () => {
    const r = mmcheck('run', '--model', join(ROOT, 'test', 'fixtures', 'two-orders.ts'), '--runs', '50');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/two-orders\s+reference\s+holds\s+none\s+50/);
    expect(r.out).toMatch(/possible circular locking dependency detected/);
    expect(r.out).toMatch(/-> #\d m1 -> m2: A took m2 holding m1 at step 2 of seed 1 run \d+\n\s+config: \{"who":"A"\}\n\s+actions: step step/);
  });
});

describe('the command thread', () => {
  test('runs with the V8 heap limit raised to the default memory bound (three quarters of the machine), never below V8 default', () => {
    // a --model module is imported on the command thread: it reports that thread's limit
    const probe = join(dir, 'heap-probe.mjs');
    writeFileSync(probe, `import { getHeapStatistics } from 'node:v8';\nprocess.stderr.write('heap limit MiB ' + Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20) + '\\n');\nexport default [];\n`);
    const r = mmcheck('list', '--model', probe);
    const m = /heap limit MiB (\d+)/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const limit = Number(m![1]);
    const bound = Math.floor(defaultMaxMemory() / 2 ** 20);
    const v8default = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
    expect(limit).toBeGreaterThanOrEqual(Math.max(bound, v8default) - 64);
  });
});
