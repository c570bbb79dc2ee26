/**
 * `mmcheck litmus` as a user meets it: the built `bin/mmcheck.js` (run
 * `npm run build` first; `npm test` does). A malformed file and an
 * unsupported construct give one line and exit 2; a test that agrees exits
 * 0 with its witness, one that disagrees exits 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = resolve(ROOT, 'bin', 'mmcheck.js');
const KERNEL = resolve(ROOT, 'test', 'litmus', 'kernel');
const SEEDS = resolve(ROOT, 'test', 'litmus', 'seeds');
let dir = '';

function mmcheck(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-litmus-'));
  if (!existsSync(resolve(ROOT, 'dist', 'cli', 'litmus.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
  writeFileSync(join(dir, 'bad.litmus'), 'C bad\n\n{}\n\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1)\n}\n\nexists (x=1)\n');
  writeFileSync(join(dir, 'gp.litmus'), 'C gp\n\n{}\n\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n\tsynchronize_rcu();\n}\n\nexists (x=1)\n');
});

describe('mmcheck litmus', () => {
  test('a malformed file: one line with file, the line where the token is missing and what was expected; exit 2', () => {
    const r = mmcheck('litmus', 'bad.litmus');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe("mmcheck: bad.litmus:7: parse error: expected ';' after ')' at the end of the line, got '}' on line 8\n");
  });

  test('an unsupported construct: one line naming it; exit 2', () => {
    const r = mmcheck('litmus', 'gp.litmus');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe("mmcheck: gp.litmus:8: unsupported construct: 'synchronize_rcu'\n");
  });

  test('a test that agrees: verdict, states, agreement and a witness in lanes; exit 0', () => {
    const r = mmcheck('litmus', join(KERNEL, 'MP+poonceonces.litmus'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Sometimes: 1 of 4 final outcomes satisfy the condition; 14 states, complete \(memory lkmm\)$/m);
    expect(r.out).toMatch(/^Result: Sometimes — agrees$/m);
    expect(r.out).toMatch(/^ #\s+P0\s+│ P1\s+│ changes$/m);
    expect(r.out).toMatch(/r1 = READ_ONCE\(\*x\) reads x=0 \(initial value\)/);
  });

  test('the load-buffering gap disagrees and says why; exit 1; under --memory sc store buffering is Never', () => {
    const lb = mmcheck('litmus', join(KERNEL, 'LB+poonceonces.litmus'));
    expect(lb.code).toBe(1);
    expect(lb.out).toMatch(/^Result: Sometimes — DISAGREES \(mmcheck says Never\)$/m);
    expect(lb.out).toMatch(/no load buffering/);
    const sc = mmcheck('litmus', '--memory', 'sc', join(KERNEL, 'SB+poonceonces.litmus'));
    expect(sc.code).toBe(1);
    expect(sc.out).toMatch(/^Never: 0 of 3 final outcomes/m);
  });

  test('several files: the bad one is reported, the others still checked, and a summary table', () => {
    const r = mmcheck('litmus', join(KERNEL, 'SB+mbonceonces.litmus'), 'bad.litmus', join(KERNEL, 'SB+poonceonces.litmus'));
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^SB\+mbonceonces\s+Never\s+Never\s+25\s+yes$/m);
    expect(r.out).toMatch(/^SB\+poonceonces\s+Sometimes\s+Sometimes\s+14\s+yes$/m);
  });

  test('the wait/wake seeds: every Result agrees (exit 0); the lost wake-up is Sometimes only without the barrier', () => {
    const r = mmcheck('litmus', ...['WakeUp+setcurrentstate+wakeupprocess', 'WakeUp+__setcurrentstate+wakeupprocess', 'Reserve+waitqueueactive-lockless', 'Reserve+wqhassleeper-lockless'].map((f) => join(SEEDS, `${f}.litmus`)));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^WakeUp\+setcurrentstate\+wakeupprocess\s+Never\s+Never\s+70\s+yes$/m);
    expect(r.out).toMatch(/^WakeUp\+__setcurrentstate\+wakeupprocess\s+Sometimes\s+Sometimes\s+49\s+yes$/m);
    expect(r.out).toMatch(/^Reserve\+waitqueueactive-lockless\s+Sometimes\s+Sometimes\s+58\s+yes$/m);
    expect(r.out).toMatch(/^Reserve\+wqhassleeper-lockless\s+Never\s+Never\s+72\s+yes$/m);
    expect(r.out).toMatch(/^witness \(9 steps;/m);
  });
});
