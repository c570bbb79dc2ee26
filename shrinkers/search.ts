/**
 * The random engine and PCT with their counterexamples minimized. The
 * engines (`properties/`) sit below the minimizer and take it as an option;
 * this is where it is passed in, for every caller that wants the shortest
 * story (the CLI, the gate, the public `randomCheck` and `checkVariant`, the
 * suites and the benches).
 */
import type { AnyModel } from '../model/contract.js';
import type { PctOptions, PctResult } from '../properties/pct.js';
import { pctCheck } from '../properties/pct.js';
import type { Minimizer, RandomOptions, RandomResult } from '../properties/random.js';
import { randomCheck } from '../properties/random.js';
import type { VariantCheck, VariantCheckOptions } from '../properties/suite.js';
import { checkVariant } from '../properties/suite.js';
import { minimizeTrace } from './minimize.js';

/** `opts` with the trace minimizer, unless they bring their own. */
export function withMinimizer<O extends object>(opts: O & { readonly minimize?: Minimizer | undefined }): O & { readonly minimize: Minimizer } {
  return { ...opts, minimize: opts.minimize ?? minimizeTrace };
}

/** {@link randomCheck} whose counterexample is minimized (unless `noShrink`). */
export function randomSearch(model: AnyModel, variantName: string, opts: RandomOptions): RandomResult {
  return randomCheck(model, variantName, withMinimizer(opts));
}

/** {@link pctCheck} whose counterexample is minimized (unless `noShrink`). */
export function pctSearch(model: AnyModel, variantName: string, opts: PctOptions): PctResult {
  return pctCheck(model, variantName, withMinimizer(opts));
}

/** {@link checkVariant} whose random counterexamples are minimized before they are judged. */
export function variantSearch(model: AnyModel, variantName: string, opts: VariantCheckOptions): VariantCheck {
  return checkVariant(model, variantName, withMinimizer(opts));
}
