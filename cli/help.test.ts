/**
 * Help: `mmcheck --help` lists every command; `mmcheck CMD --help` and
 * `mmcheck help CMD` print that command's lines and the exit codes, exit 0,
 * before any model module loads (a bad --model does not get in the way).
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../test/cli.js';

const mmcheck = runCli;

describe('help', () => {
  test('every command is listed by --help, and each answers its own --help with its usage', async () => {
    const all = await mmcheck('--help');
    const commands = ['list', 'run', 'explore', 'repro', 'report', 'ci', 'litmus', 'races', 'new'];
    for (const c of commands) {
      expect(all.out).toMatch(new RegExp(`^  ${c} `, 'm'));
      for (const argv of [[c, '--help'], [c, '-h'], ['help', c]]) {
        const r = await mmcheck(...argv, '--model', '/no/such/model.ts');
        expect({ argv, code: r.code, err: r.err }).toEqual({ argv, code: 0, err: '' });
        expect(r.out).toMatch(new RegExp(`^usage:\\n  ${c} `));
        expect(r.out).toMatch(/exit codes:/);
      }
    }
  });

  test('help for an unknown command is the unknown-command error', async () => {
    expect(await mmcheck('bogus', '--help')).toMatchObject({ code: 2, err: "mmcheck: unknown command 'bogus' (try: mmcheck --help)" });
  });
});
