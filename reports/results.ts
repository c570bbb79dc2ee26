/**
 * What one `mmcheck run` found, variant by variant, in the form the JUnit,
 * Markdown and HTML writers read. Generic: nothing here names a mechanism.
 */
import type { AnyModel, Expectation } from '../model/contract.js';
import { expectedProperty, variantOf } from '../model/contract.js';
import { BUILTIN } from '../model/kernel/checks.js';
import type { Found } from './counterexample.js';

/** A property as reports list it; built-ins are the kernel checks every model gets. */
export interface PropertyInfo {
  readonly name: string;
  readonly kind: 'always' | 'quiescent' | 'sometimes' | 'eventually' | 'builtin';
}

/** A saved counterexample: what was found and where it was written. */
export interface SavedCounterexample {
  readonly found: Found;
  readonly message: string;
  /** The replay command printed with it. */
  readonly replay: string;
  readonly files: { readonly json: string; readonly txt: string; readonly itf: string; readonly html?: string };
}

/** One variant's outcome in a run. */
export interface VariantOutcome {
  readonly model: string;
  readonly variant: string;
  readonly summary: string;
  readonly expect: Expectation;
  /** Every property checked, built-ins first. */
  readonly properties: readonly PropertyInfo[];
  readonly seed: number;
  /** Runs executed (up to and including the failing one). */
  readonly runs: number;
  /** Runs asked for. */
  readonly budget: number;
  readonly ms: number;
  /** Per sometimes-property: in how many runs it was witnessed. */
  readonly witnesses: ReadonlyMap<string, number>;
  readonly counterexample?: SavedCounterexample;
  /** The time limit stopped this variant before its budget was spent (`runs` may be 0: never started). */
  readonly interrupted?: boolean;
}

/** A whole run. */
export interface RunReport {
  readonly seed: number;
  readonly runsPerVariant: number;
  readonly outcomes: readonly VariantOutcome[];
  /** Why the run stopped early, e.g. `--time-limit 60s`; absent when it ran to its budget. */
  readonly interrupted?: string;
}

/**
 * Every property a variant is checked for, the same whatever the seed: the
 * built-ins, the model's listed properties, then any other property its
 * machine of the small configuration checks (its *sometimes* ones). A
 * machine may leave out a listed property in some configurations; its kind
 * is then taken as `always`.
 */
export function propertiesOf(m: AnyModel, variant: string): PropertyInfo[] {
  const v = variantOf(m, variant);
  const own = m.machine(variant, v.exploreConfig ?? m.smallConfig).properties;
  const out: PropertyInfo[] = BUILTIN.map((name) => ({ name, kind: 'builtin' as const }));
  const add = (name: string): void => {
    if (!out.some((p) => p.name === name)) out.push({ name, kind: own.find((p) => p.name === name)?.kind ?? 'always' });
  };
  m.propertyNames.forEach(add);
  own.forEach((p) => add(p.name));
  return out;
}

/**
 * How the outcome compares with the variant's declared expectation:
 * `expected` (the declared violation was found, or nothing was found where
 * nothing is expected), `unexpected` (a violation the variant does not
 * declare), `missed` (the declared violation was not found in these runs),
 * `interrupted` (nothing found before the time limit cut the runs short).
 */
export function verdictOf(o: VariantOutcome): 'expected' | 'unexpected' | 'missed' | 'interrupted' {
  const found = o.counterexample?.found.property;
  if (found === undefined && o.interrupted) return 'interrupted';
  const want = expectedProperty(o);
  if (want !== undefined) return found === want ? 'expected' : found === undefined ? 'missed' : 'unexpected';
  return found === undefined ? 'expected' : 'unexpected';
}

/** Seconds with two decimals, as the CLI table shows times. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
