/**
 * `mmcheck new`: the folder it writes is a model that runs and passes at
 * once under `explore` (safety and liveness) and the `ci` gate, with the
 * state count its own test pins; bad names and existing paths are refused
 * with one line and nothing written. (Type-checking the folder and running
 * its vitest file: new.deep.test.ts.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../test/cli.js';
import { scaffoldFiles } from './scaffold.js';

// inside the repository, where `import … from 'mmcheck'` resolves to this package
const root = mkdtempSync(join(resolve(import.meta.dirname, '..'), '.scaffold-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mmcheck = runCli;

describe('mmcheck new', () => {
  const model = join(root, 'demo', 'model.ts');

  test('writes the four files, and the model passes explore, explore --liveness and the quick gate at once', async () => {
    const w = await mmcheck('new', 'demo', '--dir', root);
    expect(w.code).toBe(0);
    expect(readdirSync(join(root, 'demo')).sort()).toEqual(Object.keys(scaffoldFiles('demo')).sort());
    // the state count its own test pins
    const pinned = /const REFERENCE_STATES = (\d+);/.exec(readFileSync(join(root, 'demo', 'model.test.ts'), 'utf8'))?.[1];
    const ex = await mmcheck('explore', '--model', model);
    expect(ex.code).toBe(0);
    expect(ex.out).toMatch(new RegExp(`^no violation: ${pinned} distinct states, .*complete`));
    // it opts in to the fast path, and the two paths agree on it
    expect(ex.out).toMatch(/bytes\/state \(fingerprint, fast path\)/);
    const fp = await mmcheck('explore', '--model', model, '--check-fast-path');
    expect([fp.code, fp.out.split('\n')[0]]).toEqual([0, expect.stringMatching(/^fast path agrees with immer: 10000 transitions compared/)]);
    const bug = await mmcheck('explore', '--model', model, '--variant', 'no-lock');
    expect(bug.code).toBe(1);
    expect(bug.out).toMatch(/violated Q1 after step \d+: counter 1 but 2 added/);
    const live = await mmcheck('explore', '--model', model, '--liveness');
    expect([live.code, live.out.split('\n')[0]]).toEqual([0, expect.stringMatching(/^liveness: E1 holds among \d+ states \(complete/)]);
    const gate = await mmcheck('ci', '--profile', 'quick', '--model', model);
    expect(gate.code).toBe(0);
  });

  test('an existing folder, a bad name or a missing --dir: one line, exit 2, nothing written', async () => {
    const before = readdirSync(root).sort();
    for (const argv of [['demo'], ['../x'], ['A'], ['a/b'], ['\u001b[2J'], ['x'.repeat(41)], []]) {
      const r = await mmcheck('new', ...argv, '--dir', root);
      expect({ argv, code: r.code, lines: r.err.split('\n').length }).toEqual({ argv, code: 2, lines: 1 });
      expect(r.err).not.toContain('\u001b');
    }
    expect((await mmcheck('new', 'fresh', '--dir', join(root, 'missing'))).err).toMatch(/--dir .*missing does not exist/);
    expect(readdirSync(root).sort()).toEqual(before);
  });
});
