/**
 * `defineModel`: a model's facts stated once. Each variant is declared in
 * one record with the flags that make it differ from the reference, its
 * expectation and its summary; the property names and kinds come from the
 * reference machine's own properties, never typed a second time. The result
 * is a plain {@link ModelDef}, so the engines, the registry and the CLI take
 * it unchanged, plus {@link DefinedModel.flagsOf}.
 */
import type fc from 'fast-check';
import type { z } from 'zod';
import type { ActionBase, Expectation, FamilyMember, Machine, ModelDef, Property, VariantDef } from './contract.js';
import { variantOf } from './contract.js';
import { configParser } from './config-schema.js';
import { BUILTIN } from './kernel/checks.js';

/** One variant: what it changes (`flags`) and what the checker must find. */
export interface VariantSpec<F, C> {
  /** The switches the machine reads; the reference's are the correct code. */
  readonly flags: F;
  readonly summary: string;
  readonly expect: Expectation;
  /** Where the exhaustive engine looks for it, when not the model's small configuration. */
  readonly exploreConfig?: C;
  /** The configurations random runs draw for it, when not the model's. */
  readonly randomConfig?: fc.Arbitrary<C>;
}

/** How a machine is asked for: the variant's name, and whether the engine applies symmetry (default true). */
export interface MachineBuild {
  readonly variant: string;
  readonly symmetry: boolean;
}

/** What `defineModel` takes: a {@link ModelDef} without the lists it derives. */
export interface ModelSpec<S, A extends ActionBase, C, F> {
  readonly name: string;
  readonly title: string;
  readonly spec: string;
  readonly smallConfig: C;
  readonly randomConfig: fc.Arbitrary<C>;
  readonly family?: readonly FamilyMember<C>[];
  /** See {@link ModelDef.weakMemory}. */
  readonly weakMemory?: string;
  /**
   * Every machine of the model may take steps on the fast path
   * ({@link Machine.fastPath}): its states change only through mmcheck's
   * `produce` and rely on no structural sharing. Run `mmcheck explore
   * --check-fast-path` on the model before turning this on.
   */
  readonly fastPath?: boolean;
  /**
   * The configuration's schema (zod; `import { z } from 'mmcheck'`): fields,
   * types and ranges, unknown fields refused. `parseConfig` is derived from
   * it; give `parseConfig` instead for checks a schema cannot state.
   */
  readonly configSchema?: z.ZodType<C>;
  parseConfig?(raw: unknown): C;
  /** Every variant by name, `reference` first; the record's order is the listing order. */
  readonly variants: { readonly reference: VariantSpec<F, C> } & Readonly<Record<string, VariantSpec<F, C>>>;
  /**
   * The machine of one variant's flags on one configuration. `build` names
   * the variant (for messages) and says whether the engine applies symmetry
   * (when it does not, rules must offer every choice, pruned ones included).
   */
  machine(flags: F, config: C, build: MachineBuild): Machine<S, A>;
}

/** A model built by {@link defineModel}. */
export interface DefinedModel<S, A extends ActionBase, C, F> extends ModelDef<S, A, C> {
  /** The flags of a variant; throws, naming the known ones, for an unknown variant. */
  flagsOf(variant: string): F;
}

/** Names of the properties a verdict can name (every kind but `sometimes`), each once, in declaration order. */
export function verdictPropertyNames<S, A>(properties: readonly (Property<S, A> | { readonly kind: string; readonly name: string })[]): string[] {
  return [...new Set(properties.filter((p) => p.kind !== 'sometimes').map((p) => p.name))];
}

/**
 * Builds a {@link ModelDef} from a {@link ModelSpec}: `variants` from the
 * record, `propertyNames` from the reference machine's properties on every
 * configuration the model declares (small, variants', family's), and `machine(variant, config)` through `flagsOf`.
 * Throws when a variant declares a property the reference does not have.
 */
export function defineModel<S, A extends ActionBase, C, F>(spec: ModelSpec<S, A, C, F>): DefinedModel<S, A, C, F> {
  const { variants: byName, machine, configSchema, parseConfig: parse, fastPath, ...rest } = spec;
  const parseConfig = configSchema !== undefined ? configParser(spec.name, configSchema) : parse;
  if (parseConfig === undefined) throw new Error(`${spec.name} needs a configSchema or a parseConfig`);
  const variants: VariantDef<C>[] = Object.entries(byName).map(([name, v]) => ({
    name,
    summary: v.summary,
    expect: v.expect,
    ...(v.exploreConfig !== undefined ? { exploreConfig: v.exploreConfig } : {}),
    ...(v.randomConfig !== undefined ? { randomConfig: v.randomConfig } : {}),
  }));
  // a Map, not the record: a variant named `toString` must not find Object.prototype's
  const flags = new Map<string, F>(Object.entries(byName).map(([name, v]) => [name, v.flags]));
  const flagsOf = (variant: string): F => {
    const f = flags.get(variant);
    // variantOf is the one lookup, and its error names the known variants
    if (f === undefined) variantOf({ name: spec.name, variants }, variant);
    return f as F;
  };
  // a property may exist only in some configurations (memcg's L1: no charger), so the names are
  // collected over every configuration the model declares, the small one's first
  const configs = [spec.smallConfig, ...Object.values(byName).flatMap((v) => (v.exploreConfig !== undefined ? [v.exploreConfig] : [])), ...(spec.family ?? []).map((m) => m.config)];
  const propertyNames = verdictPropertyNames(configs.flatMap((c) => machine(byName.reference.flags, c, { variant: 'reference', symmetry: true }).properties));
  for (const v of variants) {
    const p = v.expect.kind === 'violates' ? v.expect.property : undefined;
    // the built-in checks are properties of every model
    if (p !== undefined && !propertyNames.includes(p) && !(BUILTIN as readonly string[]).includes(p)) throw new Error(`${spec.name} ${v.name} declares ${p}, which is not one of the model's properties (${propertyNames.join(', ')})`);
  }
  return { ...rest, parseConfig, variants, propertyNames, flagsOf, machine: (variant, config, options) => {
      const m = machine(flagsOf(variant), config, { variant, symmetry: options?.symmetry !== false });
      return fastPath === true ? { ...m, fastPath: true } : m;
    },
  };
}
