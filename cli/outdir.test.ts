/**
 * An output folder that cannot be written (issue 20): refused before the
 * search with one line and exit 2, and a folder Node's recursive mkdir never
 * returns from (under /proc) ends in bounded time instead of spinning
 * through SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkOutDir, InputError, makeDir } from '../reports/replay.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'mmcheck.js');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-outdir-'));
  if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'cli', 'entry.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
});

/** Runs mmcheck in a child process, killed after 30 s so a hang fails the test instead of stalling the suite. */
function mmcheck(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('makeDir and checkOutDir', () => {
  test('makeDir creates every missing level and accepts a folder that exists', () => {
    const d = join(dir, 'a', 'b', 'c');
    makeDir(d);
    makeDir(d);
    expect(statSync(d).isDirectory()).toBe(true);
  });

  test('a regular file on the path is refused, naming it', () => {
    const f = join(dir, 'plain-file');
    writeFileSync(f, 'x');
    expect(() => makeDir(join(f, 'sub'))).toThrow(InputError);
    expect(() => checkOutDir(join(f, 'sub'))).toThrow(`${f} is not a folder`);
    expect(() => checkOutDir(f)).toThrow('is not a folder');
  });

  test.runIf(existsSync('/proc/self'))('a folder under /proc fails at once with the system error', () => {
    expect(() => makeDir('/proc/mmcheck-nope/x')).toThrow(/cannot create folder .*ENOENT/);
  });
});

describe('explore with an output folder it cannot write', () => {
  test('--out naming a regular file: exit 2, one line, before the search, nothing written', () => {
    const f = join(dir, 'out-is-a-file');
    writeFileSync(f, 'keep me');
    const before = readdirSync(dir).sort();
    const r = mmcheck(['explore', 'memcg', '--variant', 'V2', '--out', f]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([`mmcheck: cannot write to folder ${f}: ${f} is not a folder`]);
    expect(r.out).toBe('');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  test.runIf(existsSync('/proc/self'))('--out under /proc (mkdir answers ENOENT under an existing parent): exit 2, one line, in bounded time', () => {
    const r = mmcheck(['explore', 'memcg', '--variant', 'V2', '--out', '/proc/mmcheck-nope']);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmcheck: cannot create folder \/proc\/mmcheck-nope: .*ENOENT/);
  });
});
