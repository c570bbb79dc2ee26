/**
 * `mmcheck ci` saves what it did not expect: a reference that violates is
 * written as `run` writes it (replay, trace, ITF) into `--out`, and the
 * gate's output names the replay command.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from '../test/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mmcheck-ci-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a reference that violates fails the gate and leaves a replay file in --out', async () => {
  // the refcount example with its reference given the buggy put: the gate must see R1 where it expects none
  const src = readFileSync(resolve(import.meta.dirname, '..', 'examples', 'refcount', 'model.ts'), 'utf8');
  const broken = src.replace("reference: { flags: { lockBeforeDec: true }", "reference: { flags: { lockBeforeDec: false }");
  expect(broken).not.toBe(src);
  const model = join(dir, 'model.ts');
  writeFileSync(model, broken);
  const out = join(dir, 'out');
  const r = await runCli('ci', '--profile', 'quick', '--model', model, '--out', out);
  expect(r.code).toBe(1);
  const line = /refcount reference: replay: npx mmcheck repro (\S+) --model /.exec(r.out);
  expect(line).not.toBeNull();
  const file = line?.[1] ?? '';
  expect(file.startsWith(out)).toBe(true);
  expect(existsSync(file) && existsSync(file.replace(/\.json$/, '.txt')) && existsSync(file.replace(/\.json$/, '.itf.json'))).toBe(true);
  const again = await runCli('repro', file, '--model', model);
  expect(again.code).toBe(1);
  expect(again.out).toMatch(/violated R1/);
  // the declared bug, caught as expected, writes nothing
  expect(r.out).not.toMatch(/unlocked-put: replay/);
});

test('ci MODEL --variant V --counterexamples: only that variant, and each of its items saves the counterexample it found', async () => {
  const out = join(dir, 'known');
  const r = await runCli('ci', 'memcg', '--variant', 'V2', '--profile', 'quick', '--counterexamples', '--out', out);
  expect(r.code).toBe(0);
  // one exploration and one seed in the quick profile, nothing of the other variants
  expect(r.out).toMatch(/shard 1\/1: 2 items/);
  expect(r.out).toMatch(/--counterexamples: 2 counterexample\(s\) written to /);
  expect(readdirSync(out).sort()).toEqual(['memcg-V2-explore.itf.json', 'memcg-V2-explore.json', 'memcg-V2-explore.txt', 'memcg-V2-random-seed1.itf.json', 'memcg-V2-random-seed1.json', 'memcg-V2-random-seed1.txt']);
  const again = await runCli('repro', join(out, 'memcg-V2-explore.json'));
  expect(again.code).toBe(1);
  expect(again.out.trimEnd()).toBe(readFileSync(join(out, 'memcg-V2-explore.txt'), 'utf8').trimEnd());
  // without the flag a caught bug writes nothing; a variant or model that does not exist is refused before work
  const quiet = join(dir, 'quiet');
  expect((await runCli('ci', 'memcg', '--variant', 'V2', '--profile', 'quick', '--out', quiet)).code).toBe(0);
  expect(existsSync(quiet) ? readdirSync(quiet) : []).toEqual([]);
  expect((await runCli('ci', 'memcg', '--variant', 'nope')).code).toBe(2);
  expect((await runCli('ci', '--variant', 'V2')).code).toBe(2);
  expect((await runCli('ci', 'memcg', 'slab')).code).toBe(2);
});
