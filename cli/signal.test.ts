/**
 * Ctrl-C and SIGTERM: the built `bin/mmcheck.js` in a child process gets a
 * signal once it is busy; it stops at the next step, still writes every
 * report (complete for what ran, marked interrupted) and exits 130 (SIGINT)
 * or 143 (SIGTERM), as shells report a command a signal stopped.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'mmcheck.js');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-signal-'));
  if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'cli', 'entry.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
});

/**
 * Runs mmcheck, sends `signal` once it has been busy for `afterMs` (the
 * worker thread is up and the engine is computing), and gathers its output;
 * a child still alive after `boundMs` is killed, so a broken stop fails the
 * test instead of hanging it.
 */
function signalled(args: string[], signal: 'SIGINT' | 'SIGTERM', afterMs = 1500, boundMs = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const send = setTimeout(() => child.kill(signal), afterMs);
    const bound = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.on('close', (code) => {
      clearTimeout(send);
      clearTimeout(bound);
      done({ code, out, err });
    });
  });
}

describe('a signal stops a command, which still writes its reports', () => {
  test('SIGINT during run --junit --summary --html: exit 130, every report written, parsed and marked interrupted', async () => {
    const r = await signalled(['run', 'msgmni', '--runs', '10000000', '--junit', 'int.xml', '--summary', 'int.md', '--html', 'int-html', '--out', 'int-out'], 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/SIGINT: stopping at the next step/);
    expect(r.out).toMatch(/INTERRUPTED by SIGINT: 11 variant\(s\) did not spend their 10000000 runs/);
    // the table is whole: the variant under way, then every one not started
    expect(r.out).toMatch(/^msgmni\s+reference\s+holds\s+(none \(interrupted\)|not run)/m);
    expect(r.out).toMatch(/^msgmni\s+W4-27\s+P4\s+not run/m);

    const xml = readFileSync(join(dir, 'int.xml'), 'utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
    // well-formed enough for a CI reader: every suite and case opened is closed
    expect(xml.match(/<testsuite /g)?.length).toBe(11);
    expect(xml.match(/<\/testsuite>/g)?.length).toBe(11);
    expect(xml.match(/<testcase /g)?.length).toBe((xml.match(/<\/testcase>|<testcase [^>]*\/>/g) ?? []).length);
    expect(xml).toMatch(/<skipped message="interrupted by SIGINT after \d+ of 10000000 runs"\/>/);

    const md = readFileSync(join(dir, 'int.md'), 'utf8');
    expect(md).toMatch(/^\|\s*model\s*\|/m);
    expect(md).toMatch(/\*\*Interrupted\*\* \(SIGINT\)/);
    expect(readFileSync(join(dir, 'int-html', 'index.html'), 'utf8')).toMatch(/interrupted \(SIGINT\)/);
  }, 30_000);

  test('SIGINT during explore: exit 130 and an "incomplete … stopped by SIGINT" verdict', async () => {
    const r = await signalled(['explore', 'balloon', '--no-symmetry'], 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/^incomplete: stopped by SIGINT after \d+ states, depth \d+ \(/m);
  }, 30_000);

  test('SIGTERM during explore --workers 2: exit 143, the workers stop too', async () => {
    const r = await signalled(['explore', 'balloon', '--no-symmetry', '--workers', '2'], 'SIGTERM');
    expect(r.code).toBe(143);
    expect(r.out).toMatch(/^incomplete: stopped by SIGTERM after \d+ states, depth \d+ \(.*2 workers/m);
  }, 30_000);

  test('SIGINT during explore --liveness: exit 130, the graph build stops', async () => {
    const r = await signalled(['explore', 'balloon', '--liveness'], 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/^incomplete: no liveness violation among \d+ states; stopped by SIGINT after/m);
  }, 30_000);

  test('SIGTERM during ci: exit 143, the gate says what was not run', async () => {
    const r = await signalled(['ci', '--profile', 'ci'], 'SIGTERM', 2500);
    expect(r.code).toBe(143);
    expect(r.out).toMatch(/^model\s+variant\s+expected\s+verdict\s+items\s+time$/m);
    expect(r.out).toMatch(/INTERRUPTED by SIGTERM: \d+ of \d+ items not run;/);
  }, 30_000);
});
