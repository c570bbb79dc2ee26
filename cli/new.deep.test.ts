/**
 * `mmcheck new`, as its user goes on (`npm run test:deep`: two child
 * processes, about 10 s): the folder type-checks with its own tsconfig, and
 * its vitest file passes (both variants as declared, the pinned count); the
 * lost wake-up example passes the gate in every profile; a scaffold written
 * outside the package type-checks and passes the gate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main } from './main.js';

const repo = resolve(import.meta.dirname, '..');
// inside the repository, where `import … from 'mmcheck'` resolves to this package
const root = mkdtempSync(join(repo, '.scaffold-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the scaffold type-checks with its tsconfig and its own tests pass', async () => {
  expect(await main(['new', 'demo', '--dir', root], () => {}, () => {}, null)).toBe(0);
  const dir = join(root, 'demo');
  const tsc = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
  expect({ code: tsc.status, out: tsc.stdout }).toEqual({ code: 0, out: '' });
  const vt = spawnSync(join(repo, 'node_modules', '.bin', 'vitest'), ['run', '--root', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  expect(vt.status).toBe(0);
  expect(vt.stdout).toMatch(/Tests\s+3 passed \(3\)/);
});

test('the lost wake-up grown from the scaffold (examples/lost-wakeup) passes the gate in all three profiles', async () => {
  for (const profile of ['quick', 'ci', 'deep']) {
    const out: string[] = [];
    const code = await main(['ci', '--profile', profile, '--model', join(repo, 'examples', 'lost-wakeup', 'model.ts')], (s) => out.push(s), () => {}, null);
    expect({ profile, code, last: out.at(-1) }).toEqual({ profile, code: 0, last: expect.stringMatching(/gate passed$/) });
    expect(out.join('\n')).toMatch(/lost-wakeup\s+test-before-set\s+E1\s+ok/);
  }
});

test('a scaffold outside the package type-checks and passes the gate, its imports resolved from the package', () => {
  const outside = mkdtempSync(join(tmpdir(), 'mmcheck-outside-'));
  try {
    const bin = join(repo, 'bin', 'mmcheck.js');
    const made = spawnSync(process.execPath, [bin, 'new', 'spin-demo'], { cwd: outside, encoding: 'utf8' });
    expect(made.status).toBe(0);
    // no node_modules anywhere above the folder: fast-check, zod and mmcheck come from the package
    expect(existsSync(join(outside, 'node_modules'))).toBe(false);
    const tsc = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', 'spin-demo'], { cwd: outside, encoding: 'utf8' });
    expect({ code: tsc.status, out: tsc.stdout }).toEqual({ code: 0, out: '' });
    const gate = spawnSync(process.execPath, [bin, 'ci', '--profile', 'quick', '--model', 'spin-demo/model.ts'], { cwd: outside, encoding: 'utf8' });
    expect({ code: gate.status, err: gate.stderr, last: gate.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, err: '', last: expect.stringMatching(/gate passed$/) });
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
