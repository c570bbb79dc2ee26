/**
 * Faults in the middle of a run (issue 20), each in a child process of the
 * built `bin/mmcheck.js`, killed after a bound so a hang fails the test
 * (signals at random moments: `faults.deep.test.ts`):
 * - a worker thread that dies mid-search: one line, exit 2;
 * - a full disk, as a file-size limit (`ulimit -f`) makes a write fail with
 *   EFBIG: one line naming the file, exit 2, no temporary file left.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { filesUnder, incomplete } from '../test/files.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'mmcheck.js');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-faults-'));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'entry.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
});

describe('faults mid-run', () => {
  test('a worker thread that dies mid-search: one line, exit 2, no hang', () => {
    const r = spawnSync(process.execPath, [BIN, 'explore', '--model', join(ROOT, 'test', 'fixtures', 'dies-in-worker.mjs'), '--workers', '2', '--out', join(dir, 'dies')], { encoding: 'utf8', timeout: 40_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mmcheck: explore worker exited with code 7\n');
  });

  test.runIf(existsSync('/bin/bash'))('a full disk (a write past the file-size limit fails): one line naming the file, exit 2, no temporary file', () => {
    const out = join(dir, 'full');
    // ulimit -f counts 1,024-byte blocks: the replay and text files fit, the ITF trace does not
    const r = spawnSync('/bin/bash', ['-c', `ulimit -f 2; exec "${process.execPath}" "${BIN}" explore memcg --variant V2 --out "${out}"`], { encoding: 'utf8', timeout: 40_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^mmcheck: cannot write ${out}/memcg-V2-explore\\.itf\\.json: EFBIG: file too large, write\\n$`));
    const files = filesUnder(out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['memcg-V2-explore.json', 'memcg-V2-explore.txt']);
    expect(files.map(incomplete)).toEqual([null, null]);
  });
});
