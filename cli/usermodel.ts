/**
 * Loading a model module the harness has never seen (`--model PATH`):
 * TypeScript through tsx, JavaScript directly. Every way the module can be
 * wrong becomes one line for stderr.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyModel } from '../model/contract.js';
import { InputError } from '../reports/replay.js';

/**
 * The tsconfig a model file is loaded with: its paths resolve `mmcheck`, and
 * the libraries a model imports, from this package, so a model in a folder
 * without node_modules runs as one inside the project does.
 */
export const USER_TSCONFIG = [new URL('../bin/', import.meta.url), new URL('../../bin/', import.meta.url)]
  .map((dir) => fileURLToPath(new URL('user-model.tsconfig.json', dir)))
  // from the sources (cli/) or from the build (dist/cli/)
  .find((f) => existsSync(f)) as string;

/** The mmcheck package's folder (the one with `bin/` and `dist/`). */
export const PACKAGE_ROOT = dirname(dirname(USER_TSCONFIG));

function isModel(x: unknown): x is AnyModel {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  return typeof m.name === 'string' && Array.isArray(m.variants) && typeof m.machine === 'function';
}

/** What is wrong with a model-shaped export, or undefined when it is usable. */
function malformed(m: Record<string, unknown>): string | undefined {
  if (typeof m.title !== 'string') return "its 'title' is not a string";
  if (typeof m.spec !== 'string') return "its 'spec' is not a string";
  if (!('smallConfig' in m)) return "it has no 'smallConfig'";
  const rc = m.randomConfig as { generate?: unknown } | undefined;
  if (typeof rc?.generate !== 'function') return "its 'randomConfig' is not a fast-check arbitrary";
  if (typeof m.parseConfig !== 'function') return "its 'parseConfig' is not a function";
  if (!Array.isArray(m.propertyNames)) return "its 'propertyNames' is not an array";
  const vs = m.variants as unknown[];
  if (vs.length === 0) return 'it has no variants';
  for (const v of vs) {
    const o = v as Record<string, unknown> | null;
    const e = o?.expect as { kind?: unknown } | undefined;
    if (typeof o?.name !== 'string' || typeof o.summary !== 'string' || !['holds', 'harmless', 'violates'].includes(String(e?.kind)))
      return `variant ${JSON.stringify(o?.name ?? v)} needs a name, a summary and an expect of kind holds|harmless|violates`;
  }
  return undefined;
}

/** Loads the model exported by a module (`export const model`, `export default`, or the only ModelDef export). */
export async function loadUserModel(path: string): Promise<AnyModel> {
  const file = resolve(path);
  if (!existsSync(file)) throw new InputError(`model module ${path} does not exist`);
  let mod: Record<string, unknown>;
  try {
    if (/\.(c|m)?ts$/.test(file)) {
      const { tsImport } = await import('tsx/esm/api');
      // tsx's CommonJS side (a model in a folder without "type": "module")
      // reads the tsconfig from the environment; worker threads inherit it
      process.env.TSX_TSCONFIG_PATH ??= USER_TSCONFIG;
      mod = (await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url, tsconfig: process.env.TSX_TSCONFIG_PATH })) as Record<string, unknown>;
    } else mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new InputError(`model module ${path} threw at import: ${msg}`);
  }
  const inner = (mod.default as Record<string, unknown> | undefined)?.default;
  const candidates = [mod.model, mod.default, inner, ...Object.values(mod)].filter(isModel);
  const m = candidates[0];
  if (!m) throw new InputError(`model module ${path} exports no model (export a ModelDef as 'model' or default)`);
  const bad = malformed(m as unknown as Record<string, unknown>);
  if (bad) throw new InputError(`model module ${path} exports a malformed model '${m.name}': ${bad}`);
  return m;
}
