/**
 * Configurations checked by a schema (zod) instead of a hand-written
 * validator: a model states the fields, their types and ranges once, and
 * `parseConfig` (replay files, `--config`) refuses an unknown field or an
 * out-of-range value with one line that names the field. A strict object
 * refuses keys such as `__proto__` or `toString` like any other unknown one.
 */
import type { z } from 'zod';

/** The field an issue is about, written as a reader would (`a.b[2]`); empty for the value itself. */
export function issueField(issue: { readonly path: readonly PropertyKey[] }): string {
  return issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** One line for the first problem zod found, naming the field (`a.b[2]`) when there is one. */
export function schemaError(model: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${model} config is invalid`;
  if (issue.code === 'unrecognized_keys') return `${model} config has unknown field '${issue.keys[0] ?? ''}'`;
  const field = issueField(issue);
  return field === '' ? `${model} config: ${issue.message}` : `${model} config field '${field}': ${issue.message}`;
}

/** A model's `parseConfig` from its schema: the parsed configuration, or an `Error` with {@link schemaError}'s line. */
export function configParser<C>(model: string, schema: z.ZodType<C>): (raw: unknown) => C {
  return (raw) => {
    const r = schema.safeParse(raw);
    if (!r.success) throw new Error(schemaError(model, r.error));
    return r.data;
  };
}
