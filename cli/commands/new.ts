/**
 * `mmcheck new NAME [--dir DIR]`: writes a model folder (`cli/scaffold.ts`)
 * that type-checks, runs and passes at once. The folder appears whole or
 * not at all: the files are written into a temporary sibling that is then
 * renamed, and an existing path is never written over.
 */
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../../reports/replay.js';
import { EXIT } from '../exit.js';
import { MODEL_NAME, scaffoldFiles } from '../scaffold.js';
import { PACKAGE_ROOT } from '../usermodel.js';
import type { Command, Session } from '../session.js';
import { UsageError } from '../session.js';

/** The command's lines in `--help`. */
export const NEW_USAGE = `  new NAME [--dir DIR]                   write DIR/NAME (default ./NAME): a model of rules with a variant
                                         and a property of each kind, its vitest file and tsconfig`;

/** Writes the folder and says what to run next. */
export function cmdNew(args: string[], s: Session): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: 'string' } } });
  const name = positionals[0];
  if (positionals.length !== 1 || name === undefined) throw new UsageError('new takes exactly one NAME');
  if (!MODEL_NAME.test(name)) throw new UsageError(`model name ${JSON.stringify(name.slice(0, 60))} must be lower-case letters, digits and '-', starting with a letter, at most 40 characters`);
  const parent = resolve(values.dir ?? '.');
  if (!existsSync(parent)) throw new InputError(`--dir ${values.dir ?? '.'} does not exist`);
  const target = join(parent, name);
  if (existsSync(target)) throw new InputError(`${target} exists; mmcheck new writes a new folder only`);
  const tmp = mkdtempSync(join(parent, `.${name}.new-`));
  try {
    // outside the package, the folder's tsconfig points into it for `mmcheck` and the libraries
    const outside = relative(PACKAGE_ROOT, target).startsWith('..') || isAbsolute(relative(PACKAGE_ROOT, target));
    for (const [file, text] of Object.entries(scaffoldFiles(name, outside ? PACKAGE_ROOT : undefined))) writeFileSync(join(tmp, file), text);
    // mkdtemp makes the folder private (0700); a project folder gets the usual mode
    chmodSync(tmp, 0o777 & ~process.umask());
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InputError(`cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  s.out(`wrote ${target}: model.ts, model.test.ts, tsconfig.json, README.md`);
  s.out(`next: npx mmcheck explore --model ${join(values.dir ?? '.', name, 'model.ts')}`);
  return EXIT.ok;
}

/** `mmcheck new`. */
export const newCommand: Command = { usage: NEW_USAGE, run: cmdNew };
